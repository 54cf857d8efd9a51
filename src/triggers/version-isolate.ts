/**
 * One deployed action version and the isolates that run it.
 *
 * A version keeps one warm isolate (created on deploy, or lazily) and sends every request to it while it is idle. A
 * request that arrives while every isolate is busy gets another isolate, up to `maxIsolatesPerVersion`: a request
 * stuck in a loop then cannot hold up the others, and CPU-bound actions use more than one core. Extra isolates are
 * disposed after {@link EXTRA_IDLE_MS} without work.
 *
 * Budgets: isolated-vm's `timeout` stops synchronous code (and the microtasks of the same turn); a deadline timer
 * covers the rest (a promise that never settles, a loop after a host callback). A timed-out isolate is *retired*: no
 * new work, and disposed as soon as no live request uses it, which stops whatever still runs; the next request
 * creates a fresh one. Before that, the stopped call's console is read back (`drain`), so a timeout still shows what
 * the action printed. An out-of-memory isolate is disposed by isolated-vm itself and replaced the same way (its
 * console is lost with it).
 *
 * Synchronous fast path: an idle isolate with no host I/O out is called with `applySync` on the main
 * thread, limited to a slice of `syncSliceMs` (isolated-vm's `timeout`, which also covers the microtasks that
 * follow). An action that only computes finishes inside the slice: no thread switch, ~15 µs of overhead instead of
 * ~70 µs plus two context switches per call. One that awaits I/O returns a pending promise and finishes on the
 * isolate's thread as before; the isolate is then called asynchronously until, after a call, a probe (`quiet()`, run
 * on the isolate's thread behind anything queued there) finds no I/O out — so an action that fetches only on a cache
 * miss is back on the fast path once the fetch is answered (see `Instance.hostIo`). One that outruns
 * the slice is stopped, its isolate retired, and the request runs again from the start within what is left of its
 * budget. An action that spends most of its slice on CPU (not merely preempted by the OS, or caught by a GC pause)
 * {@link SLOW_AFTER_OVERRUNS} times in a
 * row is slow: the version then runs asynchronously for {@link SLOW_PAUSE_MS}. So a loop costs other requests three
 * slices of main thread at most, and legitimately heavy code still gets the whole budget — at the price of running
 * again (side effects before a slice ended, like a cache write or a fetch, happen again).
 * Kinde workflows that declare `kinde.fetch` block their isolate on the host (`applySyncPromise`), which only works
 * off the main thread: they always run asynchronously.
 *
 * Batches: on the synchronous path, the requests that reach a version during one turn of the event loop wait for
 * `setImmediate` (the same turn's check phase, after the sockets were read) and run in one `applySync` of `runAll`,
 * one after another, each starting once the one before has settled — so each still runs alone, as with `run`. Every
 * call with a `timeout` makes isolated-vm wake a timer thread once, which on a loaded core costs two context switches
 * and ~25 µs; a batch pays that, and the call's own overhead, once. `collect()` then reads what the batch made. A
 * request left waiting (for host I/O, or for ever) closes the batch: it is awaited with `waitFor(q)` off the main
 * thread, and the requests after it run alone, so none is held up by another's I/O. A batch is sized to fill
 * {@link BATCH_SLICE_SHARE} of the slice at the version's CPU time per request so far. When a batch outruns the slice,
 * the records it made stand (those requests do not run again) and the rest run alone, the one that ran out first as
 * above; when its isolate dies (out of memory), all of them run again alone, where the culprit meets its own failure.
 */
import type { DeployedAction } from './contract.js';
import { DeadlineWatch } from './deadline-watch.js';
import {
  createInstance,
  failure,
  fingerprint,
  messageOf,
  SYNC_TIMEOUT_MESSAGE,
  type Instance,
  type SandboxFailure,
  type SandboxOptions,
} from './isolate-factory.js';

export type { SandboxFailure, SandboxOptions } from './isolate-factory.js';
export type InvokeOutcome = { kind: 'record'; record: string } | SandboxFailure;

