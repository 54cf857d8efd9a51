/**
 * Deadlines of in-flight sandbox calls, served by one timer armed for the earliest of them.
 *
 * A timer plus `Promise.race` per call measured ~12 µs on the token hot path; watching a deadline here is a Set
 * insert and delete. The timer holds the event loop open only while some call is being watched.
 */
interface Entry {
  /** `performance.now()` time, in ms. */
  deadline: number;
  onExpire: () => void;
}

/** `setTimeout` fires no earlier than asked in whole ms; this slack avoids a second wake-up for sub-ms remainders. */
const SLACK_MS = 1;

export class DeadlineWatch {
  readonly #entries = new Set<Entry>();
  #timer: NodeJS.Timeout | undefined;
  #armedFor = Number.POSITIVE_INFINITY;

  /** Calls `onExpire` once `deadline` passes, unless the returned function is called first. */
  watch(deadline: number, onExpire: () => void): () => void {
    const entry: Entry = { deadline, onExpire };
    this.#entries.add(entry);
    if (deadline < this.#armedFor) this.#arm(deadline);
    else this.#timer?.ref();
    return () => {
      this.#entries.delete(entry);
      if (this.#entries.size === 0) this.#timer?.unref();
    };
  }

  #arm(at: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#armedFor = at;
    this.#timer = setTimeout(() => this.#sweep(), Math.max(0, at - performance.now()));
  }

  #sweep(): void {
    this.#timer = undefined;
    this.#armedFor = Number.POSITIVE_INFINITY;
    const now = performance.now();
    let next = Number.POSITIVE_INFINITY;
    for (const entry of this.#entries) {
      if (entry.deadline <= now + SLACK_MS) {
        this.#entries.delete(entry);
        entry.onExpire();
      } else if (entry.deadline < next) next = entry.deadline;
    }
    if (next !== Number.POSITIVE_INFINITY) this.#arm(next);
  }
}

/** What {@link raceCall} answers when the deadline comes first. */
export const TIMED_OUT = Symbol('timed out');

/**
 * Starts a call with `start` and races it against `deadline` (a `performance.now()` time) on `watch`: resolves with
 * the call's value, or {@link TIMED_OUT} when the deadline comes first; rejects with the call's error, also one
 * thrown while starting it. `started` is told isolated-vm's promise of the call, once there is one.
 */
export function raceCall(
  watch: DeadlineWatch,
  deadline: number,
  start: () => Promise<unknown>,
  started: (call: Promise<unknown>) => void,
): Promise<unknown> {
  return new Promise<unknown>((resolve, reject) => {
    let unwatch: (() => void) | undefined;
    const settle = (error: unknown, value?: unknown) => {
      unwatch?.();
      if (error === undefined) resolve(value);
      else reject(error);
    };
    try {
      const call = start();
      started(call);
      unwatch = watch.watch(deadline, () => resolve(TIMED_OUT));
      call.then((value) => settle(undefined, value), settle);
    } catch (error) {
      settle(error);
    }
  });
}
