/** Queries on `client_grants` (client × audience × scopes). */
import type { Selectable } from 'kysely';
import type { Db } from './database.js';
import type { ClientGrantsTable } from './schema.js';

export type ClientGrantRow = Selectable<ClientGrantsTable>;

export interface NewClientGrant {
  id: string;
  client_id: string;
  audience: string;
  scope: string[];
  organization_usage?: string | null;
  allow_any_organization?: boolean;
  is_system?: boolean;
}

export const insertClientGrant = (db: Db, grant: NewClientGrant) =>
  db
    .insertInto('client_grants')
    .values({
      id: grant.id,
      client_id: grant.client_id,
      audience: grant.audience,
      scope: JSON.stringify(grant.scope),
      organization_usage: grant.organization_usage ?? null,
      allow_any_organization: grant.allow_any_organization ?? false,
      is_system: grant.is_system ?? false,
    })
    .returningAll()
    .executeTakeFirstOrThrow();

export interface GrantFilter {
  client_id?: string;
  audience?: string;
  /** Only the grants this organization is authorized to use. */
  organization_id?: string;
}

export function listClientGrants(db: Db, filter: GrantFilter = {}) {
  let query = db.selectFrom('client_grants').selectAll();
  if (filter.client_id) query = query.where('client_id', '=', filter.client_id);
  if (filter.audience) query = query.where('audience', '=', filter.audience);
  if (filter.organization_id) {
    const organizationId = filter.organization_id;
    query = query.where('id', 'in', (sub) =>
      sub.selectFrom('organization_client_grants').select('grant_id').where('organization_id', '=', organizationId),
    );
  }
  return query.orderBy('created_at').orderBy('id').execute();
}

export const findClientGrant = (db: Db, id: string) =>
  db.selectFrom('client_grants').selectAll().where('id', '=', id).executeTakeFirst();

export const findGrantFor = (db: Db, clientId: string, audience: string) =>
  db
    .selectFrom('client_grants')
    .selectAll()
    .where('client_id', '=', clientId)
    .where('audience', '=', audience)
    .executeTakeFirst();

export interface ClientGrantChanges {
  scope?: string[];
  organization_usage?: string | null;
  allow_any_organization?: boolean;
}

export const updateClientGrant = (db: Db, id: string, changes: ClientGrantChanges) => {
  const { scope, ...plain } = changes;
  return db
    .updateTable('client_grants')
    .set({ ...plain, ...(scope && { scope: JSON.stringify(scope) }), updated_at: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
};

export async function deleteClientGrant(db: Db, id: string): Promise<boolean> {
  const result = await db.deleteFrom('client_grants').where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** Moves every grant from one audience to another (when the issuer, and so the management audience, changes). */
export const moveGrantsToAudience = (db: Db, from: string, to: string) =>
  db.updateTable('client_grants').set({ audience: to, updated_at: new Date() }).where('audience', '=', from).execute();

/** Removes every grant on an API (when the API is deleted). */
export const deleteGrantsForAudience = (db: Db, audience: string) =>
  db.deleteFrom('client_grants').where('audience', '=', audience).execute();
