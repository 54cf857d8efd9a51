/**
 * Which clients of one action version run asynchronously only, because the action keeps outrunning its synchronous
 * slice for their requests (see docs/trigger-runtime.md, "Synchronous fast path").
 *
 * The cost of a slow action is often one client's input (a regular expression on a request field, a loop on one
 * client's metadata), so the pause is per client: a client that made the action overrun keeps paying off the main
 * thread, and the others keep the fast path. When several clients are slow at once, the action is slow for everyone,
 * and the whole version pauses, as it did before (a thousand clients paying three slices each would stall the main
 * thread as much as the loop would).
 */

/** How long a client (or the version) that keeps outrunning its synchronous slice runs asynchronously only, in ms. */
export const SLOW_PAUSE_MS = 60_000;
/** Consecutive slices spent on CPU that make a client slow (one alone may be a GC pause or a cold path). */
export const SLOW_AFTER_OVERRUNS = 3;
/** Clients slow at once that make the whole version slow. */
export const SLOW_CLIENTS_FOR_VERSION = 3;
/** Clients whose overruns are remembered at most (past it, the version is slow: memory stays bounded). */
const MAX_TRACKED = 1000;

interface Overruns {
  /** Slices spent on CPU in a row. */
  count: number;
  /** `performance.now()` before which the client's calls stay asynchronous; 0 while it is not slow. */
  until: number;
}

export class SlowClients {
  readonly #clients = new Map<string, Overruns>();
  /** `performance.now()` before which every call of the version stays asynchronous. */
  #versionUntil = 0;

  /** Whether the whole version runs asynchronously now. */
  versionSlow(now: number): boolean {
    return now < this.#versionUntil;
  }

  /** Whether `client`'s requests run asynchronously now (the version's, or its own, pause). */
  isSlow(client: string, now: number): boolean {
    if (now < this.#versionUntil) return true;
    if (this.#clients.size === 0) return false;
    const entry = this.#clients.get(client);
    return entry !== undefined && now < entry.until;
  }

  /**
   * Counts a slice that ran out on `client`'s request. The slice is wall time: a thread preempted by the OS can
   * spend it without running much. Only a slice mostly spent on CPU counts; enough in a row make the client slow.
   */
  overran(client: string, cpuMs: number, sliceMs: number, now: number): void {
    if (cpuMs < sliceMs / 2) return;
    let entry = this.#clients.get(client);
    if (entry === undefined) {
      if (this.#clients.size >= MAX_TRACKED) this.#prune(now);
      entry = { count: 0, until: 0 };
      this.#clients.set(client, entry);
    }
    if (++entry.count < SLOW_AFTER_OVERRUNS) return;
    entry.count = 0;
    entry.until = now + SLOW_PAUSE_MS;
    let slow = 0;
    for (const other of this.#clients.values()) if (now < other.until) slow++;
    if (slow >= SLOW_CLIENTS_FOR_VERSION) this.#versionUntil = now + SLOW_PAUSE_MS;
  }

  /** `client`'s request finished within its slice: its run of overruns is broken. */
  ranWithin(client: string): void {
    if (this.#clients.size === 0) return;
    const entry = this.#clients.get(client);
    if (entry === undefined) return;
    entry.count = 0;
    if (entry.until === 0) this.#clients.delete(client);
  }

  /**
   * Counts a batch of `clients`' requests that made `lines` (one per request, a record starting with `{`) within a
   * slice of `sliceMs`, or `overran` it: then the request that ran out is the first without a record (the ones before
   * it ended, the ones after never began), and only its client is counted.
   */
  afterBatch(
    clients: readonly { client: string }[],
    lines: readonly string[],
    overran: boolean,
    cpuMs: number,
    sliceMs: number,
  ): void {
    if (!overran) {
      for (const request of clients) this.ranWithin(request.client);
      return;
    }
    const culprit = clients.findIndex((_, i) => !lines[i]?.startsWith('{'));
    this.overran(clients[Math.max(0, culprit)]!.client, cpuMs, sliceMs, performance.now());
  }

  /** Forgets clients no longer slow; if that frees nothing, the version is slow (too many clients overran). */
  #prune(now: number): void {
    for (const [client, entry] of this.#clients) if (now >= entry.until) this.#clients.delete(client);
    if (this.#clients.size >= MAX_TRACKED) {
      this.#versionUntil = now + SLOW_PAUSE_MS;
      this.#clients.clear();
    }
  }
}
