/**
 * What instances share on the token path: token quota counts and used assertion ids, in Redis when there are several
 * (REDIS_URL), in this process's memory otherwise. The Redis connection closes when the app does.
 */
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import type { Config } from '../config.js';
import { MemoryReplayGuard, RedisReplayGuard, type ReplayGuard } from '../oauth/assertion-replay.js';
import { MemoryQuotaCounter, RedisQuotaCounter, type QuotaCounter } from '../oauth/token-quota.js';
import { throttledReport } from '../observability/throttled-report.js';

export interface SharedCounters {
  quotas: QuotaCounter;
  replay: ReplayGuard;
}

export async function openSharedCounters(app: FastifyInstance, config: Readonly<Config>): Promise<SharedCounters> {
  if (!config.redisUrl) return { quotas: new MemoryQuotaCounter(), replay: new MemoryReplayGuard() };
  // No offline queue: while Redis is away, calls fail at once and both fall back (never a token request left waiting).
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true });
  app.addHook('onClose', () => redis.disconnect());
  const report = throttledReport((error) =>
    app.log.warn(error, 'Redis connection error (quotas and assertion replays fall back)'),
  );
  redis.on('error', report);
  // Connected before the first request when Redis is there; a Redis that is not does not stop the start.
  await redis.connect().catch(report);
  return {
    quotas: new RedisQuotaCounter(redis, (error) =>
      app.log.error(error, 'token quota count failed (Redis); tokens are issued uncounted'),
    ),
    replay: new RedisReplayGuard(redis, (error) =>
      app.log.error(error, 'assertion replay check failed (Redis); this instance remembers them meanwhile'),
    ),
  };
}
