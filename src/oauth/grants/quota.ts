/**
 * The grant's step 4: the token quotas the request is under (token-quota.ts), its client's and its organization's:
 * checked before the token is issued, counted once it is. Most requests are under none and leave at once; a count
 * kept in Redis is the one check that waits.
 */
import type { Snapshot, TokenQuota } from '../../registry/snapshot.js';
import type { Authorised, CheckedQuota } from '../token-context.js';
import {
  checkQuota,
  quotaHeaderName,
  quotaKey,
  type QuotaCounter,
  type QuotaSubject,
  type QuotaUsage,
} from '../token-quota.js';

/** A quota that applies to a request: the client's own, or its organization's. */
interface ApplicableQuota {
  subject: QuotaSubject;
  /** The counter key (`quotaKey`). */
  key: string;
  quota: TokenQuota;
}

const NO_QUOTAS: readonly ApplicableQuota[] = [];

/**
 * The quotas a request is under: its client's, and its organization's. Like Auth0's, quotas count tokens for the
 * operator's APIs, never the management API's.
 */
function applicableQuotas(snapshot: Snapshot, ctx: Authorised): readonly ApplicableQuota[] {
  if (ctx.api.isSystem) return NO_QUOTAS;
  const client = ctx.client.quota;
  const organization = ctx.organization && snapshot.organizations.quotas.get(ctx.organization.id);
  if (client === undefined && organization === undefined) return NO_QUOTAS;
  const quotas: ApplicableQuota[] = [];
  if (client !== undefined)
    quotas.push({ subject: 'client', key: quotaKey('client', ctx.client.clientId), quota: client });
  if (organization && ctx.organization)
    quotas.push({ subject: 'organization', key: quotaKey('organization', ctx.organization.id), quota: organization });
  return quotas;
}

/** Checks each quota; the first one used up answers (a 429, thrown; or only reported when not enforced). */
function withinQuotas(
  ctx: Authorised,
  quotas: readonly ApplicableQuota[],
  usages: readonly QuotaUsage[],
  now: number,
): Authorised {
  const checked: CheckedQuota[] = [];
  for (const [i, quota] of quotas.entries()) {
    const result = checkQuota(quota.quota, usages[i]!, now, quota.subject);
    if ('error' in result) throw result.error;
    checked.push({ key: quota.key, headerName: quotaHeaderName(quota.subject), header: result.header });
  }
  ctx.quotas = checked;
  return ctx;
}

/**
 * Checks the request's quotas against the tokens counted so far: the context (with its quotas, if any), or a promise
 * of it when the count is kept elsewhere (Redis). Throws (or rejects with) `too_many_requests`.
 */
export function quota(ctx: Authorised, snapshot: Snapshot, counter: QuotaCounter): Authorised | Promise<Authorised> {
  const quotas = applicableQuotas(snapshot, ctx);
  if (quotas.length === 0) return ctx;
  const now = Date.now();
  const usages = quotas.map((q) => counter.usage(q.key, now));
  if (usages.some((usage) => usage instanceof Promise)) {
    return Promise.all(usages).then((counted) => withinQuotas(ctx, quotas, counted, now));
  }
  return withinQuotas(ctx, quotas, usages as QuotaUsage[], now);
}

/** Counts an issued token under each quota its request is under. */
export function countToken(ctx: Authorised, counter: QuotaCounter): void {
  if (ctx.quotas === undefined) return;
  const now = Date.now();
  for (const checked of ctx.quotas) counter.count(checked.key, now);
}
