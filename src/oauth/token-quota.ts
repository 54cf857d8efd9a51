/**
 * Token quotas, opt-in, in the shape of Auth0's fine-grained M2M token quotas: a client's or an organization's
 * `token_quota.client_credentials` allows so many tokens per UTC hour and/or per UTC day — a client's own tokens, or
 * every client's tokens for the organization. Past it a token request is a 429 `too_many_requests` with `Retry-After`
 * (or, with `enforce: false`, only reported). Every answer under a quota carries `Auth0-Client-Quota-Limit` or
 * `Auth0-Organization-Quota-Limit: b=per_hour;q=10;r=7;t=3540,…` (bucket, quota, remaining after this request, seconds
 * to the reset). Requests without a quota never reach this module: no quota by default.
 *
 * Issued tokens are counted (a denied request is not) in this process, or in Redis when `REDIS_URL` is set, so that
 * every instance sees the same count. Like Auth0's, the count is eventually consistent: instances check, then count,
 * so concurrent requests may pass a limit by a few tokens.
 */
import type { Redis } from 'ioredis';
import { TooManyRequests, type OAuthError } from '../errors.js';
import { throttledReport } from '../observability/throttled-report.js';
import type { TokenQuota } from '../registry/snapshot.js';

/** Tokens counted in the current UTC hour and UTC day. */
export interface QuotaUsage {
  hour: number;
  day: number;
}

/** Where issued tokens are counted, by {@link quotaKey}. */
export interface QuotaCounter {
  /** Current usage; a promise when the count lives elsewhere (Redis). */
  usage(key: string, now: number): QuotaUsage | Promise<QuotaUsage>;
  /** Counts one issued token. Never throws. */
  count(key: string, now: number): void;
}

/** Whose tokens a quota caps. */
export type QuotaSubject = 'client' | 'organization';

/** The counter key of a client (its id, as before organizations had quotas) or of an organization. */
export const quotaKey = (subject: QuotaSubject, id: string) => (subject === 'client' ? id : `organization/${id}`);

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** The UTC hour and UTC day `now` falls in, as window numbers since the epoch. */
const windowsAt = (now: number) => ({ hour: Math.floor(now / HOUR_MS), day: Math.floor(now / DAY_MS) });

/** Counts in this process: one entry per client or organization that has a quota and got a token. */
export class MemoryQuotaCounter implements QuotaCounter {
  readonly #counts = new Map<string, { hour: number; hourCount: number; day: number; dayCount: number }>();

  usage(key: string, now: number): QuotaUsage {
    const entry = this.#counts.get(key);
    if (!entry) return { hour: 0, day: 0 };
    const { hour, day } = windowsAt(now);
    return { hour: entry.hour === hour ? entry.hourCount : 0, day: entry.day === day ? entry.dayCount : 0 };
  }

  count(key: string, now: number): void {
    const { hour, day } = windowsAt(now);
    const entry = this.#counts.get(key);
    if (!entry) {
      this.#counts.set(key, { hour, hourCount: 1, day, dayCount: 1 });
      return;
    }
    entry.hourCount = entry.hour === hour ? entry.hourCount + 1 : 1;
    entry.hour = hour;
    entry.dayCount = entry.day === day ? entry.dayCount + 1 : 1;
    entry.day = day;
  }
}

/**
 * Counts in Redis, shared by every instance: one key per counter and window (`<prefix>:<key>:h:<hour>`, `…:d:<day>`),
 * expiring a minute after its window. A failing Redis fails open: the token is issued and the error reported once a
 * minute at most, since a quota protects against runaway clients and must not take the token endpoint down.
 */
export class RedisQuotaCounter implements QuotaCounter {
  readonly #report: (error: unknown) => void;

  constructor(
    readonly redis: Redis,
    onError: (error: unknown) => void,
    readonly prefix = 'minter:quota',
  ) {
    this.#report = throttledReport(onError);
  }

  #keys(key: string, now: number): [string, string] {
    const { hour, day } = windowsAt(now);
    return [`${this.prefix}:${key}:h:${hour}`, `${this.prefix}:${key}:d:${day}`];
  }

  async usage(key: string, now: number): Promise<QuotaUsage> {
    try {
      const [hour, day] = await this.redis.mget(...this.#keys(key, now));
      return { hour: Number(hour ?? 0), day: Number(day ?? 0) };
    } catch (error) {
      this.#report(error);
      return { hour: 0, day: 0 };
    }
  }

  count(key: string, now: number): void {
    const [hourKey, dayKey] = this.#keys(key, now);
    this.redis
      .multi()
      .incr(hourKey)
      .pexpire(hourKey, HOUR_MS + 60_000)
      .incr(dayKey)
      .pexpire(dayKey, DAY_MS + 60_000)
      .exec()
      .catch((error: unknown) => this.#report(error));
  }
}

/** One window of a quota as the header describes it. */
interface Bucket {
  name: 'per_hour' | 'per_day';
  quota: number;
  used: number;
  /** Seconds until the window resets. */
  resetIn: number;
  /** When it resets, in seconds since the epoch. */
  resetAt: number;
}

function buckets(quota: TokenQuota, usage: QuotaUsage, now: number): Bucket[] {
  const out: Bucket[] = [];
  const window = (name: Bucket['name'], limit: number | undefined, used: number, size: number) => {
    if (limit === undefined) return;
    const end = (Math.floor(now / size) + 1) * size;
    out.push({ name, quota: limit, used, resetIn: Math.ceil((end - now) / 1000), resetAt: Math.floor(end / 1000) });
  };
  window('per_hour', quota.perHour, usage.hour, HOUR_MS);
  window('per_day', quota.perDay, usage.day, DAY_MS);
  return out;
}

const header = (list: Bucket[], remaining: (b: Bucket) => number) =>
  list.map((b) => `b=${b.name};q=${b.quota};r=${remaining(b)};t=${b.resetIn}`).join(',');

/** The response header that reports a subject's quota. */
export const quotaHeaderName = (subject: QuotaSubject) =>
  subject === 'client' ? 'auth0-client-quota-limit' : 'auth0-organization-quota-limit';

/**
 * The quota header for a request about to get a token, or the 429 to answer instead when an enforced window is
 * used up.
 */
export function checkQuota(
  quota: TokenQuota,
  usage: QuotaUsage,
  now: number,
  subject: QuotaSubject,
): { header: string } | { error: OAuthError } {
  const list = buckets(quota, usage, now);
  // The window that frees up last decides when the client may come back.
  const spent = list.filter((b) => b.used >= b.quota).sort((a, b) => b.resetIn - a.resetIn)[0];
  if (spent !== undefined && quota.enforce) {
    return {
      error: new TooManyRequests(
        subject === 'client' ? 'Client quota exceeded' : 'Organization quota exceeded',
        {
          [quotaHeaderName(subject)]: header(list, (b) => Math.max(0, b.quota - b.used)),
          'retry-after': String(spent.resetIn),
          'x-ratelimit-limit': String(spent.quota),
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': String(spent.resetAt),
        },
        { reason: `${subject} quota ${spent.name}: ${spent.used} of ${spent.quota} tokens issued` },
      ),
    };
  }
  return { header: header(list, (b) => Math.max(0, b.quota - b.used - 1)) };
}
