/**
 * Signing-key lifecycle, per algorithm: `next` (published, not yet signing) → `current` (signing) →
 * `previous` (published until the last token it signed has expired) → `expired`; or `revoked` at once.
 * Private keys are stored sealed; the kid is the key's RFC 7638 thumbprint.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { sql } from 'kysely';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Db } from '../store/database.js';
import {
  findSigningKey,
  insertSigningKey,
  listSigningKeys,
  updateSigningKey,
  type KeyStatus,
  type SigningKeyRow,
} from '../store/signing-keys.js';
import { generatePrivateKey, SIGNING_ALGORITHMS, type SigningAlg } from './algorithms.js';
import { ConfigError } from '../errors.js';
import { KeyAlreadyRevoked, KeyNotFound, RotationTooEarly } from './key-errors.js';

/** A freshly made key, sealed for storage. */
async function makeKey(db: Db, box: SecretBox, alg: SigningAlg, status: KeyStatus, now: Date): Promise<void> {
  const privateKey = generatePrivateKey(alg);
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' }) as JWK;
  const thumbprint = await calculateJwkThumbprint(jwk, 'sha256');
  const kid = thumbprint;
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  await insertSigningKey(db, {
    kid,
    alg,
    status,
    private_key: box.seal(pem, `signing-key:${kid}`),
    public_jwk: { ...jwk, kid, alg, use: 'sig' },
    thumbprint,
    current_since: status === 'current' ? now : null,
  });
}

/** Opens a stored private key. */
export function openPrivateKey(box: SecretBox, row: SigningKeyRow): KeyObject {
  return createPrivateKey({ key: box.open(row.private_key, `signing-key:${row.kid}`), format: 'pem' });
}

/**
 * Refuses to start with a secret key that cannot open the stored signing keys (a changed MINTER_SECRET_KEY, or a
 * second instance that generated its own `secret.key`), before anything is written with the wrong key.
 */
export async function checkSealingKey(db: Db, box: SecretBox): Promise<void> {
  const [row] = await listSigningKeys(db);
  if (!row) return;
  try {
    openPrivateKey(box, row);
  } catch {
    throw new ConfigError(
      'MINTER_SECRET_KEY (or secret.key in MINTER_DATA_DIR) is not the key the stored signing keys were sealed with; ' +
        'start with the key used before (every instance sharing a database needs the same MINTER_SECRET_KEY)',
    );
  }
}

/**
 * Runs a lifecycle change in a transaction holding the signing keys' table lock (readers do not wait for it):
 * rotations, revocations and the start-up check of every instance sharing the database take turns, so two at once
 * cannot both promote a key or both add one — six concurrent rotations left four current RS256 keys before.
 */
function oneAtATime<T>(db: Db, change: (tx: Db) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (tx) => {
    await sql`lock table signing_keys in share row exclusive mode`.execute(tx);
    return change(tx);
  });
}

/**
 * Makes sure every algorithm has a current and a next key, and retires previous keys whose tokens have all
 * expired. Runs at start-up and after every rotation or revocation.
 */
export function ensureSigningKeys(db: Db, box: SecretBox, now = new Date()): Promise<void> {
  return oneAtATime(db, (tx) => ensureWithin(tx, box, now));
}

async function ensureWithin(db: Db, box: SecretBox, now: Date): Promise<void> {
  const rows = await listSigningKeys(db);
  for (const row of rows) {
    if (row.status === 'previous' && row.publish_until && row.publish_until <= now) {
      await updateSigningKey(db, row.kid, { status: 'expired' });
    }
  }
  for (const alg of SIGNING_ALGORITHMS) {
    const mine = rows.filter((r) => r.alg === alg);
    const current = mine.find((r) => r.status === 'current');
    const next = mine.find((r) => r.status === 'next');
    if (!current) {
      if (next) await updateSigningKey(db, next.kid, { status: 'current', current_since: now });
      else await makeKey(db, box, alg, 'current', now);
    }
    if (!next || !current) await makeKey(db, box, alg, 'next', now);
  }
}

/** Minimum age of the next key before a rotation promotes it: verifiers may cache the JWKS this long (s). */
export const JWKS_MAX_AGE_SECONDS = 300;

/**
 * Rotates every algorithm (or one): next → current, current → previous (kept in the JWKS for
 * `maxTokenLifetimeSeconds` more, so every token it signed still verifies), and a new next key.
 * Refused ({@link RotationTooEarly}) while the next key is younger than the JWKS cache lifetime unless `force`: a
 * verifier that cached the JWKS before the next key was published would not know the new signing key yet.
 */
export async function rotateSigningKeys(
  db: Db,
  box: SecretBox,
  options: { maxTokenLifetimeSeconds: number; alg?: SigningAlg; force?: boolean; now?: Date },
): Promise<void> {
  return oneAtATime(db, (tx) => rotateWithin(tx, box, options));
}

async function rotateWithin(
  db: Db,
  box: SecretBox,
  options: { maxTokenLifetimeSeconds: number; alg?: SigningAlg; force?: boolean; now?: Date },
): Promise<void> {
  const now = options.now ?? new Date();
  const rows = await listSigningKeys(db);
  const algs = options.alg ? [options.alg] : SIGNING_ALGORITHMS;
  if (!options.force) {
    for (const alg of algs) {
      const next = rows.find((r) => r.alg === alg && r.status === 'next');
      const age = next ? (now.getTime() - next.created_at.getTime()) / 1000 : Infinity;
      if (age < JWKS_MAX_AGE_SECONDS) {
        throw new RotationTooEarly(alg, age, JWKS_MAX_AGE_SECONDS);
      }
    }
  }
  const publishUntil = new Date(now.getTime() + (options.maxTokenLifetimeSeconds + 60) * 1000);
  for (const alg of algs) {
    for (const row of rows.filter((r) => r.alg === alg)) {
      if (row.status === 'current') {
        await updateSigningKey(db, row.kid, { status: 'previous', current_until: now, publish_until: publishUntil });
      } else if (row.status === 'next') {
        await updateSigningKey(db, row.kid, { status: 'current', current_since: now });
      }
    }
  }
  await ensureWithin(db, box, now);
}

/**
 * Revokes a key: it leaves the JWKS at once; a revoked current key is replaced by the next one. Rejects with
 * {@link KeyNotFound} or {@link KeyAlreadyRevoked}.
 */
export function revokeSigningKey(db: Db, box: SecretBox, kid: string, now = new Date()): Promise<SigningKeyRow> {
  return oneAtATime(db, (tx) => revokeWithin(tx, box, kid, now));
}

async function revokeWithin(db: Db, box: SecretBox, kid: string, now: Date): Promise<SigningKeyRow> {
  const row = await findSigningKey(db, kid);
  if (!row) throw new KeyNotFound(kid);
  if (row.status === 'revoked') throw new KeyAlreadyRevoked(kid);
  await updateSigningKey(db, kid, {
    status: 'revoked',
    revoked_at: now,
    ...(row.status === 'current' && { current_until: now }),
  });
  await ensureWithin(db, box, now);
  return (await findSigningKey(db, kid))!;
}
