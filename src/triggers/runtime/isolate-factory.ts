/**
 * Creating one isolate for a deployed action version: context, sandbox program, action module, entry point.
 *
 * Everything that depends only on the version is done here once: the sandbox program and the action's code are
 * compiled and evaluated, and the entry points (`run(payload)`, the batch's `runAll`, `collect` and `waitFor`,
 * `drain(q)`, `quiet()`, `fireTimers()`) are kept as References. Top-level code runs within the caller's budget
 * (isolated-vm `timeout`), inside the memory limit.
 */
import { createHash } from 'node:crypto';
import ivm from 'isolated-vm';
import type { DeployedAction, HostServices } from '../contract.js';
import { hostReferences, IsolateAlarm, type HostIo } from './host-bridge.js';
import type { IsolateCensus } from './isolate-census.js';
import { PLATFORM, sandboxConfig, sandboxProgram, wrapModule, type Platform } from '../sandbox/bootstrap.js';

/** How a sandbox call ended without a record. */
export interface SandboxFailure {
  kind: 'failed';
  status: 'timeout' | 'oom' | 'runtime' | 'compile';
  message: string;
  /** A stopped call's console until then: the JSON `drain(q)` answered (untrusted, parsed by sandbox/record.ts). */
  console?: string;
}

export interface SandboxOptions {
  /** V8 heap limit per isolate, in MB. */
  memoryLimitMb: number;
  /** Console bound per action, in bytes. */
  maxLogBytes: number;
  /** Isolates one version may run at once when requests overlap (the first stays warm, the others are reaped). */
  maxIsolatesPerVersion: number;
  /** Isolates of one version one client's requests may hold at once (see docs/trigger-runtime.md, "Fairness"). */
  maxIsolatesPerClient: number;
  /** Isolates of every version together, against MINTER_ACTIONS_MAX_ISOLATES. */
  census: IsolateCensus;
  /** Timers pending per invocation, and per isolate. */
  maxTimers: number;
  maxTimersPerIsolate: number;
  /** Fetches out per invocation, and per isolate (all its invocations together). */
  maxFetches: number;
  maxFetchesPerIsolate: number;
  /** Host time one invocation's Node `crypto` calls may take together, in ms (counted in the isolate). */
  maxCryptoMs: number;
  /** The chain budget, in ms: the longest an action timer may wait. */
  chainTimeoutMs: number;
  /**
   * How long an action may run synchronously on the main thread, in ms (0: never). Within this slice a call costs
   * ~15 µs instead of ~70 µs plus two thread switches; past it the call is stopped and run again off the main thread.
   */
  syncSliceMs: number;
  host: HostServices;
  /** Told the number of requests each batch ran. */
  onBatch?: (requests: number) => void;
  /** Told when an isolate of a version starts and ends loading. */
  onLoad?: (versionId: string, phase: 'start' | 'end') => void;
  /** Told when a stopped call's thread did not come back (see VersionIsolate). */
  onStuck?: (versionId: string) => void;
}

