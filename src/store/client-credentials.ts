/** Queries on `client_credentials`: the public keys of `private_key_jwt` clients. */
import type { Insertable, Selectable } from 'kysely';
import type { Db } from './database.js';
import type { ClientCredentialsTable } from './schema.js';

export type ClientCredentialRow = Selectable<ClientCredentialsTable>;
export type NewClientCredential = Omit<Insertable<ClientCredentialsTable>, 'created_at' | 'updated_at'>;

/** What {@link addClientCredential} did: the new row, or why it added none. */
export type CredentialAdded =
  { row: ClientCredentialRow } | { refused: 'no_client' | 'same_key' | 'full'; held: number };

/**
 * Adds a credential unless the client is gone, already has this key (same `kid`), or holds `max` already. The checks
 * and the insert run under a lock on the client's row, so concurrent adds see each other: of N identical ones exactly
 * one is added, and N different ones never take a client past `max`.
 */
export async function addClientCredential(
  db: Db,
  credential: NewClientCredential,
  max: number,
): Promise<CredentialAdded> {
  return db.transaction().execute(async (tx) => {
    const client = await tx
      .selectFrom('clients')
      .select('client_id')
      .where('client_id', '=', credential.client_id)
      .forUpdate()
      .executeTakeFirst();
    if (!client) return { refused: 'no_client', held: 0 };
    const held = await tx
      .selectFrom('client_credentials')
      .select('kid')
      .where('client_id', '=', credential.client_id)
      .execute();
    if (held.some((c) => c.kid === credential.kid)) return { refused: 'same_key', held: held.length };
    if (held.length >= max) return { refused: 'full', held: held.length };
    return {
      row: await tx.insertInto('client_credentials').values(credential).returningAll().executeTakeFirstOrThrow(),
    };
  });
}

/** Every credential of every client (the registry's snapshot), oldest first. */
export const listAllClientCredentials = (db: Db) =>
  db.selectFrom('client_credentials').selectAll().orderBy('created_at').orderBy('id').execute();

export const listClientCredentials = (db: Db, clientId: string) =>
  db
    .selectFrom('client_credentials')
    .selectAll()
    .where('client_id', '=', clientId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();

export const findClientCredential = (db: Db, clientId: string, id: string) =>
  db
    .selectFrom('client_credentials')
    .selectAll()
    .where('client_id', '=', clientId)
    .where('id', '=', id)
    .executeTakeFirst();

export async function deleteClientCredential(db: Db, clientId: string, id: string): Promise<boolean> {
  const result = await db
    .deleteFrom('client_credentials')
    .where('client_id', '=', clientId)
    .where('id', '=', id)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}
