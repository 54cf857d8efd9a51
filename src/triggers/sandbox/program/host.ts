/**
 * What the host hands the program. sandbox/bootstrap.ts wraps the bundle in a function whose parameters are the
 * References to the host's functions (runtime/host-bridge.ts, in `HOST_REFERENCE_NAMES` order) and the configuration
 * as JSON: declared here, in scope for the whole program, never globals, so no action code can reach or replace them.
 */
import type { SandboxConfig } from '../boundary.js';
import { JSONparse, ObjectCreate } from './intrinsics.js';

/** A host function called synchronously: the isolate's thread waits for its answer. */
interface SyncReference<A extends unknown[], R> {
  applySync(receiver: undefined, args: A): R;
}

/** A host function called synchronously, its arguments and its answer copied (byte arrays and plain objects). */
interface CopyingReference<A extends unknown[], R> {
  applySync(receiver: undefined, args: A, options: { arguments: { copy: true }; result: { copy: true } }): R;
}

/** What `hostNode` answers (auth0/node-host.ts): `t` the host's time in ms, then a result or a failure. */
export interface NodeHostAnswer {
  t: number;
  b?: Uint8Array;
  s?: string;
  e?: string;
  c?: string;
  n?: string;
}

/** A host function answering a promise the isolate's thread waits for (`applySyncPromise`). */
interface SyncPromiseReference<A extends unknown[], R> {
  applySyncPromise(receiver: undefined, args: A): R;
}

/** A host function answering a promise the isolate awaits, its result copied in. */
interface AsyncReference<A extends unknown[], R> {
  apply(receiver: undefined, args: A, options: { result: { promise: true; copy: true } }): Promise<R>;
}

// The parameters of the function around the bundle (sandbox/bootstrap.ts).
declare const cacheGet: SyncReference<[key: string], string | undefined>;
declare const cacheSet: SyncReference<[key: string, value: string, optionsJson: string], string>;
declare const cacheDelete: SyncReference<[key: string], string>;
declare const hostFetch: AsyncReference<[url: string, initJson: string], string>;
declare const hostKindeFetch: SyncPromiseReference<[url: string, initJson: string, issuer: string], string>;
declare const hostArm: SyncReference<[ms: number], void>;
declare const hostNode: CopyingReference<
  [op: string, meta: string, a?: Uint8Array, b?: Uint8Array, c?: Uint8Array],
  NodeHostAnswer
>;
declare const configJson: string;

/**
 * The host's functions: Auth0's `api.cache` (answers JSON), egress-guarded fetch for `fetch` and `kinde.fetch`
 * (answer JSON), the one host timer of the isolate's timers (ms until the earliest, 0 disarms), and the host half of
 * the Node built-ins (`crypto`, and `require`'s refusals: node/).
 */
export const host = {
  cacheGet,
  cacheSet,
  cacheDelete,
  fetch: hostFetch,
  kindeFetch: hostKindeFetch,
  arm: hostArm,
  node: hostNode,
};

/** The configuration of this isolate. */
export const config: SandboxConfig = JSONparse(configJson);

/** The action's secrets (Auth0 `event.secrets`, Kinde `kinde.env`). */
export const SECRETS = config.secrets;

/** Kinde: the names among {@link SECRETS} that are plain environment variables. */
export const PLAIN: Record<string, true> = ObjectCreate(null);
for (let i = 0; i < config.plain.length; i++) PLAIN[config.plain[i]!] = true;