/** How long an extra isolate may stay idle before it is disposed, in ms. */
export const EXTRA_IDLE_MS = 30_000;
/** How long a version that keeps outrunning its synchronous slice runs asynchronously only, in ms. */
export const SLOW_PAUSE_MS = 60_000;
/** Consecutive slices spent on CPU that make a version slow (one alone may be a GC pause or a cold path). */
export const SLOW_AFTER_OVERRUNS = 3;
/** How long a stopped call's console is waited for, in ms (see `#withConsole`). */
export const DRAIN_WAIT_MS = 50;
/** isolated-vm timeout of the `quiet()` probe, in ms: it only reads a counter. */
const PROBE_TIMEOUT_MS = 100;

/** The size of a version's first batch, before its CPU time per request is known. */
const FIRST_BATCH = 16;
/** The most requests one batch takes. */
const MAX_BATCH = 256;
/** The share of the synchronous slice a batch is sized to fill, by the version's CPU time per request. */
const BATCH_SLICE_SHARE = 0.25;

/** A request waiting for its batch. */
interface Queued {
  payload: string;
  deadline: number;
  resolve: (outcome: InvokeOutcome) => void;
}

const TIMED_OUT = Symbol('timed out');
/** The synchronous slice ran out before the action finished. */
const SLICE_SPENT = Symbol('slice spent');
/** Deadlines of every in-flight call of every isolate. */
const DEADLINES = new DeadlineWatch();
/** What {@link raceDeadline} answers when the request's own deadline comes first. */
const OWN_DEADLINE: SandboxFailure = Object.freeze(failure('timeout', 'The action did not load in time'));
/** What a request gets when its chain's budget is spent before its action could be called. */
const OUT_OF_TIME: SandboxFailure = Object.freeze(failure('timeout', 'The trigger chain ran out of time'));

/** The isolates of one deployed action version. */
export class VersionIsolate {
  readonly action: DeployedAction;
  readonly fingerprint: string;
  readonly #options: SandboxOptions;
  /** Ready isolates, the warm one first. */
  #instances: Instance[] = [];
  #creating: Promise<Instance | SandboxFailure> | undefined;
  #loadFailure: SandboxFailure | undefined;
  #retired = false;
  #reaper: NodeJS.Timeout | undefined;
  /** Whether this version may ever run on the synchronous path. */
  readonly #syncCapable: boolean;
  /** `performance.now()` before which calls stay asynchronous (the version kept outrunning its slice). */
  #asyncUntil = 0;
  /** Slices spent on CPU in a row. */
  #overruns = 0;
  /** Calls made so far: each call's number `q`, unique within the version (a batch takes one per request). */
  #calls = 0;
  /** Requests for the batch of this turn (see "Batches"), run from `setImmediate`. */
  #queued: Queued[] = [];
  /** CPU time per request of this version's batches, in ms (a moving average; 0 before the first): sizes the next. */
  #requestMs = 0;

  constructor(action: DeployedAction, options: SandboxOptions) {
    this.action = action;
    this.fingerprint = fingerprint(action);
    this.#options = options;
    const bindings = action.bindings ?? [];
    this.#syncCapable = options.syncSliceMs > 0 && !bindings.includes('kinde.fetch') && !bindings.includes('kinde.secureFetch');
  }

