/**
 * Which client's calls hold which isolate of one action version (docs/trigger-runtime.md, "Fairness"), and whether an
 * isolate is stuck: the bookkeeping behind "isolates are never shared between clients while held".
 */
import type { Instance } from './isolate-factory.js';

/** How long an isolate may compute without a call on it ending before it counts as stuck (see {@link stuck}), in ms. */
const STUCK_AFTER_MS = 50;
/** Share of wall time spent on CPU from which an isolate counts as spinning (a loop) rather than waiting. */
const SPINNING_CPU_SHARE = 0.5;

export class ClientHolds {
  /** client → isolates its calls hold. */
  readonly #held = new Map<string, number>();

  /** Whether any client holds an isolate (the hot path skips the rest when none does). */
  get any(): boolean {
    return this.#held.size !== 0;
  }

  /** Isolates `client`'s calls hold now. */
  count(client: string): number {
    return this.#held.get(client) ?? 0;
  }

  /**
   * Marks `instance` held for `client` by one more call, together with its reservation: a request of the same client
   * resuming in the same tick must see it held.
   */
  hold(instance: Instance, client: string): Instance {
    if (instance.holds++ === 0) {
      instance.holder = client;
      this.#held.set(client, this.count(client) + 1);
      markProgress(instance);
    }
    return instance;
  }

  /** A call on `instance` ended. */
  release(instance: Instance): void {
    markProgress(instance);
    if (--instance.holds > 0) return;
    const client = instance.holder as string;
    instance.holder = undefined;
    const held = this.count(client) - 1;
    if (held <= 0) this.#held.delete(client);
    else this.#held.set(client, held);
  }

  /** Of `instances`, the one `client` holds with the fewest requests on it, of those not stuck. */
  leastBusyOf(client: string, instances: readonly Instance[]): Instance | undefined {
    const now = performance.now();
    let best: Instance | undefined;
    for (const instance of instances) {
      if (instance.holder === client && (best === undefined || instance.live < best.live) && !stuck(instance, now))
        best = instance;
    }
    return best;
  }
}

/** Notes that a call on `instance` ended, or that it was taken: see {@link stuck}. */
function markProgress(instance: Instance): void {
  instance.progressAt = performance.now();
  instance.progressCpu = instance.isolate.isDisposed ? 0n : instance.isolate.cpuTime;
}

/**
 * Whether no call on `instance` has ended for {@link STUCK_AFTER_MS} while it spent most of that time on CPU: a loop,
 * most likely, behind which a request would wait. An isolate whose calls await I/O is not stuck.
 */
function stuck(instance: Instance, now: number): boolean {
  return now - instance.progressAt >= STUCK_AFTER_MS && spinning(instance, instance.progressCpu, instance.progressAt);
}

/**
 * Whether `instance` spent most of the time since `since` (`performance.now()`) on CPU, from `cpuBefore`: a loop.
 * isolated-vm counts a task still running by wall time, so a loop the OS preempts still counts.
 */
export function spinning(instance: Instance, cpuBefore: bigint, since: number): boolean {
  if (instance.isolate.isDisposed) return false;
  const cpuMs = Number(instance.isolate.cpuTime - cpuBefore) / 1e6;
  return cpuMs >= (performance.now() - since) * SPINNING_CPU_SHARE;
}
