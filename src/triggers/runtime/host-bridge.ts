/**
 * The only doors out of an isolate: isolated-vm References to host functions, one set per isolate.
 *
 * Every argument arrives from untrusted code, so each function checks types, never throws into the isolate with host
 * detail beyond an error message, and answers with one JSON string (`hostNode`: a plain object of primitives and
 * byte arrays, copied). Cache calls, `hostArm` (timers) and `hostNode` (the Node built-ins' crypto, auth0/node-host.ts)
 * are synchronous (`applySync`); fetch answers a promise, awaited by the isolate either asynchronously (`fetch`) or
 * blocking (`kinde.fetch`, via `applySyncPromise`). Nothing here grows with what an action asks: fetches are capped
 * per isolate, an isolate's timers are one Node timer, and `hostNode` keeps at most 16 parsed keys per isolate.
 */
import { STATUS_CODES } from 'node:http';
import ivm from 'isolated-vm';
import type { HostServices, SandboxFetchInit, SandboxFetchResponse } from '../contract.js';
import { ParsedKeys } from '../auth0/crypto-key-cache.js';
import { nodeHostCall } from '../auth0/node-host.js';
import { HOST_REFERENCE_NAMES } from '../sandbox/bootstrap.js';

type Answer = Pick<SandboxFetchResponse, 'status' | 'statusText' | 'headers' | 'body'>;

const jsonAnswer = (status: number, body: unknown): Answer => ({
  status,
  statusText: STATUS_CODES[status] ?? '',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body ?? null),
});

function parseInit(initJson: unknown): SandboxFetchInit {
  const raw: unknown = typeof initJson === 'string' ? JSON.parse(initJson) : {};
  const init = (raw ?? {}) as Record<string, unknown>;
  const headers: Record<string, string> = {};
  if (init.headers !== null && typeof init.headers === 'object') {
    for (const [name, value] of Object.entries(init.headers)) headers[name] = String(value);
  }
  return {
    method: typeof init.method === 'string' ? init.method : 'GET',
    headers,
    ...(typeof init.body === 'string' ? { body: init.body } : {}),
  };
}

function optionalNumber(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'number' ? value : Number.NaN;
}

/** Kinde's Management API audience (`<domain>/api`, notes §5.1). */
function isManagementTokenRequest(url: string, init: SandboxFetchInit, base: string): boolean {
  if (url !== `${base}/oauth2/token` || init.method !== 'POST' || init.body === undefined) return false;
  const audiences = new URLSearchParams(init.body).get('audience')?.split(' ') ?? [];
  return audiences.length > 0 && audiences.every((audience) => audience === `${base}/api`);
}

/**
 * `kinde.fetch` routing. Management reads (`<issuer>/api/v1/…`) are answered in process by
 * {@link HostServices.kindeManagementGet}; the token request `createKindeAPI` makes for them is answered with a
 * placeholder, since those reads never check it. Everything else is ordinary egress.
 */
async function kindeFetch(host: HostServices, url: string, init: SandboxFetchInit, issuer: string): Promise<Answer> {
  const base = issuer.replace(/\/+$/, '');
  const prefix = `${base}/api/v1/`;
  if (url.startsWith(prefix)) {
    if (init.method !== 'GET')
      return jsonAnswer(405, {
        errors: [{ code: 'METHOD_NOT_ALLOWED', message: 'Workflows may only read the management API' }],
      });
    const answer = await host.kindeManagementGet(url.slice(prefix.length));
    if (answer === undefined)
      return jsonAnswer(404, { errors: [{ code: 'ROUTE_NOT_FOUND', message: 'Unknown endpoint' }] });
    return jsonAnswer(answer.status, answer.body);
  }
  if (isManagementTokenRequest(url, init, base)) {
    return jsonAnswer(200, { access_token: 'minter-in-process', token_type: 'bearer', expires_in: 3600, scope: '' });
  }
  return host.fetch(url, init);
}

async function answerFetch(run: () => Promise<Answer>): Promise<string> {
  try {
    const r = await run();
    return JSON.stringify({ status: r.status, statusText: r.statusText, headers: r.headers, body: r.body });
  } catch (error) {
    return JSON.stringify({ error: error instanceof Error ? error.message : 'request failed' });
  }
}

/** Whether an isolate's code may resume on its own thread: see `Instance.hostIo` in isolate-factory.ts. */
export interface HostIo {
  started: boolean;
  generation: number;
}

/**
 * The host half of an isolate's timers (sandbox/program/timers.ts): one Node timer, armed for the earliest timer due in the
 * isolate, whatever the number of timers there. Unref'd: a pending action timer never keeps the process alive (the
 * chain deadline timer does while it matters).
 */
export class IsolateAlarm {
  #timer: NodeJS.Timeout | undefined;
  /** `performance.now()` when the timer rings. */
  #dueAt = 0;
  /** The longest wait, in ms: the chain budget (past it every invocation that set a timer has ended). */
  readonly #maxMs: number;
  /** Runs the isolate's `fireTimers()`: set once the isolate's entry points exist (isolate-factory.ts). */
  onRing: () => void = () => {};

