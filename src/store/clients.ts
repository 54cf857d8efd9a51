/** Queries on `clients`. */
import type { Insertable, Selectable } from 'kysely';
import type { Db } from './database.js';
import type { ClientsTable, DefaultOrganizationJson, TokenQuotaJson } from './schema.js';

export type ClientRow = Selectable<ClientsTable>;

export interface NewClient {
  client_id: string;
  name: string;
  description?: string;
  app_type?: string;
  client_metadata?: Record<string, string>;
  properties?: Record<string, string>;
  secret_hash: string;
  token_endpoint_auth_method?: string;
  grant_types?: string[];
  is_system?: boolean;
  token_quota?: TokenQuotaJson | null;
  default_organization?: DefaultOrganizationJson | null;
}

export async function insertClient(db: Db, client: NewClient): Promise<ClientRow> {
  const row: Insertable<ClientsTable> = {
    client_id: client.client_id,
    name: client.name,
    description: client.description ?? '',
    app_type: client.app_type ?? 'non_interactive',
    client_metadata: JSON.stringify(client.client_metadata ?? {}),
    properties: JSON.stringify(client.properties ?? {}),
    secret_hash: client.secret_hash,
    token_endpoint_auth_method: client.token_endpoint_auth_method ?? 'client_secret_post',
    grant_types: JSON.stringify(client.grant_types ?? ['client_credentials']),
    is_system: client.is_system ?? false,
    token_quota: client.token_quota ? JSON.stringify(client.token_quota) : null,
    default_organization: client.default_organization ? JSON.stringify(client.default_organization) : null,
  };
  return db.insertInto('clients').values(row).returningAll().executeTakeFirstOrThrow();
}

export const listClients = (db: Db) =>
  db.selectFrom('clients').selectAll().orderBy('created_at').orderBy('client_id').execute();

export const findClient = (db: Db, clientId: string) =>
  db.selectFrom('clients').selectAll().where('client_id', '=', clientId).executeTakeFirst();

export interface ClientChanges {
  name?: string;
  description?: string;
  app_type?: string;
  client_metadata?: Record<string, string>;
  properties?: Record<string, string>;
  secret_hash?: string;
  token_endpoint_auth_method?: string;
  grant_types?: string[];
  /** null removes the quota. */
  token_quota?: TokenQuotaJson | null;
  /** null removes it. */
  default_organization?: DefaultOrganizationJson | null;
}

export async function updateClient(db: Db, clientId: string, changes: ClientChanges): Promise<ClientRow | undefined> {
  const { client_metadata, properties, grant_types, token_quota, default_organization, ...plain } = changes;
  return db
    .updateTable('clients')
    .set({
      ...plain,
      ...(client_metadata && { client_metadata: JSON.stringify(client_metadata) }),
      ...(properties && { properties: JSON.stringify(properties) }),
      ...(grant_types && { grant_types: JSON.stringify(grant_types) }),
      ...(token_quota !== undefined && { token_quota: token_quota === null ? null : JSON.stringify(token_quota) }),
      ...(default_organization !== undefined && {
        default_organization: default_organization === null ? null : JSON.stringify(default_organization),
      }),
      updated_at: new Date(),
    })
    .where('client_id', '=', clientId)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteClient(db: Db, clientId: string): Promise<boolean> {
  const result = await db.deleteFrom('clients').where('client_id', '=', clientId).executeTakeFirst();
  return result.numDeletedRows > 0n;
}
