/** Queries on `resource_servers` (APIs). */
import type { Selectable } from 'kysely';
import type { Db } from './database.js';
import type { ResourceServersTable } from './schema.js';

export type ResourceServerRow = Selectable<ResourceServersTable>;
export type Scope = { value: string; description: string };

export interface NewResourceServer {
  id: string;
  identifier: string;
  name: string;
  scopes: Scope[];
  token_lifetime: number;
  signing_alg: string;
  token_dialect: string;
  is_system?: boolean;
}

export const insertResourceServer = (db: Db, rs: NewResourceServer) =>
  db
    .insertInto('resource_servers')
    .values({ ...rs, scopes: JSON.stringify(rs.scopes), is_system: rs.is_system ?? false })
    .returningAll()
    .executeTakeFirstOrThrow();

export const listResourceServers = (db: Db) =>
  db.selectFrom('resource_servers').selectAll().orderBy('created_at').orderBy('id').execute();

/** By id or by identifier (Auth0 accepts either in the path). */
export const findResourceServer = (db: Db, idOrIdentifier: string) =>
  db
    .selectFrom('resource_servers')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', idOrIdentifier), eb('identifier', '=', idOrIdentifier)]))
    .executeTakeFirst();

/** By identifier (audience) only: what grants and tokens name. */
export const findResourceServerByIdentifier = (db: Db, identifier: string) =>
  db.selectFrom('resource_servers').selectAll().where('identifier', '=', identifier).executeTakeFirst();

export interface ResourceServerChanges {
  identifier?: string;
  name?: string;
  scopes?: Scope[];
  token_lifetime?: number;
  signing_alg?: string;
  token_dialect?: string;
}

export const updateResourceServer = (db: Db, id: string, changes: ResourceServerChanges) => {
  const { scopes, ...plain } = changes;
  return db
    .updateTable('resource_servers')
    .set({ ...plain, ...(scopes && { scopes: JSON.stringify(scopes) }), updated_at: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
};

export async function deleteResourceServer(db: Db, id: string): Promise<boolean> {
  const result = await db.deleteFrom('resource_servers').where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}
