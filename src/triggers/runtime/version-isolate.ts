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
 * the action printed. An isolate still spinning on CPU when its call times out is disposed at once instead, failing
 * the requests queued behind the loop (all of the same client, see "Fairness") rather than letting them wait for it.
 * An out-of-memory isolate is disposed by isolated-vm itself and replaced the same way (its console is lost with it).
 *
 * Synchronous fast path: an idle isolate with no host I/O out is called with `applySync` on the main
 * thread, limited to a slice of `syncSliceMs` (isolated-vm's `timeout`, which also covers the microtasks that
 * follow). An action that only computes finishes inside the slice: no thread switch, ~15 µs of overhead instead of
 * ~70 µs plus two context switches per call. One that awaits I/O returns a pending promise and finishes on the
 * isolate's thread as before; the isolate is then called asynchronously until, after a call, a probe (`quiet()`, run
 * on the isolate's thread behind anything queued there) finds no I/O out — so an action that fetches only on a cache
 * miss is back on the fast path once the fetch is answered (see `Instance.hostIo`). One that outruns
 * the slice is stopped, its isolate retired, and the request runs again from the start within what is left of its
 * budget. When the action spends most of its slice on CPU (not merely preempted by the OS, or caught by a GC pause)
 * three times in a row for one client's requests, that client is slow: its requests run asynchronously for a minute,
 * and the other clients keep the fast path (several clients slow at once make the whole version slow; see
 * slow-clients.ts). So a loop costs other requests three slices of main thread per client at most, and
 * legitimately heavy code still gets the whole budget — at the price of running again (side effects before a slice
 * ended, like a cache write or a fetch, happen again).
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
 *
 * Fairness: an isolate runs one thing at a time, so a request placed on an isolate that is stuck for another client
 * waits for that client's loop. A call in flight off the main thread (or a synchronous one still waiting) *holds* its
 * isolate for its client, and isolates are never shared between clients while held: a request takes an idle isolate,
 * a new one, or one its own client already holds. One client may hold at most `maxIsolatesPerClient` isolates of a
 * version (half of `maxIsolatesPerVersion`, rounded up); its requests past that go to one of its own isolates that is
 * not stuck (its calls await I/O, so they interleave there), or wait until one is, within their own deadline — so a
 * client's stuck requests delay only that client, and only until the loop is stopped. A
 * client that holds none gets a new isolate even past `maxIsolatesPerVersion`, up to the engine-wide
 * `MINTER_ACTIONS_MAX_ISOLATES` (isolate-census.ts); past that it waits for one to free up, within its deadline.
 * Host I/O still out when the last call on an isolate ended (an unawaited fetch) would resume code no request owns,
 * so such an isolate takes no request until a probe finds it quiet; a probe that cannot run because that code spins
 * on CPU disposes the isolate.
 */
import type { DeployedAction } from '../contract.js';
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
import { ClientHolds, spinning } from './client-holds.js';
import { SlowClients } from './slow-clients.js';

export type { SandboxFailure, SandboxOptions } from './isolate-factory.js';
export type InvokeOutcome = { kind: 'record'; record: string } | SandboxFailure;

/** How long an extra isolate may stay idle before it is disposed, in ms. */
export const EXTRA_IDLE_MS = 30_000;
/** isolated-vm timeout of `collect()` after a batch outran its slice, on the main thread, in ms: our own short code. */
export const DRAIN_WAIT_MS = 50;
/**
 * isolated-vm timeout of `drain(q)`, off the main thread, in ms: our own short code too (microseconds), but a machine
 * whose cores are all busy can take its thread away for longer than 50 ms, and the console was lost then.
 */
const DRAIN_TIMEOUT_MS = 500;
/** How long a call stopped at its deadline may take to give its thread back before it counts as stuck, in ms. */
export const STUCK_AFTER_MS = 2000;
/**
 * How long a stopped call's console is waited for, in ms (see `#withConsole`): off the main thread, long enough for
 * the isolate's thread to get a core on a loaded machine.
 */
