/** Queries on `signing_keys`. The private key column holds sealed (encrypted) PKCS#8 PEM only. */
import type { Selectable } from 'kysely';
import type { Db } from './database.js';
import type { SigningKeysTable } from './schema.js';

export type SigningKeyRow = Selectable<SigningKeysTable>;
export type KeyStatus = 'next' | 'current' | 'previous' | 'revoked' | 'expired';

export const listSigningKeys = (db: Db) =>
  db.selectFrom('signing_keys').selectAll().orderBy('created_at').orderBy('kid').execute();

export const findSigningKey = (db: Db, kid: string) =>
  db.selectFrom('signing_keys').selectAll().where('kid', '=', kid).executeTakeFirst();

export interface NewSigningKey {
  kid: string;
  alg: string;
  status: KeyStatus;
  private_key: string;
  public_jwk: Record<string, unknown>;
  thumbprint: string;
  current_since?: Date | null;
}

export const insertSigningKey = (db: Db, key: NewSigningKey) =>
  db
    .insertInto('signing_keys')
    .values({ ...key, public_jwk: JSON.stringify(key.public_jwk), current_since: key.current_since ?? null })
    .execute();

export interface SigningKeyChanges {
  status?: KeyStatus;
  current_since?: Date | null;
  current_until?: Date | null;
  publish_until?: Date | null;
  revoked_at?: Date | null;
}

export const updateSigningKey = (db: Db, kid: string, changes: SigningKeyChanges) =>
  db.updateTable('signing_keys').set(changes).where('kid', '=', kid).execute();
