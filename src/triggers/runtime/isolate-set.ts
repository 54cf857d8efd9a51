/**
 * The isolates of one deployed version, as a set: creating them (counted in the engine-wide census), choosing one
 * for a request that cannot run on the synchronous path, reserving and releasing them, retiring and disposing them,
 * and reaping extra isolates left idle. What runs on an isolate, and when, is version-isolate.ts's.
 */
import type { DeployedAction } from '../contract.js';
import type { ClientHolds } from './client-holds.js';
import {
  createInstance,
  failure,
  messageOf,
  SYNC_TIMEOUT_MESSAGE,
  type Instance,
  type SandboxFailure,
  type SandboxOptions,
} from './isolate-factory.js';
import { within } from './stopped-call.js';

/** How long an extra isolate may stay idle before it is disposed, in ms. */
export const EXTRA_IDLE_MS = 30_000;
/** How often a request that found no isolate free and no room for one looks again, in ms. */
const ROOM_POLL_MS = 10;

/** What {@link raceDeadline} answers when the request's own deadline comes first. */
const OWN_DEADLINE: SandboxFailure = Object.freeze(failure('timeout', 'The action did not load in time'));
/** What a request gets when no isolate freed up within its deadline (every one held, none may be added). */
const NO_ISOLATE: SandboxFailure = Object.freeze(
  failure(
    'timeout',
    "No isolate was free for the action in time: the client's own were stuck, or MINTER_ACTIONS_MAX_ISOLATES were in use",
  ),
);

export class IsolateSet {
  readonly #action: DeployedAction;
  readonly #options: SandboxOptions;
  readonly #holds: ClientHolds;
  /** Ready isolates, the warm one first. */
  #instances: Instance[] = [];
  #creating: Promise<Instance | SandboxFailure> | undefined;
  #loadFailure: SandboxFailure | undefined;
  #retired = false;
  #reaper: NodeJS.Timeout | undefined;

  constructor(action: DeployedAction, options: SandboxOptions, holds: ClientHolds) {
    this.#action = action;
    this.#options = options;
    this.#holds = holds;
  }

  /** Ready isolates, the warm one first. */
  get instances(): readonly Instance[] {
    return this.#instances;
  }

  /**
   * Creates the warm isolate ahead of the first request. Resolves once that creation has settled, either way;
   * never rejects.
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

  /** The first isolate `usable` accepts, if any. */
  find(usable: (instance: Instance) => boolean): Instance | undefined {
    for (const instance of this.#instances) if (usable(instance)) return instance;
    return undefined;
  }

  /**
   * Marks an isolate taken by a request, synchronously where it is chosen: two requests resuming in the same tick
   * must not both see it idle.
   */
  reserve(instance: Instance): Instance {
    instance.live++;
    return instance;
  }

  /** Ends a reservation made by {@link reserve}. */
  release(instance: Instance): void {
    if (--instance.live === 0) instance.idleSince = performance.now();
    this.#disposeIfIdle(instance);
  }

  /**
   * An isolate for a request of `client` that cannot run on the synchronous path, reserved and held for it: an idle
   * one or a new one while its client holds less than its share, else the least busy of its client's own; with none
   * of its own and no room for another, it waits for one to free up, until `deadline` (version-isolate.ts,
   * "Fairness").
   */
  async acquire(client: string, deadline: number): Promise<Instance | SandboxFailure> {
    for (;;) {
      if (this.#loadFailure !== undefined) return this.#loadFailure;
      const held = this.#holds.count(client);
      if (held < this.#options.maxIsolatesPerClient) {
        const idle = this.find((instance) => instance.live === 0 && !instance.ioLeftOut);
        if (idle !== undefined) return this.#holds.hold(this.reserve(idle), client);
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
          return this.#holds.hold(this.reserve(result), client);
        }
      }
      // Its share taken: one of its own that is not spinning (its calls await I/O), else wait for one to be.
      const own = this.#holds.leastBusyOf(client, this.#instances);
      if (own !== undefined) return this.#holds.hold(this.reserve(own), client);
      const remaining = deadline - performance.now();
      if (remaining <= 0) return NO_ISOLATE;
      await new Promise((resolve) => setTimeout(resolve, Math.min(ROOM_POLL_MS, remaining)));
    }
  }

  /** The failure a call on `instance` ended with; an isolate that can serve no more is retired. */
  classify(instance: Instance, error: unknown): SandboxFailure {
    if (instance.stoppedFor !== undefined) return instance.stoppedFor;
    if (instance.isolate.isDisposed && !instance.disposedByUs) {
      this.retireInstance(instance);
      return failure('oom', 'The action ran out of memory');
    }
    if (messageOf(error) === SYNC_TIMEOUT_MESSAGE) {
      this.retireInstance(instance);
      return failure('timeout', 'The action did not finish in time');
    }
    if (instance.disposedByUs) return failure('runtime', 'The action was stopped');
    return failure('runtime', messageOf(error));
  }

  /** No new work for `instance`: disposed once no request uses it. */
  retireInstance(instance: Instance): void {
    instance.retired = true;
    this.#instances = this.#instances.filter((i) => i !== instance);
    this.#disposeIfIdle(instance);
  }

  /** Disposes `instance` now, whatever runs on it; the requests still on it fail with `reason`. */
  stop(instance: Instance, reason: SandboxFailure): void {
    if (instance.isolate.isDisposed) return;
    instance.stoppedFor = reason;
    this.retireInstance(instance);
    this.#dispose(instance);
  }

  /** No new work for any isolate: each is disposed once its live requests end. */
  retire(): void {
    this.#retired = true;
    this.#stopReaper();
    for (const instance of this.#instances) this.retireInstance(instance);
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
    const started = createInstance(this.#action, this.#options, deadline);
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
      if (instance.live === 0 && now - instance.idleSince >= EXTRA_IDLE_MS) this.retireInstance(instance);
    }
    if (this.#instances.length <= 1) this.#stopReaper();
  }

  #stopReaper(): void {
    if (this.#reaper !== undefined) clearInterval(this.#reaper);
    this.#reaper = undefined;
  }
}

/** The creation result, or {@link OWN_DEADLINE} if the deadline comes first (creation goes on in the background). */
function raceDeadline(
  creating: Promise<Instance | SandboxFailure>,
  deadline: number,
): Promise<Instance | SandboxFailure> {
  const remaining = deadline - performance.now();
  return remaining <= 0 ? Promise.resolve(OWN_DEADLINE) : within(creating, remaining, OWN_DEADLINE);
}