/** One live isolate of a version. */
export interface Instance {
  isolate: ivm.Isolate;
  /** `run(payload)`: one request, answering its record. */
  runner: ivm.Reference;
  /** `runAll(payloads)`: starts a batch of requests, one after another (see docs/trigger-runtime.md, "Batches"). */
  batchRunner: ivm.Reference;
  /** `collect()`: the batch's lines — a record, `P` (waiting) or `N` (not started) per request — and closes it. */
  collector: ivm.Reference;
  /** `waitFor(q)`: the record of a batched request `collect` reported waiting. */
  waiter: ivm.Reference;
  /** `drain(q)`: the console of call `q` after the host stopped it, as JSON (null once the call ended). */
  drainer: ivm.Reference;
  /** `quiet()`: true when no host I/O is out, so nothing can resume on the isolate's thread unasked. */
  quieter: ivm.Reference;
  /** The host's one timer for the isolate's timers; rings into `fireTimers()`. */
  alarm: IsolateAlarm;
  /** Requests whose answer is still awaited. */
  live: number;
  /** Of those, the ones called asynchronously: while any is in flight the isolate may be running on its own thread. */
  asyncLive: number;
  /** The client whose calls hold the isolate (see docs/trigger-runtime.md, "Fairness"), and how many of them. */
  holder: string | undefined;
  holds: number;
  /** `performance.now()` and `isolate.cpuTime` when a call on it last ended, or it was taken: tells a stuck one. */
  progressAt: number;
  progressCpu: bigint;
  /**
   * The last call to end left host I/O out (`io` > 0 in its record): once no call is live, what comes back runs code
   * no request owns, so the isolate takes no request until a probe finds it quiet.
   */
  ioLeftOut: boolean;
  /** Takes no new requests; disposed once `live` is 0. */
  retired: boolean;
  disposedByUs: boolean;
  /** Still counted by the census (until disposed). */
  counted: boolean;
  /** Why the host stopped it while requests were live on it: their failure. */
  stoppedFor?: SandboxFailure;
  /** `performance.now()` when `live` last dropped to 0. */
  idleSince: number;
  /**
   * `started` is set when the isolate's code starts host I/O (fetch, a timer): a continuation may then run on the
   * isolate's own thread at any time, and a synchronous call would block the main thread until it ends, so the
   * isolate is called asynchronously. It is cleared once a probe finds no host I/O out and no call running (see
   * VersionIsolate). `generation` counts host I/O starts, so a probe can tell whether any began meanwhile.
   */
  hostIo: HostIo;
}

/** isolated-vm's message when `timeout` stops synchronous code. */
export const SYNC_TIMEOUT_MESSAGE = 'Script execution timed out.';

export const failure = (status: SandboxFailure['status'], message: string): SandboxFailure => ({
  kind: 'failed',
  status,
  message,
});
export const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
/** `SyntaxError: Unexpected token …` — the operator needs the kind of error as much as its text. */
const describe = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

/** A load failure that will not change on retry (syntax error, missing export, throwing top level). */
class LoadFailure extends Error {}

/** Identity of what runs: a redeploy that changes code, secrets or settings under one version id gets new isolates. */
export function fingerprint(action: DeployedAction): string {
  return createHash('sha256')
    .update(
      JSON.stringify([
        action.versionId,
        action.triggerId,
        action.code,
        action.secrets,
        action.plainSecrets ?? [],
        action.bindings ?? [],
        action.failurePolicy ?? null,
      ]),
    )
    .digest('base64url');
}

/** V8 code cache of the sandbox program per platform (our code, never the action's): compiles in ~0.3 ms, not ~2.5. */
const programCache = new Map<Platform, ivm.ExternalCopy<ArrayBuffer>>();

async function compileProgram(isolate: ivm.Isolate, platform: Platform): Promise<ivm.Script> {
  const cachedData = programCache.get(platform);
  const script = await isolate.compileScript(sandboxProgram(platform), {
    filename: 'minter:sandbox.js',
    ...(cachedData === undefined ? { produceCachedData: true } : { cachedData, produceCachedData: true }),
  });
  const produced = (script as ivm.Script & ivm.CachedDataResult).cachedData;
  if (produced !== undefined) programCache.set(platform, produced);
  return script;
}

/**
 * Creates and loads an isolate for `action`; `deadline` (a `performance.now()` time) bounds the top-level code.
 * A `compile` failure is final for the version; the others may succeed on a later try.
 */
export async function createInstance(
  action: DeployedAction,
  options: SandboxOptions,
  deadline: number,
): Promise<Instance | SandboxFailure> {
  if (options.onLoad === undefined) return load(action, options, deadline);
  options.onLoad(action.versionId, 'start');
  try {
    return await load(action, options, deadline);
  } finally {
    options.onLoad(action.versionId, 'end');
  }
}

