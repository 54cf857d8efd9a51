/** Queries on `client_credentials`: the public keys of `private_key_jwt` clients. */
import type { Insertable, Selectable } from 'kysely';
import type { Db } from './database.js';
import type { ClientCredentialsTable } from './schema.js';

export type ClientCredentialRow = Selectable<ClientCredentialsTable>;
export type NewClientCredential = Omit<Insertable<ClientCredentialsTable>, 'created_at' | 'updated_at'>;

export const insertClientCredential = (db: Db, credential: NewClientCredential) =>
  db.insertInto('client_credentials').values(credential).returningAll().executeTakeFirstOrThrow();

/** Every credential of every client (the registry's snapshot), oldest first. */
export const listAllClientCredentials = (db: Db) =>
  db.selectFrom('client_credentials').selectAll().orderBy('created_at').orderBy('id').execute();

export const listClientCredentials = (db: Db, clientId: string) =>
  db.selectFrom('client_credentials').selectAll().where('client_id', '=', clientId).orderBy('created_at').orderBy('id').execute();

export const findClientCredential = (db: Db, clientId: string, id: string) =>
  db.selectFrom('client_credentials').selectAll().where('client_id', '=', clientId).where('id', '=', id).executeTakeFirst();

export async function deleteClientCredential(db: Db, clientId: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom('client_credentials').where('client_id', '=', clientId).where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}
