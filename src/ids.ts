/**
 * Identifier formats. Client ids and secrets follow Auth0's look (32 and 64 URL-safe characters); log ids sort by
 * time so that checkpoint paging (`from`) is a plain range scan.
 */
import { randomBytes, randomFillSync, randomUUID } from 'node:crypto';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Random string over [A-Za-z0-9] without modulo bias. */
export function randomAlphanumeric(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248) out += ALPHANUMERIC[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

/** Auth0-style client id: 32 alphanumeric characters (≈190 bits). */
export const newClientId = () => randomAlphanumeric(32);
/** Resource server id: 24 hex characters, as Auth0's. */
export const newResourceServerId = () => randomBytes(12).toString('hex');
/** Client grant id: `cgr_` + 16 alphanumerics, as Auth0's. */
export const newClientGrantId = () => `cgr_${randomAlphanumeric(16)}`;
export const newClientCredentialId = () => `cred_${randomAlphanumeric(20)}`;
export const newOrganizationId = () => `org_${randomAlphanumeric(16)}`;
export const newUuid = () => randomUUID();

let lastMs = 0;
let sequence = 0;
/** Random bytes for log ids, drawn 4 KiB at a time: one `randomFillSync` per 512 ids instead of one per id. */
const pool = Buffer.allocUnsafe(4096);
let poolOffset = pool.length;

/** Time-ordered id: 12 hex ms + 4 hex sequence + 16 hex random; lexicographic order = creation order per process. */
export function newLogId(now = Date.now()): string {
  if (now === lastMs) sequence = (sequence + 1) & 0xffff;
  else {
    lastMs = now;
    sequence = 0;
  }
  if (poolOffset === pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const random = pool.toString('hex', poolOffset, poolOffset + 8);
  poolOffset += 8;
  return now.toString(16).padStart(12, '0') + sequence.toString(16).padStart(4, '0') + random;
}
