/**
 * Auth0 `api.cache` kept in process memory, one namespace per action id.
 *
 * Limits follow Auth0's "Actions Limitations" (cached data): at most 20 entries, keys ≤ 64 bytes, values ≤ 4 KB,
 * keys and values together ≤ 8 KB, lifetime ≤ 24 h, default lifetime 15 min (docs change of 2026-05-22). Error codes
 * are the `CacheWriteResult` codes of the Auth0 notes §2. Auth0 documents the cache as ephemeral, so one process's
 * memory is a faithful home for it; a shared cache can implement the same {@link ActionCache} interface.
 */
import type { ActionCache, CacheRecord, CacheWriteResult } from '../contract.js';

/** Auth0's cache limits; sizes in bytes (UTF-8), times in ms. */
export const AUTH0_CACHE_LIMITS = {
  maxEntries: 20,
  maxKeyBytes: 64,
  maxValueBytes: 4 * 1024,
  maxTotalBytes: 8 * 1024,
  defaultTtlMs: 15 * 60 * 1000,
  maxTtlMs: 24 * 60 * 60 * 1000,
} as const;

export type ActionCacheLimits = { [K in keyof typeof AUTH0_CACHE_LIMITS]: number };

interface Entry {
  value: string;
  expires_at: number;
  bytes: number;
}

const error = (code: string): CacheWriteResult => ({ type: 'error', code });

/** In-memory {@link ActionCache} with Auth0's limits. */
export class InMemoryActionCache implements ActionCache {
  readonly #namespaces = new Map<string, Map<string, Entry>>();
  readonly #now: () => number;
  readonly #limits: ActionCacheLimits;

  constructor(options: { now?: () => number; limits?: Partial<ActionCacheLimits> } = {}) {
    this.#now = options.now ?? Date.now;
    this.#limits = { ...AUTH0_CACHE_LIMITS, ...options.limits };
  }

  get(actionId: string, key: string): CacheRecord | undefined {
    const entry = this.#live(actionId).get(key);
    return entry === undefined ? undefined : { value: entry.value, expires_at: entry.expires_at };
  }

  set(
    actionId: string,
    key: string,
    value: string,
    options: { ttl?: number; expires_at?: number } = {},
  ): CacheWriteResult {
    const limits = this.#limits;
    const keyBytes = Buffer.byteLength(key);
    const valueBytes = Buffer.byteLength(value);
    if (keyBytes > limits.maxKeyBytes) return error('CacheKeySizeExceeded');
    if (valueBytes > limits.maxValueBytes) return error('CacheValueSizeExceeded');

    const now = this.#now();
    let expiresAt = now + limits.defaultTtlMs;
    if (options.ttl !== undefined || options.expires_at !== undefined) {
      const candidates: number[] = [];
      if (options.ttl !== undefined) candidates.push(now + options.ttl);
      if (options.expires_at !== undefined) candidates.push(options.expires_at);
      if (!candidates.every(Number.isFinite)) return error('InvalidExpiry');
      // Auth0: "if both are given, the earlier wins".
      expiresAt = Math.min(...candidates);
    }
    if (expiresAt <= now) return error('ItemAlreadyExpired');
    expiresAt = Math.min(expiresAt, now + limits.maxTtlMs);

    const entries = this.#live(actionId);
    const previous = entries.get(key);
    if (previous === undefined && entries.size >= limits.maxEntries) return error('CacheSizeExceeded');
    let total = keyBytes + valueBytes;
    for (const [k, entry] of entries) if (k !== key) total += entry.bytes;
    if (total > limits.maxTotalBytes) return error('CacheSizeExceeded');

    entries.set(key, { value, expires_at: expiresAt, bytes: keyBytes + valueBytes });
    this.#namespaces.set(actionId, entries);
    return { type: 'success', record: { value, expires_at: expiresAt } };
  }

  delete(actionId: string, key: string): CacheWriteResult {
    const entries = this.#live(actionId);
    if (!entries.delete(key)) return error('CacheKeyDoesNotExist');
    if (entries.size === 0) this.#namespaces.delete(actionId);
    return { type: 'success' };
  }

  /** The action's entries with the expired ones dropped. */
  #live(actionId: string): Map<string, Entry> {
    const entries = this.#namespaces.get(actionId);
    if (entries === undefined) return new Map();
    const now = this.#now();
    for (const [key, entry] of entries) if (entry.expires_at <= now) entries.delete(key);
    return entries;
  }
}