  /**
   * Creates the warm isolate ahead of the first request (errors surface on that request). Resolves once that
   * creation has settled, either way (the crash guard waits for it); never rejects.
   */
  prewarm(budgetMs: number): Promise<void> {
    // Created, not reserved: the warm isolate is nobody's until a request takes it.
    if (this.#instances.length === 0 && this.#creating === undefined) this.#startCreation(performance.now() + budgetMs);
    return this.#creating === undefined ? Promise.resolve() : this.#creating.then(() => undefined, () => undefined);
  }

  /**
   * Runs one request; `deadline` is a `performance.now()` time. Never throws. A version that may run synchronously
   * takes it into the batch that runs once this turn of the event loop has read what the sockets had.
   */
  invoke(payload: string, deadline: number): Promise<InvokeOutcome> {
    if (!this.#syncCapable || performance.now() < this.#asyncUntil) return this.#invokeOne(payload, deadline);
    return new Promise((resolve) => {
      if (this.#queued.push({ payload, deadline, resolve }) === 1) setImmediate(this.#flush);
    });
  }

  /** Runs one request in a call of its own. */
  async #invokeOne(payload: string, deadline: number): Promise<InvokeOutcome> {
    const ready = this.#idle() ?? this.#syncReady();
    const instance = ready !== undefined ? this.#reserve(ready) : await this.#acquire(deadline);
    if ('kind' in instance) return instance;
    const outcome = await this.#call(instance, payload, deadline, this.#mayRunSync(instance));
    // The slice ran out: the isolate is retired; run the request again within its own budget.
    return outcome === SLICE_SPENT ? this.#invokeOne(payload, deadline) : outcome;
  }

  /** {@link #invokeOne} for a request a batch hands back, settling its promise. */
  #alone(request: Queued): void {
    void this.#invokeOne(request.payload, request.deadline).then(request.resolve);
  }

  /**
   * Runs the requests queued since the last turn: in batches sized to fill a share of the slice, while an isolate may
   * run synchronously; the rest (none may, or the version turned slow) one call each.
   */
  readonly #flush = (): void => {
    const queued = this.#queued;
    this.#queued = [];
    let next = 0;
    while (next < queued.length) {
      const instance = performance.now() < this.#asyncUntil ? undefined : this.#syncReady();
      if (instance === undefined) break;
      const size = this.#requestMs > 0 ? Math.floor((this.#options.syncSliceMs * BATCH_SLICE_SHARE) / this.#requestMs) : FIRST_BATCH;
      const batch = queued.slice(next, next + Math.min(MAX_BATCH, Math.max(1, size)));
      next += batch.length;
      this.#reserve(instance);
      try {
        this.#runBatch(instance, batch);
      } finally {
        this.#release(instance);
      }
    }
    for (const request of queued.slice(next)) this.#alone(request);
  };

