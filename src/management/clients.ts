/**
 * `/api/v2/clients`: M2M applications in Auth0's shape. The secret is generated here, returned on create and on
 * `rotate-secret` only, and stored as a digest. Application properties (Kinde) live under `/properties`.
 */
import type { FastifyInstance } from 'fastify';
import { generateClientSecret, hashClientSecret } from '../crypto/client-secret.js';
import { BadRequest, NotFound } from '../errors.js';
import { newClientId } from '../ids.js';
import type { Registry } from '../registry/registry.js';
import { deleteClient, findClient, insertClient, listClients, updateClient, type ClientRow } from '../store/clients.js';
import { findOrganization } from '../store/organizations.js';
import type { DefaultOrganizationJson, TokenQuotaJson } from '../store/schema.js';
import { offsetPagingSchema, pagedList, type PagingQuery } from './paging.js';
import {
  clientMetadataSchema,
  ID,
  idParam,
  isSystemSent,
  timestampsSent,
  tokenQuotaSchema,
  unchangeable,
} from './schemas.js';

/** `private_key_jwt` turns the secret off: the client then authenticates with its registered keys only. */
const AUTH_METHODS = ['client_secret_post', 'client_secret_basic', 'private_key_jwt'] as const;

/** The client as the API shows it (never the secret or its digest). */
export function clientView(row: ClientRow, secret?: string) {
  return {
    client_id: row.client_id,
    name: row.name,
    description: row.description,
    app_type: row.app_type,
    client_metadata: row.client_metadata,
    token_endpoint_auth_method: row.token_endpoint_auth_method,
    grant_types: row.grant_types,
    ...(row.token_quota !== null && { token_quota: row.token_quota }),
    ...(row.default_organization !== null && { default_organization: row.default_organization }),
    is_first_party: true,
    is_system: row.is_system,
    ...(secret !== undefined && { client_secret: secret }),
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

const writable = {
  name: { type: 'string', minLength: 1, maxLength: 255 },
  description: { type: 'string', maxLength: 140 },
  app_type: { type: 'string', enum: ['non_interactive'] },
  client_metadata: clientMetadataSchema,
  token_endpoint_auth_method: { type: 'string', enum: AUTH_METHODS },
  grant_types: { type: 'array', items: { type: 'string', enum: ['client_credentials'] }, uniqueItems: true },
  default_organization: {
    anyOf: [
      { type: 'null' },
      {
        type: 'object',
        required: ['organization_id', 'flows'],
        additionalProperties: false,
        properties: {
          organization_id: { type: 'string', minLength: 1, maxLength: 64 },
          flows: {
            type: 'array',
            items: { type: 'string', enum: ['client_credentials'] },
            minItems: 1,
            uniqueItems: true,
          },
        },
      },
    ],
  },
  token_quota: tokenQuotaSchema,
  // Auth0 takes it on create and update; every Minter client is first party, so only `true` is accepted.
  is_first_party: { type: 'boolean' },
  ...isSystemSent,
  ...timestampsSent,
} as const;

interface ClientBody {
  name?: string;
  description?: string;
  app_type?: string;
  client_metadata?: Record<string, string>;
  token_endpoint_auth_method?: string;
  grant_types?: string[];
  token_quota?: TokenQuotaJson | null;
  default_organization?: DefaultOrganizationJson | null;
  is_first_party?: boolean;
}

/** `is_first_party` is Auth0's to send back; a third-party client is something Minter does not have. */
function firstPartyOnly(body: ClientBody & { client_id?: string }): void {
  if (body.is_first_party === false) {
    throw new BadRequest(
      'Payload validation error: body.is_first_party: Minter serves first-party clients only; send true or leave it out',
    );
  }
  delete body.is_first_party;
}

/** A default organization must exist when it is set (Auth0 answers 404 for an unknown one). */
async function checkDefaultOrganization(db: Registry['db'], body: ClientBody): Promise<void> {
  const id = body.default_organization?.organization_id;
  if (id !== undefined && !(await findOrganization(db, id)))
    throw new NotFound(`The organization ${id} does not exist`);
}

/** The client's row, or the management API's 404. */
export async function mustFindClient(db: Registry['db'], id: string): Promise<ClientRow> {
  const row = await findClient(db, id);
  if (!row) throw new NotFound(`The client ${id} does not exist`);
  return row;
}

/** An application property's key (also `/api/v1/applications/{id}/properties/{key}`'s). */
export const PROPERTY_KEY = { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_.:-]+$' } as const;
const propertyParams = { type: 'object', required: ['id', 'key'], properties: { id: ID, key: PROPERTY_KEY } } as const;

export function registerClientRoutes(app: FastifyInstance, registry: Registry): void {
  const db = registry.db;
  const mustFind = (id: string) => mustFindClient(db, id);

  app.get<{ Querystring: PagingQuery }>(
    '/clients',
    {
      config: { scope: 'read:clients' },
      schema: { tags: ['clients'], querystring: { type: 'object', properties: offsetPagingSchema } },
    },
    async (request) => pagedList(await listClients(db), request.query, 'clients', (r) => clientView(r)),
  );

  app.post<{ Body: ClientBody & { name: string } }>(
    '/clients',
    {
      config: { scope: 'create:clients' },
      schema: {
        tags: ['clients'],
        body: { type: 'object', required: ['name'], additionalProperties: false, properties: writable },
      },
    },
    async (request, reply) => {
      firstPartyOnly(request.body);
      await checkDefaultOrganization(db, request.body);
      const secret = generateClientSecret();
      const row = await insertClient(db, {
        client_id: newClientId(),
        ...request.body,
        secret_hash: hashClientSecret(secret),
      });
      await registry.changed();
      return reply.code(201).send(clientView(row, secret));
    },
  );

  app.get<{ Params: { id: string } }>(
    '/clients/:id',
    { config: { scope: 'read:clients' }, schema: { tags: ['clients'], params: idParam('id') } },
    async (request) => clientView(await mustFind(request.params.id)),
  );

  app.patch<{ Params: { id: string }; Body: ClientBody & { client_id?: string } }>(
    '/clients/:id',
    {
      config: { scope: 'update:clients' },
      schema: {
        tags: ['clients'],
        params: idParam('id'),
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { ...writable, client_id: { type: 'string', maxLength: 600 } },
        },
      },
    },
    async (request) => {
      const current = await mustFind(request.params.id);
      unchangeable(request.body, current, ['client_id'], 'a client keeps its id');
      firstPartyOnly(request.body);
      await checkDefaultOrganization(db, request.body);
      if (current.is_system && request.body.grant_types && !request.body.grant_types.includes('client_credentials')) {
        throw new BadRequest('The admin client must keep the client_credentials grant type', {
          errorCode: 'operation_not_supported',
        });
      }
      const row = await updateClient(db, current.client_id, request.body);
      if (!row) throw new NotFound(`The client ${request.params.id} does not exist`);
      await registry.changed();
      return clientView(row);
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/clients/:id',
    { config: { scope: 'delete:clients' }, schema: { tags: ['clients'], params: idParam('id') } },
    async (request, reply) => {
      const row = await mustFind(request.params.id);
      if (row.is_system)
        throw new BadRequest('The admin client cannot be deleted', { errorCode: 'operation_not_supported' });
      await deleteClient(db, row.client_id);
      await registry.changed();
      return reply.code(204).send();
    },
  );

  app.post<{ Params: { id: string } }>(
    '/clients/:id/rotate-secret',
    { config: { scope: 'update:client_keys' }, schema: { tags: ['clients'], params: idParam('id') } },
    async (request) => {
      const secret = generateClientSecret();
      const row = await updateClient(db, request.params.id, { secret_hash: hashClientSecret(secret) });
      if (!row) throw new NotFound(`The client ${request.params.id} does not exist`);
      await registry.changed();
      return clientView(row, secret);
    },
  );

  // Application properties (Kinde): key/value pairs on a client, readable by workflows.
  app.get<{ Params: { id: string } }>(
    '/clients/:id/properties',
    { config: { scope: 'read:clients' }, schema: { tags: ['clients'], params: idParam('id') } },
    async (request) => {
      const row = await mustFind(request.params.id);
      return { properties: Object.entries(row.properties).map(([key, value]) => ({ key, value })) };
    },
  );

  app.put<{ Params: { id: string; key: string }; Body: { value: string | boolean | number } }>(
    '/clients/:id/properties/:key',
    {
      config: { scope: 'update:clients' },
      schema: {
        tags: ['clients'],
        params: propertyParams,
        body: {
          type: 'object',
          required: ['value'],
          additionalProperties: false,
          properties: {
            value: { anyOf: [{ type: 'string', maxLength: 2048 }, { type: 'boolean' }, { type: 'number' }] },
          },
        },
      },
    },
    async (request) => {
      const row = await mustFind(request.params.id);
      const properties = { ...row.properties, [request.params.key]: String(request.body.value) };
      await updateClient(db, row.client_id, { properties });
      await registry.changed();
      return { key: request.params.key, value: properties[request.params.key] };
    },
  );

  app.delete<{ Params: { id: string; key: string } }>(
    '/clients/:id/properties/:key',
    {
      config: { scope: 'update:clients' },
      schema: { tags: ['clients'], params: propertyParams },
    },
    async (request, reply) => {
      const row = await mustFind(request.params.id);
      // Own keys only: `toString`, `constructor` or `__proto__` is a property the client does not have, not Object's.
      if (!Object.hasOwn(row.properties, request.params.key))
        throw new NotFound(`The client has no property ${request.params.key}`);
      const { [request.params.key]: _removed, ...properties } = row.properties;
      await updateClient(db, row.client_id, { properties });
      await registry.changed();
      return reply.code(204).send();
    },
  );
}
