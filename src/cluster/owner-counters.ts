/**
 * Token quotas and used assertion ids across token workers without Redis: the primary counts for every worker (one
 * {@link MemoryQuotaCounter} and one {@link MemoryReplayGuard}, the same objects its own routes use), and a worker
 * asks it over IPC — a round trip only for clients that have a quota or authenticate with `private_key_jwt`. So the
 * counts are exactly one machine's, as one process's are. With `REDIS_URL` the workers use Redis directly instead,
 * as separate instances do (plugins/redis.ts).
 *
 * Like Redis, the owner fails open when it cannot be asked (the worker is stopping then): usage reads as zero and a
 * replay is checked against this worker's own memory.
 */
import { MemoryReplayGuard, type ReplayGuard } from '../oauth/assertion-replay.js';
import type { QuotaCounter, QuotaUsage } from '../oauth/token-quota.js';
import type { OwnerCall } from './messages.js';
import type { WorkerChannel } from './worker-channel.js';

/** A worker's quota counter: usage asked of the primary, issued tokens sent to it. */
export class OwnerQuotaCounter implements QuotaCounter {
  constructor(readonly channel: WorkerChannel) {}

  usage(key: string, now: number): Promise<QuotaUsage> {
    return this.channel.call({ t: 'quota-usage', key, now }).catch(() => ({ hour: 0, day: 0 }));
  }

  count(key: string, now: number): void {
    this.channel.send({ t: 'quota-count', key, now });
  }
}

/** A worker's replay guard: every claim decided by the primary, which sees every worker's. */
export class OwnerReplayGuard implements ReplayGuard {
  readonly #fallback = new MemoryReplayGuard();

  constructor(readonly channel: WorkerChannel) {}

  claim(clientId: string, jti: string, forgetAt: number): Promise<boolean> {
    return this.channel
      .call({ t: 'replay-claim', clientId, jti, forgetAt })
      .catch(() => this.#fallback.claim(clientId, jti, forgetAt));
  }
}

/** The primary's answer to a worker's call, from the counters its own routes use. */
export function answerOwnerCall(
  call: OwnerCall,
  counters: { quotas: QuotaCounter; replay: ReplayGuard },
): Promise<unknown> | unknown {
  switch (call.t) {
    case 'quota-usage':
      return counters.quotas.usage(call.key, call.now);
    case 'replay-claim':
      return counters.replay.claim(call.clientId, call.jti, call.forgetAt);
  }
}