const CONSOLE_WAIT_MS = 1000;
/**
 * An isolate still spinning when its call timed out, after the call started host I/O (a fetch, a timer), may be
 * looping in a continuation no isolated-vm timeout covers, which cannot answer until it is stopped: it is given this
 * long, in ms, to end, then stopped without its console. One that started no I/O is looping in code isolated-vm's own
 * timeout (the same deadline) ends, so it gets the whole {@link CONSOLE_WAIT_MS}: on a machine whose cores are all
 * busy, ending the loop and reading the console back can take most of it.
 */
const SPINNING_GRACE_MS = 250;
/** isolated-vm timeout of the `quiet()` probe, in ms: it only reads a counter. */
const PROBE_TIMEOUT_MS = 100;
/** How often an isolate whose last call left host I/O out is probed again until it is quiet, in ms. */
const PROBE_AGAIN_MS = 100;
/**
 * How long a probe of an isolate no call uses may wait behind code that runs on it, in ms, before that code (which no
 * request owns) is taken for a loop — if the isolate spent most of that time on CPU — and the isolate disposed.
 */
const ORPHAN_WAIT_MS = 1_000;
/** How often a request that found no isolate free and no room for one looks again, in ms. */
const ROOM_POLL_MS = 10;

/** The size of a version's first batch, before its CPU time per request is known. */
const FIRST_BATCH = 16;
/** The most requests one batch takes. */
const MAX_BATCH = 256;
/** The share of the synchronous slice a batch is sized to fill, by the version's CPU time per request. */
const BATCH_SLICE_SHARE = 0.25;

/** One request to run: its payload, its `performance.now()` deadline and its client (whose isolates it may use). */
interface Request {
  payload: string;
  deadline: number;
  client: string;
}

