/**
 * Host I/O out of this isolate: fetches whose answer has not yet come back into the isolate, and timers pending
 * (timers.ts). While any is out, code may resume on the isolate's own thread at any time; {@link quiet} tells the
 * host when none is, and each record says how many are (`io`, read off its front by runtime/version-isolate.ts).
 */
let ioInFlight = 0;
let timersPending = 0;

/** A fetch left for the host. */
export function ioStarted(): void {
  ioInFlight++;
}

/** A fetch's answer came back into the isolate. */
export function ioReturned(): void {
  ioInFlight--;
}

/** Timers pending on the isolate now (timers.ts). */
export function setTimersPending(n: number): void {
  timersPending = n;
}

/** Whether nothing can resume in this isolate unasked: no host I/O out (the host calls this when no call runs). */
export function quiet(): boolean {
  return ioInFlight === 0 && timersPending === 0;
}

/** Host I/O out now, fetches and timers together: a record's `io`. */
export function ioOut(): number {
  return ioInFlight + timersPending;
}
