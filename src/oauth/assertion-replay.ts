/**
 * Client assertions already used (RFC 7523 §3 item 7: a `jti` may be refused when seen before), remembered until the
 * assertion itself expires. Kept in this process: behind several instances, an assertion replayed to another instance
 * within its lifetime (at most five minutes) is not caught.
 */
export class ReplayGuard {
  /** `client_id jti` → when it may be forgotten (ms since the epoch), in insertion order. */
  readonly #seen = new Map<string, number>();

  constructor(readonly maxEntries = 100_000) {}

  /** Records a use; false when the same client already used this jti and it has not expired yet. */
  claim(clientId: string, jti: string, forgetAt: number): boolean {
    const key = `${clientId} ${jti}`;
    const now = Date.now();
    const known = this.#seen.get(key);
    if (known !== undefined && known > now) return false;
    if (this.#seen.size >= this.maxEntries) this.#sweep(now);
    // Still full of live entries: the oldest goes first (it expires first, too).
    if (this.#seen.size >= this.maxEntries) this.#seen.delete(this.#seen.keys().next().value as string);
    this.#seen.delete(key);
    this.#seen.set(key, forgetAt);
    return true;
  }

  get size(): number {
    return this.#seen.size;
  }

  #sweep(now: number): void {
    for (const [key, forgetAt] of this.#seen) if (forgetAt <= now) this.#seen.delete(key);
  }
}
