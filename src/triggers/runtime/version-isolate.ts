/**
 * One deployed action version and the isolates that run it: each request goes to an idle isolate, on the
 * synchronous fast path (alone or in the batch of its turn) or off the main thread, within its budget, and never on
 * an isolate another client's call holds. The design — budgets, the synchronous fast path, batches, fairness — is
 * explained in docs/trigger-runtime.md, whose section names the comments here refer to.
 */
import type { DeployedAction } from '../contract.js';
import { ClientHolds } from './client-holds.js';
import { DeadlineWatch, raceCall, TIMED_OUT } from './deadline-watch.js';
import {
  failure,
  fingerprint,
  messageOf,
  SYNC_TIMEOUT_MESSAGE,
  type Instance,
  type SandboxFailure,
  type SandboxOptions,
} from './isolate-factory.js';
import { IsolateSet } from './isolate-set.js';
import { noteIoAfter, probeQuiet } from './quiet-probe.js';
import { SlowClients } from './slow-clients.js';
import { stoppedAtDeadline, withConsole } from './stopped-call.js';
import { batchLimit, runBatch, type Queued, type Request } from './version-batch.js';

export type { SandboxFailure, SandboxOptions } from './isolate-factory.js';
export { EXTRA_IDLE_MS } from './isolate-set.js';
export { STUCK_AFTER_MS } from './stopped-call.js';
export { DRAIN_WAIT_MS } from './version-batch.js';
export type InvokeOutcome = { kind: 'record'; record: string } | SandboxFailure;

/** The synchronous slice ran out before the action finished. */
const SLICE_SPENT = Symbol('slice spent');
/** Deadlines of every in-flight call of every isolate. */
const DEADLINES = new DeadlineWatch();
/** What a request gets when its chain's budget is spent before its action could be called. */
const OUT_OF_TIME: SandboxFailure = Object.freeze(failure('timeout', 'The trigger chain ran out of time'));

/** The isolates of one deployed action version. */
export class VersionIsolate {
  readonly action: DeployedAction;
  readonly fingerprint: string;
  readonly #options: SandboxOptions;
  /** Whether this version may ever run on the synchronous path. */
  readonly #syncCapable: boolean;
  /** Clients (or the whole version) whose requests run asynchronously only, having kept outrunning their slice. */
  readonly #slow = new SlowClients();
  /** Which isolates each client's calls hold now (docs/trigger-runtime.md, "Fairness"). */
  readonly #holds = new ClientHolds();
  readonly #set: IsolateSet;
  /** Calls made so far: each call's number `q`, unique within the version (a batch takes one per request). */
  #calls = 0;
  /** Requests for the batch of this turn (docs/trigger-runtime.md, "Batches"), run from `setImmediate`. */
  #queued: Queued[] = [];
  /** CPU time per request of this version's batches, in ms (a moving average; 0 before the first): sizes the next. */
  #requestMs = 0;

  constructor(action: DeployedAction, options: SandboxOptions) {
    this.action = action;
    this.fingerprint = fingerprint(action);
    this.#options = options;
    this.#set = new IsolateSet(action, options, this.#holds);
    const bindings = action.bindings ?? [];
    this.#syncCapable =
      options.syncSliceMs > 0 && !bindings.includes('kinde.fetch') && !bindings.includes('kinde.secureFetch');
  }

  /**
   * Creates the warm isolate ahead of the first request (errors surface on that request). Resolves once that
   * creation has settled, either way (the crash guard waits for it); never rejects.
   */
  prewarm(budgetMs: number): Promise<void> {
    return this.#set.prewarm(budgetMs);
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
      ready !== undefined
        ? this.#holds.hold(this.#set.reserve(ready), request.client)
        : await this.#set.acquire(request.client, request.deadline);
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
      const limit = batchLimit(this.#requestMs, this.#options.syncSliceMs);
      const now = performance.now();
      const batch: Queued[] = [];
      // A client that turned slow, or took its share of isolates, since its request was queued runs apart.
      while (next < queued.length && batch.length < limit) {
        const request = queued[next++]!;
        (this.#apart(request.client, now) ? apart : batch).push(request);
      }
      if (batch.length === 0) continue;
      this.#set.reserve(instance);
      try {
        this.#runBatch(instance, batch);
      } finally {
        this.#set.release(instance);
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
    const run = runBatch(instance, `[${payloads.join(',')}]`, slice);
    if (run.failed) {
      this.#set.classify(instance, run.error);
      for (const request of live) this.#alone(request);
      return;
    }
    const { lines, overran, cpuMs } = run;
    if (overran) this.#set.retireInstance(instance);
    this.#options.onBatch?.(live.length);
    this.#requestMs = this.#requestMs === 0 ? cpuMs / live.length : this.#requestMs * 0.8 + (cpuMs / live.length) * 0.2;
    this.#slow.afterBatch(live, lines, overran, cpuMs, slice);
    live.forEach((request, i) => {
      const line = lines[i];
      if (line === 'P' && !overran) {
        this.#holds.hold(this.#set.reserve(instance), request.client);
        void this.#call(instance, request, false, firstQ + i).then((outcome) =>
          outcome === SLICE_SPENT ? this.#alone(request) : request.resolve(outcome),
        );
      } else if (line === undefined || !line.startsWith('{')) {
        this.#alone(request);
      } else {
        noteIoAfter(instance, line);
        request.resolve({ kind: 'record', record: line });
      }
    });
    this.#probeQuiet(instance);
  }

  /** No new work for this version: its isolates are disposed once their live requests end. */
  retire(): void {
    this.#set.retire();
  }

  /** Disposes every isolate at once, stopping anything still running. */
  close(): void {
    this.#set.close();
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
    return this.#set.find((instance) => this.#mayRunSync(instance));
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
      const result = await raceCall(
        DEADLINES,
        deadline,
        () =>
          (sync
            ? entry.applySync(undefined, [argument], { timeout: slice, result: { promise: true, copy: true } })
            : entry.apply(undefined, [argument], {
                timeout: Math.ceil(remaining),
                result: { promise: true, copy: true },
              })) as Promise<unknown>,
        (call) => (started = call),
      );
      if (result === TIMED_OUT) {
        this.#set.retireInstance(instance);
        return await stoppedAtDeadline({
          instance,
          q,
          started,
          startedAt,
          cpuBefore,
          ioBefore,
          onStuck: this.#options.onStuck,
          versionId: this.action.versionId,
          stop: (stopped, reason) => this.#set.stop(stopped, reason),
        });
      }
      if (sync) this.#slow.ranWithin(client);
      if (typeof result !== 'string') return failure('runtime', 'The action returned no record');
      noteIoAfter(instance, result);
      return { kind: 'record', record: result };
    } catch (error) {
      if (sync && slice < remaining && messageOf(error) === SYNC_TIMEOUT_MESSAGE && !instance.isolate.isDisposed) {
        this.#set.retireInstance(instance);
        this.#slow.overran(client, Number(instance.isolate.cpuTime - cpuBefore) / 1e6, slice, performance.now());
        return SLICE_SPENT;
      }
      const failed = this.#set.classify(instance, error);
      return failed.status === 'timeout' ? await withConsole(instance, q, failed) : failed;
    } finally {
      if (!sync) instance.asyncLive--;
      this.#holds.release(instance);
      this.#set.release(instance);
      this.#probeQuiet(instance);
    }
  }

  #probeQuiet(instance: Instance): void {
    probeQuiet(instance, this.#syncCapable, (stopped, reason) => this.#set.stop(stopped, reason));
  }
}