/** A request waiting for its batch. */
interface Queued extends Request {
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
/** What a request gets when no isolate freed up within its deadline (every one held, none may be added). */
const NO_ISOLATE: SandboxFailure = Object.freeze(
  failure(
    'timeout',
    "No isolate was free for the action in time: the client's own were stuck, or MINTER_ACTIONS_MAX_ISOLATES were in use",
  ),
);
/** What the requests on an isolate get when it is disposed because another call on it spun past its deadline. */
const STOPPED_BEHIND_LOOP: SandboxFailure = Object.freeze(
  failure(
    'timeout',
    'The action did not finish in time: another request of the same client was stuck in a loop on its isolate',
  ),
);

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
  /** Clients (or the whole version) whose requests run asynchronously only, having kept outrunning their slice. */
  readonly #slow = new SlowClients();
  /** Which isolates each client's calls hold now (see "Fairness"). */
  readonly #holds = new ClientHolds();
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
    this.#syncCapable =
      options.syncSliceMs > 0 && !bindings.includes('kinde.fetch') && !bindings.includes('kinde.secureFetch');
  }

  /**
   * Creates the warm isolate ahead of the first request (errors surface on that request). Resolves once that
   * creation has settled, either way (the crash guard waits for it); never rejects.
   */
  prewarm(budgetMs: number): Promise<void> {
    // Created, not reserved: the warm isolate is nobody's until a request takes it.
    if (this.#instances.length === 0 && this.#creating === undefined) this.#startCreation(performance.now() + budgetMs);
    return this.#creating === undefined
      ? Promise.resolve()
      : this.#creating.then(
          () => undefined,
          () => undefined,
        );
  }

  /**
   * Runs one request of `client`; `deadline` is a `performance.now()` time. Never throws. A version that may run
   * synchronously takes it into the batch that runs once this turn of the event loop has read what the sockets had.
   */
  invoke(payload: string, deadline: number, client: string): Promise<InvokeOutcome> {
    if (!this.#syncCapable || this.#apart(client, performance.now()))
      return this.#invokeOne({ payload, deadline, client });
    return new Promise((resolve) => {
      if (this.#queued.push({ payload, deadline, client, resolve }) === 1) setImmediate(this.#flush);
    });
  }

  /** Whether `client`'s requests stay off the batches: it is slow, or it holds its share of isolates already. */
  #apart(client: string, now: number): boolean {
    return (
      this.#slow.isSlow(client, now) ||
      (this.#holds.any && this.#holds.count(client) >= this.#options.maxIsolatesPerClient)
    );
  }

  /** Runs one request in a call of its own. */
  async #invokeOne(request: Request): Promise<InvokeOutcome> {
    const sync = this.#syncCapable && !this.#apart(request.client, performance.now());
    const ready = sync ? this.#syncReady() : undefined;
    const instance =
      ready !== undefined ? this.#holds.hold(this.#reserve(ready), request.client) : await this.#acquire(request);
    if ('kind' in instance) return instance;
    const outcome = await this.#call(instance, request, sync && this.#mayRunSync(instance));
    // The slice ran out: the isolate is retired; run the request again within its own budget.
    return outcome === SLICE_SPENT ? this.#invokeOne(request) : outcome;
  }

  /** {@link #invokeOne} for a request a batch hands back, settling its promise. */
  #alone(request: Queued): void {
    void this.#invokeOne(request).then(request.resolve);
  }

  /**
   * Runs the requests queued since the last turn: in batches sized to fill a share of the slice, while an isolate may
   * run synchronously; the rest (none may, the version turned slow, or their client did) one call each.
   */
  readonly #flush = (): void => {
    const queued = this.#queued;
    this.#queued = [];
    const apart: Queued[] = [];
    let next = 0;
    while (next < queued.length) {
      const instance = this.#syncReady();
      if (instance === undefined) break;
      const size =
        this.#requestMs > 0
          ? Math.floor((this.#options.syncSliceMs * BATCH_SLICE_SHARE) / this.#requestMs)
          : FIRST_BATCH;
      const limit = Math.min(MAX_BATCH, Math.max(1, size));
      const now = performance.now();
      const batch: Queued[] = [];
      // A client that turned slow, or took its share of isolates, since its request was queued runs apart.
      while (next < queued.length && batch.length < limit) {
        const request = queued[next++]!;
        (this.#apart(request.client, now) ? apart : batch).push(request);
      }
      if (batch.length === 0) continue;
      this.#reserve(instance);
      try {
        this.#runBatch(instance, batch);
      } finally {
        this.#release(instance);
      }
    }
    for (const request of apart) this.#alone(request);
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
    const slice = Math.min(
      this.#options.syncSliceMs,
      Math.ceil(Math.min(...live.map((request) => request.deadline)) - now),
    );
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
    if (overran) {
      // The request that ran out is the first without a record: the ones before it ended, the ones after never began.
      const culprit = live.findIndex((_, i) => !lines[i]?.startsWith('{'));
      this.#slow.overran(live[Math.max(0, culprit)]!.client, cpuMs, slice, performance.now());
    } else {
      for (const request of live) this.#slow.ranWithin(request.client);
    }
    live.forEach((request, i) => {
      const line = lines[i];
      if (line === 'P' && !overran) {
        this.#holds.hold(this.#reserve(instance), request.client);
        void this.#call(instance, request, false, firstQ + i).then((outcome) =>
          outcome === SLICE_SPENT ? this.#alone(request) : request.resolve(outcome),
        );
      } else if (line === undefined || !line.startsWith('{')) {
        this.#alone(request);
      } else {
        this.#ended(instance, line);
        request.resolve({ kind: 'record', record: line });
      }
    });
    this.#probeQuiet(instance);
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
    return (
      this.#syncCapable &&
      instance.asyncLive === 0 &&
      !instance.hostIo.started &&
      !this.#slow.versionSlow(performance.now())
    );
  }

  /** An isolate that may run this request synchronously although it counts as live, if any. */
  #syncReady(): Instance | undefined {
    for (const instance of this.#instances) if (this.#mayRunSync(instance)) return instance;
    return undefined;
  }

  /** An isolate no request uses and on which nothing can resume unasked: any client may take it. */
  #idle(): Instance | undefined {
    for (const instance of this.#instances) if (instance.live === 0 && !instance.ioLeftOut) return instance;
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

  /**
   * An isolate for a request that cannot run on the synchronous path: an idle one or a new one while its client holds
   * less than its share, else the least busy of its client's own; with none of its own and no room for another, it
   * waits for one to free up (see "Fairness").
   */
  async #acquire(request: Request): Promise<Instance | SandboxFailure> {
    const { client, deadline } = request;
    for (;;) {
      if (this.#loadFailure !== undefined) return this.#loadFailure;
      const held = this.#holds.count(client);
      if (held < this.#options.maxIsolatesPerClient) {
        const idle = this.#idle();
        if (idle !== undefined) return this.#holds.hold(this.#reserve(idle), client);
        if (this.#creating !== undefined || this.#mayCreate(held)) {
          const result = await raceDeadline(this.#creating ?? this.#startCreation(deadline), deadline);
          // A creation started for another request ran out of that request's budget: this request tries again within
          // its own. Our own deadline, and every other failure, is final.
          if (
            result !== OWN_DEADLINE &&
            'kind' in result &&
            result.status === 'timeout' &&
            performance.now() < deadline
          )
            continue;
          if ('kind' in result) return result;
          // Several requests may wait for one creation: the first to wake takes it; the others look again.
          if ((result.live > 0 || result.ioLeftOut) && performance.now() < deadline) continue;
          return this.#holds.hold(this.#reserve(result), client);
        }
      }
      // Its share taken: one of its own that is not spinning (its calls await I/O), else wait for one to be.
      const own = this.#holds.leastBusyOf(client, this.#instances);
      if (own !== undefined) return this.#holds.hold(this.#reserve(own), client);
      const remaining = deadline - performance.now();
      if (remaining <= 0) return NO_ISOLATE;
      await new Promise((resolve) => setTimeout(resolve, Math.min(ROOM_POLL_MS, remaining)));
    }
  }

  /**
   * Whether a request of a client holding `held` isolates may create one: past `maxIsolatesPerVersion` only for a
   * client that holds none (every isolate is then held by others), and never past MINTER_ACTIONS_MAX_ISOLATES.
   */
  #mayCreate(held: number): boolean {
    const count = this.#instances.length;
    if (!this.#options.census.hasRoom(count === 0)) return false;
    return count < Math.max(1, this.#options.maxIsolatesPerVersion) || held === 0;
  }

  #startCreation(deadline: number): Promise<Instance | SandboxFailure> {
    this.#options.census.enter();
    const started = createInstance(this.action, this.#options, deadline);
    this.#creating = started;
    void started.then((result) => this.#created(started, result));
    return started;
  }

  #created(creating: Promise<Instance | SandboxFailure>, result: Instance | SandboxFailure): void {
    if (this.#creating === creating) this.#creating = undefined;
    if ('kind' in result) {
      this.#options.census.leave();
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
   * Runs `request` on `instance`, reserved and held for its client by the caller, synchronously or not; or, given
   * `waiting` (the call number of a request a batch left waiting), awaits that request's record with `waitFor` instead.
   */
  async #call(
    instance: Instance,
    request: Request,
    sync: boolean,
    waiting?: number,
  ): Promise<InvokeOutcome | typeof SLICE_SPENT> {
    const { payload, deadline, client } = request;
    const startedAt = performance.now();
    const remaining = deadline - startedAt;
    // The call number lets drain() find this call's console if it has to be stopped.
    const q = waiting ?? ++this.#calls;
    const [entry, argument] =
      waiting === undefined ? [instance.runner, `{"q":${q},${payload.slice(1)}`] : [instance.waiter, q];
    const slice = sync ? Math.min(this.#options.syncSliceMs, Math.ceil(remaining)) : 0;
    const cpuBefore = instance.isolate.isDisposed ? 0n : instance.isolate.cpuTime;
    const ioBefore = instance.hostIo.generation;
    if (!sync) instance.asyncLive++;
    try {
      if (remaining <= 0) return OUT_OF_TIME;
      let started: Promise<unknown> | undefined;
      const result = await new Promise<unknown>((resolve, reject) => {
        let unwatch: (() => void) | undefined;
        const settle = (error: unknown, value?: unknown) => {
          unwatch?.();
          if (error === undefined) resolve(value);
          else reject(error);
        };
        try {
          started = (
            sync
              ? entry.applySync(undefined, [argument], { timeout: slice, result: { promise: true, copy: true } })
              : entry.apply(undefined, [argument], {
                  timeout: Math.ceil(remaining),
                  result: { promise: true, copy: true },
                })
          ) as Promise<unknown>;
          unwatch = DEADLINES.watch(deadline, () => resolve(TIMED_OUT));
          started.then((value) => settle(undefined, value), settle);
        } catch (error) {
          settle(error);
        }
      });
      if (result === TIMED_OUT) {
        this.#retireInstance(instance);
        if (started !== undefined) this.#watchStuck(started);
        const spins = spinning(instance, cpuBefore, startedAt);
        const timedOut = failure('timeout', 'The action did not finish in time');
        // Waiting on the call (not on the console read) keeps the grace independent of how long the read then takes
        // to get a core: on a loaded machine both may take a while, and the console was lost before.
        const waitedAt = performance.now();
        const grace = instance.hostIo.generation === ioBefore ? CONSOLE_WAIT_MS : SPINNING_GRACE_MS;
        const freed = !spins || (started !== undefined && (await within(started.then(yes, yes), grace, false)));
        const left = CONSOLE_WAIT_MS - (spins ? performance.now() - waitedAt : 0);
        const failed = freed && left > 0 ? await this.#withConsole(instance, q, timedOut, left) : timedOut;
        if (spins) this.#stop(instance, STOPPED_BEHIND_LOOP);
        return failed;
      }
      if (sync) this.#slow.ranWithin(client);
      if (typeof result !== 'string') return failure('runtime', 'The action returned no record');
      this.#ended(instance, result);
      return { kind: 'record', record: result };
    } catch (error) {
      if (sync && slice < remaining && messageOf(error) === SYNC_TIMEOUT_MESSAGE && !instance.isolate.isDisposed) {
        this.#retireInstance(instance);
        this.#slow.overran(client, Number(instance.isolate.cpuTime - cpuBefore) / 1e6, slice, performance.now());
        return SLICE_SPENT;
      }
      const failed = this.#classify(instance, error);
      return failed.status === 'timeout' ? await this.#withConsole(instance, q, failed) : failed;
    } finally {
      if (!sync) instance.asyncLive--;
      this.#holds.release(instance);
      this.#release(instance);
      this.#probeQuiet(instance);
    }
  }

  /**
   * A call on `instance` ended with `record`. A call that left host I/O out (an unawaited fetch) makes the isolate
   * asynchronous at once: the host may not have seen that I/O start yet, and its continuation will run on the
   * isolate's thread; and until a probe finds it quiet, no other request is placed there (see "Fairness").
   */
  #ended(instance: Instance, record: string): void {
    instance.ioLeftOut = ioOutAfter(record);
    if (instance.ioLeftOut) {
      instance.hostIo.started = true;
      instance.hostIo.generation++;
    }
  }

  /**
   * A call stopped at its deadline: its isolate is disposed once idle, which settles isolated-vm's promise within
   * milliseconds (`Promise was abandoned`, or the timeout) — unless the isolate's thread is inside a built-in that
   * never checks for termination. Not settled after {@link STUCK_AFTER_MS}: the thread is lost, say so.
   */
  #watchStuck(started: Promise<unknown>): void {
    const onStuck = this.#options.onStuck;
    if (onStuck === undefined) return;
    let settled = false;
    const done = () => (settled = true);
    started.then(done, done);
    setTimeout(() => settled || onStuck(this.action.versionId), STUCK_AFTER_MS).unref();
  }

  /**
   * Clears `hostIo.started` and `ioLeftOut` when the isolate is quiet: no call running and, asked on its own thread
   * (so behind any continuation still queued there), no host I/O out, none started while the probe ran. An isolate
   * whose last call left I/O out is probed again until it is quiet; if the probe cannot run because code no request
   * owns spins on the isolate, the isolate is disposed.
   */
  #probeQuiet(instance: Instance): void {
    const unsettled = instance.ioLeftOut || (this.#syncCapable && instance.hostIo.started);
    if (!unsettled || instance.asyncLive > 0 || instance.retired || instance.isolate.isDisposed) return;
    const generation = instance.hostIo.generation;
    const startedAt = performance.now();
    const cpuBefore = instance.isolate.cpuTime;
    let answered = false;
    instance.asyncLive++;
    instance.quieter.apply(undefined, [], { timeout: PROBE_TIMEOUT_MS }).then(
      (quiet: unknown) => {
        answered = true;
        instance.asyncLive--;
        if (quiet === true && instance.asyncLive === 0 && instance.hostIo.generation === generation)
          instance.hostIo.started = false;
        if (quiet === true) instance.ioLeftOut = false;
        else if (instance.ioLeftOut && instance.live === 0)
          setTimeout(() => this.#probeQuiet(instance), PROBE_AGAIN_MS).unref();
      },
      () => {
        answered = true;
        instance.asyncLive--;
      },
    );
    if (!instance.ioLeftOut) return;
    setTimeout(() => {
      if (!answered && instance.live === 0 && spinning(instance, cpuBefore, startedAt))
        this.#stop(instance, STOPPED_BEHIND_LOOP);
    }, ORPHAN_WAIT_MS).unref();
  }

  /**
   * A stopped call's failure with its console until then, read with `drain(q)`, so that the execution record shows
   * what a looping or hanging action printed. The isolate is idle after isolated-vm's timeout or a promise that never
   * settled; one still busy (a loop in a timer callback) gets {@link CONSOLE_WAIT_MS} before the failure goes without.
   */
  async #withConsole(
    instance: Instance,
    q: number,
    failed: SandboxFailure,
    waitMs = CONSOLE_WAIT_MS,
  ): Promise<SandboxFailure> {
    if (instance.isolate.isDisposed) return failed;
    const read = instance.drainer.apply(undefined, [q], { timeout: DRAIN_TIMEOUT_MS }).then(
      (json: unknown) => (typeof json === 'string' ? json : undefined),
      () => undefined,
    );
    const json = await within(read, waitMs, undefined);
    return json === undefined ? failed : { ...failed, console: json };
  }

  /** Ends a reservation made by {@link #reserve}. */
  #release(instance: Instance): void {
    if (--instance.live === 0) instance.idleSince = performance.now();
    this.#disposeIfIdle(instance);
  }

  #classify(instance: Instance, error: unknown): SandboxFailure {
    if (instance.stoppedFor !== undefined) return instance.stoppedFor;
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

  /** Disposes `instance` now, whatever runs on it; the requests still on it fail with `reason`. */
  #stop(instance: Instance, reason: SandboxFailure): void {
    if (instance.isolate.isDisposed) return;
    instance.stoppedFor = reason;
    this.#retireInstance(instance);
    this.#dispose(instance);
  }

  #disposeIfIdle(instance: Instance): void {
    if (instance.retired && instance.live === 0) this.#dispose(instance);
  }

  #dispose(instance: Instance): void {
    instance.alarm.stop();
    if (instance.counted) {
      instance.counted = false;
      this.#options.census.leave();
    }
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

/** Whether a record says host I/O was still out when its call ended: finish() in sandbox/program/record.ts writes `{"io":N,…`. */
const ioOutAfter = (record: string) => !record.startsWith('{"io":0,');

/** The creation result, or {@link OWN_DEADLINE} if the deadline comes first (creation goes on in the background). */
function raceDeadline(
  creating: Promise<Instance | SandboxFailure>,
  deadline: number,
): Promise<Instance | SandboxFailure> {
  const remaining = deadline - performance.now();
  return remaining <= 0 ? Promise.resolve(OWN_DEADLINE) : within(creating, remaining, OWN_DEADLINE);
}

/** What `promise` settles to within `ms`, else `fallback` (the promise goes on unobserved). */
const yes = () => true;

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