async function load(
  action: DeployedAction,
  options: SandboxOptions,
  deadline: number,
): Promise<Instance | SandboxFailure> {
  const isolate = new ivm.Isolate({ memoryLimit: options.memoryLimitMb });
  const hostIo: HostIo = { started: false, generation: 0 };
  const alarm = new IsolateAlarm(options.chainTimeoutMs);
  const budget = () => Math.max(1, Math.ceil(deadline - performance.now()));
  try {
    const context = await isolate.createContext();
    const platform = PLATFORM[action.triggerId];
    const program = await compileProgram(isolate, platform);
    const boot = await program.run(context, { reference: true, timeout: budget() });
    const caps = {
      maxLogBytes: options.maxLogBytes,
      maxTimers: options.maxTimers,
      maxIsolateTimers: options.maxTimersPerIsolate,
      maxFetches: options.maxFetches,
      maxCryptoMs: options.maxCryptoMs,
    };
    const config = sandboxConfig(platform, action.secrets, action.bindings ?? [], caps, action.plainSecrets);
    const references = hostReferences(
      action.actionId,
      options.host,
      hostIo,
      { maxFetches: options.maxFetchesPerIsolate },
      alarm,
    );
    const load = await boot.apply(undefined, [...references, JSON.stringify(config)], {
      result: { reference: true },
      timeout: budget(),
    });
    let script: ivm.Script;
    try {
      script = await isolate.compileScript(wrapModule(action.code), { filename: `${action.name}.js` });
    } catch (error) {
      throw new LoadFailure(describe(error));
    }
    const factory = await script.run(context, { reference: true, timeout: budget() });
    // A throwing top level answers `Name: message` (see sandbox/program/load.ts); only a timeout or the memory limit throw.
    const entry: ivm.Reference = await load.apply(undefined, [factory.derefInto()], {
      result: { reference: true },
      timeout: budget(),
    });
    if (entry.typeof === 'string') throw new LoadFailure(String(await entry.copy()));
    const reference = async (name: string) => (await entry.get(name, { reference: true })) as ivm.Reference;
    const entries = {
      runner: await reference('run'),
      batchRunner: await reference('runAll'),
      collector: await reference('collect'),
      waiter: await reference('waitFor'),
      drainer: await reference('drain'),
      quieter: await reference('quiet'),
    };
    const timerFirer = await reference('fireTimers');
    // A timer callback belongs to a live invocation, whose deadline stops a loop in it; this timeout is a backstop.
    // fireTimers() answers the ms until the next timer (0: none), the next ring.
    alarm.onRing = () => {
      if (isolate.isDisposed) return;
      timerFirer.apply(undefined, [], { timeout: options.chainTimeoutMs, result: { promise: true, copy: true } }).then(
        (nextMs: unknown) => {
          if (!isolate.isDisposed) alarm.rearm(nextMs);
        },
        () => {},
      );
    };
    for (const handle of [program, boot, load, script, factory, entry]) handle.release();
    return {
      isolate,
      ...entries,
      alarm,
      live: 0,
      asyncLive: 0,
      holder: undefined,
      holds: 0,
      progressAt: performance.now(),
      progressCpu: 0n,
      ioLeftOut: false,
      retired: false,
      disposedByUs: false,
      counted: true,
      idleSince: performance.now(),
      hostIo,
    };
  } catch (error) {
    alarm.stop();
    const outOfMemory = isolate.isDisposed;
    if (!isolate.isDisposed) isolate.dispose();
    if (error instanceof LoadFailure) return failure('compile', error.message);
    if (outOfMemory) return failure('oom', 'The action ran out of memory while loading');
    if (messageOf(error) === SYNC_TIMEOUT_MESSAGE) return failure('timeout', 'The action did not load in time');
    return failure('runtime', messageOf(error));
  }
}