  /**
   * One batch on `instance`, synchronously: `runAll` within one slice, then `collect`. A record settles its request;
   * one left waiting is awaited with `waitFor(q)` off the main thread; one not started runs alone. When the slice
   * runs out, the records already made still count, the isolate is retired and the rest run alone (the one that
   * outran the slice from the start, as in {@link #call}); when the isolate dies, every request runs again alone.
   */
  #runBatch(instance: Instance, batch: Queued[]): void {
    const now = performance.now();
    const live: Queued[] = [];
    for (const request of batch) {
      if (request.deadline > now) live.push(request);
      else request.resolve(OUT_OF_TIME);
    }
    if (live.length === 0) return;
    const payloads = live.map((request) => `{"q":${++this.#calls},${request.payload.slice(1)}`);
    const firstQ = this.#calls - live.length + 1;
    const slice = Math.min(this.#options.syncSliceMs, Math.ceil(Math.min(...live.map((request) => request.deadline)) - now));
    const cpuBefore = instance.isolate.isDisposed ? 0n : instance.isolate.cpuTime;
    let overran = false;
    try {
      instance.batchRunner.applySync(undefined, [`[${payloads.join(',')}]`], { timeout: slice });
    } catch (error) {
      if (messageOf(error) !== SYNC_TIMEOUT_MESSAGE || instance.isolate.isDisposed) {
        this.#classify(instance, error);
        for (const request of live) this.#alone(request);
        return;
      }
      overran = true;
      this.#retireInstance(instance);
    }
    let lines: string[] = [];
    try {
      // Our own code, after isolated-vm has run the microtasks: no timer needed, unless a stopped batch left any.
      const collected = instance.collector.applySync(undefined, [], overran ? { timeout: DRAIN_WAIT_MS } : {});
      if (typeof collected === 'string') lines = collected.split('\n');
    } catch {
      // Nothing collected: every request runs again alone.
    }
    this.#options.onBatch?.(live.length);
    const cpuMs = instance.isolate.isDisposed ? 0 : Number(instance.isolate.cpuTime - cpuBefore) / 1e6;
    this.#requestMs = this.#requestMs === 0 ? cpuMs / live.length : this.#requestMs * 0.8 + (cpuMs / live.length) * 0.2;
    if (overran) this.#overran(cpuMs, slice);
    else this.#overruns = 0;
    live.forEach((request, i) => {
      const line = lines[i];
      if (line === 'P' && !overran) {
        this.#reserve(instance);
        void this.#call(instance, request.payload, request.deadline, false, firstQ + i).then((outcome) =>
          outcome === SLICE_SPENT ? this.#alone(request) : request.resolve(outcome),
        );
      } else if (line === undefined || !line.startsWith('{')) {
        this.#alone(request);
      } else {
        if (ioOutAfter(line)) this.#hostIoStarted(instance);
        request.resolve({ kind: 'record', record: line });
      }
    });
  }

  /** No new work for this version: its isolates are disposed once their live requests end. */
  retire(): void {
    this.#retired = true;
    this.#stopReaper();
    for (const instance of this.#instances) this.#retireInstance(instance);
  }

  /** Disposes every isolate at once, stopping anything still running. */
  close(): void {
    this.#retired = true;
    this.#stopReaper();
    for (const instance of this.#instances) {
      instance.retired = true;
      this.#dispose(instance);
    }
    this.#instances = [];
  }

  /**
   * Synchronous only on an isolate with no asynchronous call in flight and whose code never started host I/O:
   * nothing can be running on it, so `applySync` cannot wait for a lock held by another thread. (Other synchronous
   * requests may still count as live between `applySync` and their next microtask; they do not hold the isolate.)
   */
  #mayRunSync(instance: Instance): boolean {
    return this.#syncCapable && instance.asyncLive === 0 && !instance.hostIo.started && performance.now() >= this.#asyncUntil;
  }

  /** An isolate that may run this request synchronously although it counts as live, if any. */
  #syncReady(): Instance | undefined {
    for (const instance of this.#instances) if (this.#mayRunSync(instance)) return instance;
    return undefined;
  }

  #idle(): Instance | undefined {
    for (const instance of this.#instances) if (instance.live === 0) return instance;
    return undefined;
  }

  /**
   * Marks an isolate taken by a request, synchronously where it is chosen: two requests resuming in the same tick
   * must not both see it idle.
   */
  #reserve(instance: Instance): Instance {
    instance.live++;
    return instance;
  }

  /** An isolate for a request when none is idle: a new one if allowed, else the least busy. */
  async #acquire(deadline: number): Promise<Instance | SandboxFailure> {
    for (;;) {
      if (this.#loadFailure !== undefined) return this.#loadFailure;
      const idle = this.#idle();
      if (idle !== undefined) return this.#reserve(idle);
      if (this.#creating === undefined && this.#instances.length >= Math.max(1, this.#options.maxIsolatesPerVersion)) {
        return this.#reserve(this.#instances.reduce((a, b) => (b.live < a.live ? b : a)));
      }
      const result = await raceDeadline(this.#creating ?? this.#startCreation(deadline), deadline);
      // A creation started for another request ran out of that request's budget: this request tries again within
      // its own. Our own deadline, and every other failure, is final.
      if (result !== OWN_DEADLINE && 'kind' in result && result.status === 'timeout' && performance.now() < deadline) continue;
      // Several requests may wait for one creation: the first to wake takes it; the others look again (an idle
      // isolate, another creation, or the least busy at the cap), so a request never shares a busy isolate needlessly.
      if ('kind' in result) return result;
      if (result.live > 0 && performance.now() < deadline) continue;
      return this.#reserve(result);
    }
  }

  #startCreation(deadline: number): Promise<Instance | SandboxFailure> {
    const started = createInstance(this.action, this.#options, deadline);
    this.#creating = started;
    void started.then((result) => this.#created(started, result));
    return started;
  }

  #created(creating: Promise<Instance | SandboxFailure>, result: Instance | SandboxFailure): void {
    if (this.#creating === creating) this.#creating = undefined;
    if ('kind' in result) {
      if (result.status === 'compile') this.#loadFailure = result;
      return;
    }
    if (this.#retired) {
      // Retired while it was being created: serve the requests already waiting for it, then dispose.
      result.retired = true;
      setImmediate(() => this.#disposeIfIdle(result));
      return;
    }
    this.#instances.push(result);
    if (this.#instances.length > 1 && this.#reaper === undefined) {
      this.#reaper = setInterval(() => this.#reap(), EXTRA_IDLE_MS / 2).unref();
    }
  }

  /**
   * Runs `payload` on `instance`, synchronously or not; or, given `waiting` (the call number of a request a batch
   * left waiting), awaits that request's record with `waitFor` instead.
   */
  async #call(instance: Instance, payload: string, deadline: number, sync: boolean, waiting?: number): Promise<InvokeOutcome | typeof SLICE_SPENT> {
    const remaining = deadline - performance.now();
    // The call number lets drain() find this call's console if it has to be stopped.
    const q = waiting ?? ++this.#calls;
    const [entry, argument] = waiting === undefined ? [instance.runner, `{"q":${q},${payload.slice(1)}`] : [instance.waiter, q];
    const slice = sync ? Math.min(this.#options.syncSliceMs, Math.ceil(remaining)) : 0;
    const cpuBefore = sync && !instance.isolate.isDisposed ? instance.isolate.cpuTime : 0n;
    if (!sync) instance.asyncLive++;
    try {
      if (remaining <= 0) return OUT_OF_TIME;
      const result = await new Promise<unknown>((resolve, reject) => {
        let unwatch: (() => void) | undefined;
        const settle = (error: unknown, value?: unknown) => {
          unwatch?.();
          if (error === undefined) resolve(value);
          else reject(error);
        };
        try {
          const started = sync
            ? entry.applySync(undefined, [argument], { timeout: slice, result: { promise: true, copy: true } })
            : entry.apply(undefined, [argument], { timeout: Math.ceil(remaining), result: { promise: true, copy: true } });
          unwatch = DEADLINES.watch(deadline, () => resolve(TIMED_OUT));
          (started as Promise<unknown>).then((value) => settle(undefined, value), settle);
        } catch (error) {
          settle(error);
        }
      });
      if (result === TIMED_OUT) {
        this.#retireInstance(instance);
        return await this.#withConsole(instance, q, failure('timeout', 'The action did not finish in time'));
      }
      if (sync) this.#overruns = 0;
      if (typeof result !== 'string') return failure('runtime', 'The action returned no record');
      // A call that left host I/O out (a timer, an unawaited fetch) makes the isolate asynchronous at once: the host
      // may not have seen that I/O start yet, and its continuation will run on the isolate's thread.
      if (ioOutAfter(result)) this.#hostIoStarted(instance);
      return { kind: 'record', record: result };
    } catch (error) {
      if (sync && slice < remaining && messageOf(error) === SYNC_TIMEOUT_MESSAGE && !instance.isolate.isDisposed) {
        this.#retireInstance(instance);
        this.#overran(Number(instance.isolate.cpuTime - cpuBefore) / 1e6, slice);
        return SLICE_SPENT;
      }
      const failed = this.#classify(instance, error);
      return failed.status === 'timeout' ? await this.#withConsole(instance, q, failed) : failed;
    } finally {
      if (!sync) instance.asyncLive--;
      this.#release(instance);
      if (!sync) this.#probeQuiet(instance);
    }
  }

  /**
   * Counts a slice that ran out. The slice is wall time: a thread preempted by the OS can spend it without running
   * much. Only an action that used most of it on CPU is slow; the version then runs asynchronously for a while.
   */
  #overran(cpuMs: number, slice: number): void {
    if (cpuMs >= slice / 2 && ++this.#overruns >= SLOW_AFTER_OVERRUNS) {
      this.#overruns = 0;
      this.#asyncUntil = performance.now() + SLOW_PAUSE_MS;
    }
  }

  #hostIoStarted(instance: Instance): void {
    instance.hostIo.started = true;
    instance.hostIo.generation++;
  }

  /**
   * Clears `hostIo.started` when the isolate can take synchronous calls again: no call running and, asked on its own
   * thread (so behind any continuation still queued there), no host I/O out, none started while the probe ran.
   */
  #probeQuiet(instance: Instance): void {
    if (!this.#syncCapable || !instance.hostIo.started || instance.asyncLive > 0 || instance.retired || instance.isolate.isDisposed) return;
    const generation = instance.hostIo.generation;
    instance.asyncLive++;
    instance.quieter.apply(undefined, [], { timeout: PROBE_TIMEOUT_MS }).then(
      (quiet: unknown) => {
        instance.asyncLive--;
        if (quiet === true && instance.asyncLive === 0 && instance.hostIo.generation === generation) instance.hostIo.started = false;
      },
      () => instance.asyncLive--,
    );
  }

  /**
   * A stopped call's failure with its console until then, read with `drain(q)`, so that the execution record shows
   * what a looping or hanging action printed. The isolate is idle after isolated-vm's timeout or a promise that never
   * settled; one still busy (a loop in a timer callback) gets {@link DRAIN_WAIT_MS} before the failure goes without.
   */
  async #withConsole(instance: Instance, q: number, failed: SandboxFailure): Promise<SandboxFailure> {
    if (instance.isolate.isDisposed) return failed;
    const read = instance.drainer.apply(undefined, [q], { timeout: DRAIN_WAIT_MS }).then(
      (json: unknown) => (typeof json === 'string' ? json : undefined),
      () => undefined,
    );
    const json = await within(read, DRAIN_WAIT_MS, undefined);
    return json === undefined ? failed : { ...failed, console: json };
  }

  /** Ends a reservation made by {@link #reserve}. */
  #release(instance: Instance): void {
    if (--instance.live === 0) instance.idleSince = performance.now();
    this.#disposeIfIdle(instance);
  }

  #classify(instance: Instance, error: unknown): SandboxFailure {
    if (instance.isolate.isDisposed && !instance.disposedByUs) {
      this.#retireInstance(instance);
      return failure('oom', 'The action ran out of memory');
    }
    if (messageOf(error) === SYNC_TIMEOUT_MESSAGE) {
      this.#retireInstance(instance);
      return failure('timeout', 'The action did not finish in time');
    }
    if (instance.disposedByUs) return failure('runtime', 'The action was stopped');
    return failure('runtime', messageOf(error));
  }

  #retireInstance(instance: Instance): void {
    instance.retired = true;
    this.#instances = this.#instances.filter((i) => i !== instance);
    this.#disposeIfIdle(instance);
  }

  #disposeIfIdle(instance: Instance): void {
    if (instance.retired && instance.live === 0) this.#dispose(instance);
  }

  #dispose(instance: Instance): void {
    if (instance.isolate.isDisposed) return;
    instance.disposedByUs = true;
    instance.isolate.dispose();
  }

  /** Disposes extra isolates idle for {@link EXTRA_IDLE_MS}; the warm one (first) stays. */
  #reap(): void {
    const now = performance.now();
    for (const instance of this.#instances.slice(1)) {
      if (instance.live === 0 && now - instance.idleSince >= EXTRA_IDLE_MS) this.#retireInstance(instance);
    }
    if (this.#instances.length <= 1) this.#stopReaper();
  }

  #stopReaper(): void {
    if (this.#reaper !== undefined) clearInterval(this.#reaper);
    this.#reaper = undefined;
  }
}

/** Whether a record says host I/O was still out when its call ended: sandbox-core's finish() writes `{"io":N,…`. */
const ioOutAfter = (record: string) => !record.startsWith('{"io":0,');

/** The creation result, or {@link OWN_DEADLINE} if the deadline comes first (creation goes on in the background). */
function raceDeadline(creating: Promise<Instance | SandboxFailure>, deadline: number): Promise<Instance | SandboxFailure> {
  const remaining = deadline - performance.now();
  return remaining <= 0 ? Promise.resolve(OWN_DEADLINE) : within(creating, remaining, OWN_DEADLINE);
}

/** What `promise` settles to within `ms`, else `fallback` (the promise goes on unobserved). */
async function within<T, F>(promise: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<F>((resolve) => {
    timer = setTimeout(resolve, ms, fallback);
  });
  try {
    return await Promise.race([promise, expiry]);
  } finally {
    clearTimeout(timer);
  }
}
