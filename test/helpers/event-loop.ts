/** Watching the event loop from a test: how often a short timer ticked, and the longest gap between ticks. */
export interface LoopWatch {
  readonly ticks: number;
  /** The longest gap between ticks so far (including the one still open), in ms. */
  readonly longestMs: number;
  stop(): void;
}

export function watchEventLoop(intervalMs: number): LoopWatch {
  let ticks = 0;
  let last = performance.now();
  let longest = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    ticks++;
  }, intervalMs);
  return {
    get ticks() {
      return ticks;
    },
    get longestMs() {
      return Math.max(longest, performance.now() - last);
    },
    stop: () => clearInterval(timer),
  };
}