  constructor(maxMs: number) {
    this.#maxMs = maxMs;
  }

  /** Rings in `ms` (ms), replacing any earlier arming (the isolate asks only for an earlier ring, or none). */
  arm(ms: number): void {
    this.stop();
    const wait = Math.min(ms, this.#maxMs);
    this.#dueAt = performance.now() + wait;
    this.#timer = setTimeout(this.#ring, wait).unref();
  }

  /**
   * Rings in `ms` (ms) after a ring, as `fireTimers()` answered, unless armed to ring sooner: the isolate may have
   * asked for an earlier ring after that answer was made. An answer that comes after the isolate disarmed makes one
   * ring too many, which finds nothing due.
   */
  rearm(ms: unknown): void {
    if (typeof ms !== 'number' || !(ms > 0)) return;
    if (this.#timer === undefined || performance.now() + ms < this.#dueAt) this.arm(ms);
  }

  stop(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  readonly #ring = (): void => {
    this.#timer = undefined;
    this.onRing();
  };
}

/** What the host bounds per isolate. */
export interface IsolateCaps {
  /** Fetches (and `kinde.fetch` calls) out at once, from all invocations of the isolate together. */
  maxFetches: number;
}

/**
 * The References handed to one isolate's sandbox program, in {@link HOST_REFERENCE_NAMES} order. `hostIo.started`
 * is set by the first call that starts host I/O (fetch, a timer), whose answer resumes the isolate later on its own
 * thread. A fetch past `caps.maxFetches` is answered at once with `{error, refused: true}` (no request is made).
 */
export function hostReferences(
  actionId: string,
  host: HostServices,
  hostIo: HostIo,
  caps: IsolateCaps,
  alarm: IsolateAlarm,
): ivm.Reference[] {
  const ioStarts = () => {
    hostIo.started = true;
    hostIo.generation++;
  };
  const io =
    <A extends unknown[], R>(f: (...args: A) => R) =>
    (...args: A): R => {
      ioStarts();
      return f(...args);
    };
  let fetchesOut = 0;
  const keys = new ParsedKeys();
  const capped = async (run: () => Promise<string>): Promise<string> => {
    if (fetchesOut >= caps.maxFetches) {
      return JSON.stringify({
        error: `at most ${caps.maxFetches} fetches may be pending on one isolate of an action version`,
        refused: true,
      });
    }
    fetchesOut++;
    try {
      return await run();
    } finally {
      fetchesOut--;
    }
  };
  const functions: Record<(typeof HOST_REFERENCE_NAMES)[number], (...args: never[]) => unknown> = {
    cacheGet: (key: unknown) => {
      if (typeof key !== 'string') return undefined;
      try {
        const record = host.cache.get(actionId, key);
        return record === undefined
          ? undefined
          : JSON.stringify({ value: record.value, expires_at: record.expires_at });
      } catch {
        return undefined;
      }
    },
    cacheSet: (key: unknown, value: unknown, optionsJson: unknown) => {
      try {
        if (typeof key !== 'string' || typeof value !== 'string' || typeof optionsJson !== 'string')
          throw new TypeError('bad arguments');
        const options = JSON.parse(optionsJson) as Record<string, unknown>;
        const ttl = optionalNumber(options.ttl);
        const expiresAt = optionalNumber(options.expires_at);
        return JSON.stringify(
          host.cache.set(actionId, key, value, {
            ...(ttl === undefined ? {} : { ttl }),
            ...(expiresAt === undefined ? {} : { expires_at: expiresAt }),
          }),
        );
      } catch {
        return JSON.stringify({ type: 'error', code: 'FailedToSetCacheRecord' });
      }
    },
    cacheDelete: (key: unknown) => {
      try {
        if (typeof key !== 'string') throw new TypeError('bad key');
        return JSON.stringify(host.cache.delete(actionId, key));
      } catch {
        return JSON.stringify({ type: 'error', code: 'FailedToDeleteCacheRecord' });
      }
    },
    hostFetch: io((url: unknown, initJson: unknown) =>
      capped(() => answerFetch(() => host.fetch(String(url), parseInit(initJson)))),
    ),
    hostKindeFetch: io((url: unknown, initJson: unknown, issuer: unknown) =>
      capped(() => answerFetch(() => kindeFetch(host, String(url), parseInit(initJson), String(issuer)))),
    ),
    // Synchronous (applySync from the isolate): re-arming is a clearTimeout and a setTimeout, nothing is queued.
    // Disarming (0) starts no I/O.
    hostArm: (ms: unknown) => {
      if (typeof ms !== 'number' || !(ms > 0)) return alarm.stop();
      ioStarts();
      alarm.arm(ms);
    },
    // Synchronous: each call's time is bounded by its sizes and counted by the isolate (MAX_CRYPTO_MS).
    hostNode: (op: unknown, meta: unknown, a: unknown, b: unknown, c: unknown) => nodeHostCall(keys, op, meta, a, b, c),
  };
  return HOST_REFERENCE_NAMES.map((name) => new ivm.Reference(functions[name]));
}
