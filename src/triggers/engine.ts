/**
 * The trigger engine: the {@link TriggerEngine} the token endpoint and the management API use.
 *
 * Each deployed action version runs in its own isolated-vm isolate (no `require`, `process`, file system or sockets;
 * I/O only through {@link HostServices}), kept warm across requests. See runtime/version-isolate.ts for budgets and
 * chain.ts for the chain rules.
 */
import { availableParallelism } from 'node:os';
import { buildAction, type BuildOptions } from './action-build.js';
import type {
  ActionSource,
  BuiltAction,
  ChainResult,
  DeployedAction,
  HostServices,
  TriggerEngine,
  TriggerRequest,
} from './contract.js';
import { TRIGGER_IDS } from './contract.js';
import type { GeoipLookup } from './auth0/credentials-exchange.js';
import { runChain, type ChainSettings } from './chain.js';
import type { PhaseGuard, TestCrash } from './runtime/crash-guard.js';
import { IsolateCensus } from './runtime/isolate-census.js';
import { IsolatePool, type ChainLink } from './runtime/isolate-pool.js';

export interface TriggerEngineOptions {
  /** V8 heap limit per isolate, in MB (isolated-vm's minimum is 8). Default 64. */
  memoryLimitMb?: number;
  /** Budget of a whole chain, in ms. Default 20 000 (Auth0's 20 s). */
  chainTimeoutMs?: number;
  /** Console output kept per action, in bytes of UTF-8. Default 4096. */
  maxLogBytesPerAction?: number;
  /**
   * Isolates one version may run at once when requests overlap. One stays warm; extra ones exist only while
   * requests overlap (a runaway request then holds up no one else) and are reaped when idle. Default: CPU count,
   * between 2 and 8.
   */
  maxIsolatesPerVersion?: number;
  /**
   * Isolates of one version one client's requests may hold at once: a client stuck in a loop takes no more. Default:
   * half of `maxIsolatesPerVersion`, rounded up. See docs/trigger-runtime.md, "Fairness".
   */
  maxIsolatesPerClient?: number;
  /**
   * Isolates of all versions together. A client whose requests find every isolate of a version held by others gets
   * one of its own past `maxIsolatesPerVersion`, up to this. Default 64.
   */
  maxIsolates?: number;
  /** Timers pending per action execution. Default 100. */
  maxTimers?: number;
  /** Timers pending per isolate, all its executions together (kept in the isolate, not the host). Default 10 000. */
  maxTimersPerIsolate?: number;
  /** Fetches out per action execution. Default 20. */
  maxFetches?: number;
  /** Fetches out per isolate, all its executions together. Default 200. */
  maxFetchesPerIsolate?: number;
  /** Host time one execution's Node `crypto` calls may take together, in ms. Default 100. */
  maxCryptoMs?: number;
  /**
   * How long an action may run on the main thread before it is stopped and run again off it, in ms; 0 runs every
   * action off the main thread. Default 10. See runtime/version-isolate.ts.
   */
  syncSliceMs?: number;
  host: HostServices;
  /** Told the number of requests each batch on the synchronous path ran (runtime/version-isolate.ts), for metrics. */
  onBatch?: (requests: number) => void;
  /** `event.request.geoip` for an IP; `{}` when absent. */
  geoip?: GeoipLookup;
  /** Told when an isolate of a version starts and ends loading (the sandbox process tells the server: crash-guard). */
  onLoad?: (versionId: string, phase: 'start' | 'end') => void;
  /**
   * Told when a call of a version was stopped but its thread did not come back (a built-in that never checks for
   * termination): the thread is lost until that built-in ends, which may be never.
   */
  onStuck?: (versionId: string) => void;
  /**
   * Notes each version's prewarm and first run, so that one that kills the process is quarantined
   * (runtime/crash-guard.ts).
   */
  crashGuard?: PhaseGuard;
  /** Test-only: abort the process at this action's prewarm or first run (MINTER_TEST_CRASH_ON_ACTION_NAME). */
  testCrash?: TestCrash;
}

export const ENGINE_DEFAULTS = {
  memoryLimitMb: 64,
  chainTimeoutMs: 20_000,
  maxLogBytesPerAction: 4096,
  maxIsolatesPerVersion: Math.min(8, Math.max(2, availableParallelism())),
  maxIsolates: 64,
  syncSliceMs: 10,
  maxTimers: 100,
  maxTimersPerIsolate: 10_000,
  maxFetches: 20,
  maxFetchesPerIsolate: 200,
  maxCryptoMs: 100,
} as const;

function positiveInteger(name: string, value: number, minimum: number): number {
  if (!Number.isInteger(value) || value < minimum)
    throw new RangeError(`${name} must be an integer ≥ ${minimum}, got ${value}`);
  return value;
}

function checkAction(action: DeployedAction): void {
  if (!TRIGGER_IDS.includes(action.triggerId))
    throw new TypeError(`Unknown trigger ${String(action.triggerId)} for action ${action.actionId}`);
  if (typeof action.code !== 'string') throw new TypeError(`Action ${action.actionId} has no code`);
}

class IsolatedTriggerEngine implements TriggerEngine {
  readonly #pool: IsolatePool;
  readonly #settings: ChainSettings;
  readonly #build: BuildOptions;
  #chain: ChainLink[] = [];
  #closed = false;

