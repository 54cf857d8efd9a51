/** Queries on `organizations` and `organization_client_grants`. */
import type { Selectable } from 'kysely';
import type { Db } from './database.js';
import type { OrganizationClientGrantsTable, OrganizationsTable, TokenQuotaJson } from './schema.js';

export type OrganizationRow = Selectable<OrganizationsTable>;
export type OrganizationGrantRow = Selectable<OrganizationClientGrantsTable>;

export interface OrganizationFields {
  name?: string;
  display_name?: string;
  metadata?: Record<string, string>;
  token_quota?: TokenQuotaJson | null;
}

export const insertOrganization = (db: Db, id: string, fields: OrganizationFields & { name: string }) =>
  db
    .insertInto('organizations')
    .values({
      id,
      name: fields.name,
      display_name: fields.display_name ?? '',
      metadata: JSON.stringify(fields.metadata ?? {}),
      token_quota: fields.token_quota ? JSON.stringify(fields.token_quota) : null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();

export const listOrganizations = (db: Db) =>
  db.selectFrom('organizations').selectAll().orderBy('created_at').orderBy('id').execute();

export const findOrganization = (db: Db, id: string) =>
  db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst();

export const findOrganizationByName = (db: Db, name: string) =>
  db.selectFrom('organizations').selectAll().where('name', '=', name).executeTakeFirst();

export function updateOrganization(db: Db, id: string, fields: OrganizationFields) {
  const { metadata, token_quota, ...plain } = fields;
  return db
    .updateTable('organizations')
    .set({
      ...plain,
      ...(metadata && { metadata: JSON.stringify(metadata) }),
      ...(token_quota !== undefined && { token_quota: token_quota === null ? null : JSON.stringify(token_quota) }),
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteOrganization(db: Db, id: string): Promise<boolean> {
  const result = await db.deleteFrom('organizations').where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** The organizations a client grant is associated with, in creation order. */
export const listOrganizationsOfGrant = (db: Db, grantId: string) =>
  db
    .selectFrom('organizations')
    .innerJoin('organization_client_grants as ocg', 'ocg.organization_id', 'organizations.id')
    .selectAll('organizations')
    .where('ocg.grant_id', '=', grantId)
    .orderBy('organizations.created_at')
    .orderBy('organizations.id')
    .execute();

/** Every (organization, grant) pair: the registry's snapshot. */
export const listAllOrganizationGrants = (db: Db) => db.selectFrom('organization_client_grants').selectAll().execute();

/** Associates; false when the pair already existed. */
export async function addOrganizationGrant(db: Db, organizationId: string, grantId: string): Promise<boolean> {
  const result = await db
    .insertInto('organization_client_grants')
    .values({ organization_id: organizationId, grant_id: grantId })
    .onConflict((c) => c.columns(['organization_id', 'grant_id']).doNothing())
    .executeTakeFirst();
  return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
}

export async function removeOrganizationGrant(db: Db, organizationId: string, grantId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('organization_client_grants')
    .where('organization_id', '=', organizationId)
    .where('grant_id', '=', grantId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** The organizations a client grant is authorized for (ids). */
export async function organizationsOfGrant(db: Db, grantId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('organization_client_grants')
    .select('organization_id')
    .where('grant_id', '=', grantId)
    .execute();
  return rows.map((row) => row.organization_id);
}
