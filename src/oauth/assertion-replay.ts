/**
 * Client assertions already used (RFC 7523 §3 item 7: a `jti` may be refused when seen before), remembered until the
 * assertion itself expires: in this process, or in Redis when `REDIS_URL` is set, so that an assertion replayed to
 * another instance is refused too.
 */
import type { Redis } from 'ioredis';
import { throttledReport } from '../observability/throttled-report.js';

/** Records uses of assertion ids. */
export interface ReplayGuard {
  /** Records a use; false when the same client already used this jti and it has not expired yet. */
  claim(clientId: string, jti: string, forgetAt: number): boolean | Promise<boolean>;
}

/** This process's memory, bounded: past `maxEntries` live entries the oldest is forgotten first. */
export class MemoryReplayGuard implements ReplayGuard {
  /** `client_id jti` → when it may be forgotten (ms since the epoch), in insertion order. */
  readonly #seen = new Map<string, number>();

  constructor(readonly maxEntries = 100_000) {}

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

/**
 * Redis, shared by every instance: `SET <prefix>:<client>:<jti> NX PXAT <expiry>`. While Redis cannot be reached the
 * process's own memory stands in (replays to this instance are still refused) and the error is reported once a
 * minute at most.
 */
export class RedisReplayGuard implements ReplayGuard {
  readonly #fallback = new MemoryReplayGuard();
  readonly #report: (error: unknown) => void;

  constructor(
    readonly redis: Redis,
    onError: (error: unknown) => void,
    readonly prefix = 'minter:jti',
  ) {
    this.#report = throttledReport(onError);
  }

  async claim(clientId: string, jti: string, forgetAt: number): Promise<boolean> {
    try {
      const set = await this.redis.set(`${this.prefix}:${clientId}:${jti}`, '1', 'PXAT', forgetAt, 'NX');
      return set === 'OK';
    } catch (error) {
      this.#report(error);
      return this.#fallback.claim(clientId, jti, forgetAt);
    }
  }
}
