/**
 * Messages between the server and its sandbox process (sandbox-supervisor.ts ↔ sandbox-host.ts), over the IPC channel
 * of `child_process.fork` (JSON). The server never runs action code itself: each request's chain, each `test` run and
 * each deploy-time check is a message to the sandbox process and one answer back. Each side sends what one turn of
 * its event loop produced as one `batch` write: under load, one write and one wake-up carry many requests.
 */
import type { ActionSource, BuiltAction, ChainResult, DeployedAction, TriggerRequest } from '../contract.js';
import type { TestCrash } from './crash-guard.js';

/** What the sandbox process is started with (the engine's settings and the egress policy of `fetch`). */
export interface SandboxProcessSettings {
  memoryLimitMb: number;
  chainTimeoutMs: number;
  maxLogBytes: number;
  syncSliceMs: number;
  maxIsolates: number;
  maxTimers: number;
  maxTimersPerIsolate: number;
  maxFetches: number;
  maxFetchesPerIsolate: number;
  maxCryptoMs: number;
  egress: { timeoutMs: number; maxResponseBytes: number; allowPrivate: string[] };
  /** Test-only: abort the sandbox process at this action's prewarm or first run (MINTER_TEST_CRASH_ON_ACTION_NAME). */
  testCrash?: TestCrash;
  /** Resident memory past which the sandbox process ends itself, in MB (native memory no isolate limit counts). */
  maxRssMb: number;
}

/** A deploy-time check that failed with a place in the source (ActionBuildError's fields), or otherwise. */
export type BuildFailure = { message: string; file: string; line: number; column: number } | { message: string };

/** Why a sandbox process was replaced (the `reason` label of `minter_sandbox_replaced_total`). */
export type SandboxLossKind = 'crashed' | 'unresponsive' | 'stuck' | 'memory' | 'starved' | 'error';

export type ToSandbox =
  | { t: 'init'; settings: SandboxProcessSettings }
  | { t: 'bind'; chain: DeployedAction[] }
  | { t: 'run'; id: number; request: TriggerRequest }
  | { t: 'test'; id: number; action: DeployedAction; request: TriggerRequest }
  | { t: 'build'; id: number; source: ActionSource }
  /** The answer to a `kinde` request of the sandbox (a Kinde management read, answered by the server). */
  | { t: 'kinde'; id: number; answer: { status: number; body: unknown } }
  | { t: 'ping'; n: number }
  /** The messages of one turn of the server's event loop, in one write. */
  | { t: 'batch'; messages: ToSandbox[] };

export type FromSandbox =
  | { t: 'ready' }
  /** A chain's result; `batches` carries the sizes of the synchronous batches run since the last message (metrics). */
  | { t: 'result'; id: number; result: ChainResult; batches?: number[] }
  | { t: 'built'; id: number; built?: BuiltAction; failure?: BuildFailure }
  | { t: 'kinde'; id: number; endpoint: string }
  /** An isolate of a version started or ended loading (its top-level code runs then). */
  | { t: 'load'; versionId: string; phase: 'start' | 'end' }
  /** A call or a load of a version was stopped but its thread did not come back: the sandbox must be replaced. */
  | { t: 'stuck'; versionId: string }
  /** The sandbox ends itself (its thread pool starved, its memory past the cap); the reason is for the operator. */
  | { t: 'ending'; kind: SandboxLossKind; reason: string }
  | { t: 'pong'; n: number }
  /** The messages of one turn of the sandbox's event loop, in one write. */
  | { t: 'batch'; messages: FromSandbox[] };

/**
 * Collects the messages of one turn of the event loop and writes them at its end (`setImmediate`), as one message, or
 * as one `batch` when there are several.
 */
export class Outbox<M> {
  #queue: M[] = [];
  readonly #write: (message: M | { t: 'batch'; messages: M[] }) => void;

  constructor(write: (message: M | { t: 'batch'; messages: M[] }) => void) {
    this.#write = write;
  }

  push(message: M): void {
    if (this.#queue.push(message) === 1) setImmediate(this.#flush);
  }

  /** Writes `message` now, after what is queued: for what must be out before the code that runs next can crash. */
  pushNow(message: M): void {
    this.#queue.push(message);
    this.#flush();
  }

  readonly #flush = (): void => {
    const queue = this.#queue;
    if (queue.length === 0) return;
    this.#queue = [];
    this.#write(queue.length === 1 ? queue[0]! : { t: 'batch', messages: queue });
  };
}