  constructor(options: TriggerEngineOptions) {
    const memoryLimitMb = positiveInteger('memoryLimitMb', options.memoryLimitMb ?? ENGINE_DEFAULTS.memoryLimitMb, 8);
    const chainTimeoutMs = positiveInteger(
      'chainTimeoutMs',
      options.chainTimeoutMs ?? ENGINE_DEFAULTS.chainTimeoutMs,
      1,
    );
    const maxLogBytes = positiveInteger(
      'maxLogBytesPerAction',
      options.maxLogBytesPerAction ?? ENGINE_DEFAULTS.maxLogBytesPerAction,
      0,
    );
    const maxIsolatesPerVersion = positiveInteger(
      'maxIsolatesPerVersion',
      options.maxIsolatesPerVersion ?? ENGINE_DEFAULTS.maxIsolatesPerVersion,
      1,
    );
    const syncSliceMs = positiveInteger('syncSliceMs', options.syncSliceMs ?? ENGINE_DEFAULTS.syncSliceMs, 0);
    const perClient = options.maxIsolatesPerClient ?? Math.ceil(maxIsolatesPerVersion / 2);
    const maxIsolatesPerClient = positiveInteger('maxIsolatesPerClient', perClient, 1);
    const maxIsolates = positiveInteger('maxIsolates', options.maxIsolates ?? ENGINE_DEFAULTS.maxIsolates, 1);
    this.#settings = { chainTimeoutMs, maxLogBytes, ...(options.geoip ? { geoip: options.geoip } : {}) };
    const sandbox = {
      memoryLimitMb,
      maxLogBytes,
      maxIsolatesPerVersion,
      maxIsolatesPerClient,
      census: new IsolateCensus(maxIsolates),
      maxTimers: positiveInteger('maxTimers', options.maxTimers ?? ENGINE_DEFAULTS.maxTimers, 0),
      maxTimersPerIsolate: positiveInteger(
        'maxTimersPerIsolate',
        options.maxTimersPerIsolate ?? ENGINE_DEFAULTS.maxTimersPerIsolate,
        0,
      ),
      maxFetches: positiveInteger('maxFetches', options.maxFetches ?? ENGINE_DEFAULTS.maxFetches, 0),
      maxFetchesPerIsolate: positiveInteger(
        'maxFetchesPerIsolate',
        options.maxFetchesPerIsolate ?? ENGINE_DEFAULTS.maxFetchesPerIsolate,
        0,
      ),
      maxCryptoMs: positiveInteger('maxCryptoMs', options.maxCryptoMs ?? ENGINE_DEFAULTS.maxCryptoMs, 0),
      chainTimeoutMs,
      syncSliceMs,
      host: options.host,
      ...(options.onBatch && { onBatch: options.onBatch }),
      ...(options.onLoad && { onLoad: options.onLoad }),
      ...(options.onStuck && { onStuck: options.onStuck }),
    };
    this.#build = {
      maxLogBytes,
      maxIsolatesPerVersion: 1,
      maxIsolatesPerClient: 1,
      maxTimers: sandbox.maxTimers,
      maxTimersPerIsolate: sandbox.maxTimersPerIsolate,
      maxFetches: sandbox.maxFetches,
      maxFetchesPerIsolate: sandbox.maxFetchesPerIsolate,
      maxCryptoMs: sandbox.maxCryptoMs,
      chainTimeoutMs,
      syncSliceMs,
    };
    this.#pool = new IsolatePool(sandbox, {
      ...(options.crashGuard && { guard: options.crashGuard }),
      ...(options.testCrash && { testCrash: options.testCrash }),
    });
  }

  get hasBindings(): boolean {
    return this.#chain.length > 0;
  }

  setBindings(chain: DeployedAction[]): void {
    if (this.#closed) throw new Error('The trigger engine is closed');
    chain.forEach(checkAction);
    this.#chain = this.#pool.sync(chain);
  }

  run(request: TriggerRequest): Promise<ChainResult> {
    return this.#guard(this.#chain, request);
  }

  async test(action: DeployedAction, request: TriggerRequest): Promise<ChainResult> {
    checkAction(action);
    const isolate = this.#pool.standalone(action);
    try {
      return await this.#guard([{ action, isolate }], request);
    } finally {
      isolate.retire();
    }
  }

  build(source: ActionSource): Promise<BuiltAction> {
    return buildAction(source, this.#build);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#chain = [];
    this.#pool.close();
  }

  async #guard(chain: readonly ChainLink[], request: TriggerRequest): Promise<ChainResult> {
    if (this.#closed)
      return {
        denial: { error: 'server_error', description: 'The trigger engine is closed.' },
        claims: {},
        scopes: [],
        results: [],
      };
    try {
      return await runChain(chain, request, this.#settings);
    } catch {
      // runChain does not throw by design; this keeps the "never throws" promise if a bug says otherwise.
      return {
        denial: { error: 'server_error', description: 'A token trigger failed.' },
        claims: {},
        scopes: [],
        results: [],
      };
    }
  }
}

/** Creates the isolate-backed {@link TriggerEngine}. */
export function createTriggerEngine(options: TriggerEngineOptions): TriggerEngine {
  return new IsolatedTriggerEngine(options);
}
