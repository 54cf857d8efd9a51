/**
 * How long the supervisor waits before it starts a sandbox process again: at once, unless processes keep being lost,
 * when the pause grows with the losses of the last minute (a crash loop must not spin a core).
 */

/** Losses within {@link LOSS_WINDOW_MS} before a restart waits. */
const LOSSES_BEFORE_BACKOFF = 3;
const LOSS_WINDOW_MS = 60_000;
/** The first pause, doubled for each further loss. */
const FIRST_BACKOFF_MS = 500;
/** The longest wait before a restart, in ms. */
const MAX_BACKOFF_MS = 10_000;

export class RestartBackoff {
  #losses: number[] = [];

  /** A sandbox process was lost now. */
  record(now = Date.now()): void {
    this.#losses = [...this.#losses.filter((at) => now - at < LOSS_WINDOW_MS), now];
  }

  /** The pause before the next start, in ms. */
  wait(): number {
    const excess = this.#losses.length - LOSSES_BEFORE_BACKOFF;
    return excess < 0 ? 0 : Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** excess);
  }
}
