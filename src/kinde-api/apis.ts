/**
 * `/api/v1/apis`: Kinde's APIs, mapped onto Minter's resource servers (Kinde's `audience` is the identifier), and
 * `PATCH /apis/{id}/applications`, which authorizes applications for an API: a client grant each, with no scope until
 * `POST /apis/{id}/applications/{app}/scopes/{scope}` enables one (api-scopes.ts), as in Kinde. Kinde's management
 * API (`<issuer>/api`) is listed with `is_management_api: true`: it cannot be deleted, but applications can be
 * authorized for it. Minter's own `/api/v2` API is not part of Kinde's world and not shown: its grants (which can
 * deploy code) are made on `/api/v2`, with its own scopes.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { KindeError } from '../errors.js';
import { newClientGrantId, newResourceServerId } from '../ids.js';
import { ID, idParams } from '../management/schemas.js';
import type { Registry } from '../registry/registry.js';
import {
  deleteClientGrant,
  deleteGrantsForAudience,
  findGrantFor,
  insertClientGrant,
  listClientGrants,
} from '../store/client-grants.js';
import { listClients } from '../store/clients.js';
import type { Db } from '../store/database.js';
import {
  deleteResourceServer,
  findResourceServer,
  findResourceServerByIdentifier,
  insertResourceServer,
  listResourceServers,
  type ResourceServerRow,
} from '../store/resource-servers.js';
import { findApplication } from './applications.js';
import { organizationOf, requireOrganization } from './organization-scope.js';
import { kindePage, pagingQuerySchema, type PagingQuery } from './paging.js';
import { kindeAudience } from './scopes.js';

/** Whether `/api/v1` shows this API: every API but Minter's own management API (`/api/v2`). */
const isKindeApi = (row: ResourceServerRow, issuer: string) =>
  !row.is_system || row.identifier === kindeAudience(issuer);

/** The API `id` names, or Kinde's 404. */
export async function mustFindApi(db: Db, issuer: string, id: string): Promise<ResourceServerRow> {
  const row = await findResourceServer(db, id);
  if (!row || !isKindeApi(row, issuer)) throw new KindeError(404, 'API_NOT_FOUND', `No API has the id ${id}`);
  return row;
}

/**
 * A scope's id (Kinde's `api_scope_…`): Minter's scopes have none, so it is derived from the API and the key, and
 * stays the same for as long as both do.
 */
export const scopeId = (apiId: string, key: string) =>
  `api_scope_${createHash('sha256').update(`${apiId}\n${key}`).digest('hex').slice(0, 32)}`;

const scopeItems = (row: ResourceServerRow) => row.scopes.map((s) => ({ id: scopeId(row.id, s.value), key: s.value }));

const apiView = (row: ResourceServerRow, withScopes: boolean) => ({
  id: row.id,
  name: row.name,
  audience: row.identifier,
  is_management_api: row.is_system,
  ...(withScopes && { scopes: scopeItems(row) }),
});

/** The applications authorized for an API (Kinde's `get_api_response.api.applications`). */
async function authorizedApplications(db: Db, api: ResourceServerRow) {
  const grants = await listClientGrants(db, { audience: api.identifier });
  const clients = new Map((await listClients(db)).map((c) => [c.client_id, c]));
  return grants.flatMap((grant) => {
    const client = clients.get(grant.client_id);
    if (!client || client.is_system) return [];
    return [{ id: client.client_id, name: client.name, type: 'Machine to machine (M2M)', is_active: true }];
  });
}

interface AuthorizeBody {
  applications: Array<{ id: string; operation?: string }>;
}

export function registerApiRoutes(app: FastifyInstance, registry: Registry, issuer: string): void {
  const db = registry.db;
  const tags = ['apis'];
  const params = idParams('api_id');

  app.get<{ Querystring: PagingQuery & { expand?: 'scopes' } }>(
    '/apis',
    {
      config: { kindeScope: 'read:apis' },
      schema: {
        tags,
        querystring: {
          type: 'object',
          properties: { ...pagingQuerySchema, expand: { type: 'string', enum: ['scopes'] } },
        },
      },
    },
    async (request) => {
      // Kinde: "The APIs are returned sorted by name."
      const { items, next_token } = kindePage(
        (await listResourceServers(db)).filter((r) => isKindeApi(r, issuer)),
        request.query,
        {
          name: 'name',
          key: (r) => [r.name.toLowerCase(), r.id],
        },
      );
      const withScopes = request.query.expand === 'scopes';
      return { code: 'OK', message: 'Success', apis: items.map((row) => apiView(row, withScopes)), next_token };
    },
  );

  app.post<{ Body: { name: string; audience: string } }>(
    '/apis',
    {
      config: { kindeScope: 'create:apis' },
      schema: {
        tags,
        body: {
          type: 'object',
          required: ['name', 'audience'],
          additionalProperties: false,
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 200 },
            audience: { type: 'string', minLength: 1, maxLength: 600, pattern: '^\\S+$' },
          },
        },
      },
    },
    async (request) => {
      const { name, audience } = request.body;
      if (await findResourceServerByIdentifier(db, audience))
        throw new KindeError(400, 'API_ALREADY_EXISTS', `An API with the audience ${audience} already exists`);
      // Minter's defaults for a new API (as /api/v2's): tokens live 24 h, RS256, RFC 9068 profile.
      const row = await insertResourceServer(db, {
        id: newResourceServerId(),
        identifier: audience,
        name,
        scopes: [],
        token_lifetime: 86400,
        signing_alg: 'RS256',
        token_dialect: 'rfc9068',
      });
      await registry.changed();
      return { code: 'OK', message: 'Success', api: { id: row.id } };
    },
  );

  app.get<{ Params: { api_id: string } }>(
    '/apis/:api_id',
    { config: { kindeScope: 'read:apis' }, schema: { tags, params } },
    async (request) => {
      const row = await mustFindApi(db, issuer, request.params.api_id);
      const api = { ...apiView(row, true), applications: await authorizedApplications(db, row) };
      return { code: 'OK', message: 'success', api };
    },
  );

  app.delete<{ Params: { api_id: string } }>(
    '/apis/:api_id',
    { config: { kindeScope: 'delete:apis' }, schema: { tags, params } },
    async (request) => {
      const row = await mustFindApi(db, issuer, request.params.api_id);
      if (row.is_system) throw new KindeError(400, 'MANAGEMENT_API_NOT_DELETABLE', `The ${row.name} cannot be deleted`);
      await deleteGrantsForAudience(db, row.identifier);
      await deleteResourceServer(db, row.id);
      await registry.changed();
      return { code: 'API_DELETED', message: 'API successfully deleted' };
    },
  );

  app.patch<{ Params: { api_id: string }; Body: AuthorizeBody }>(
    '/apis/:api_id/applications',
    {
      config: { kindeScope: 'update:apis' },
      schema: {
        tags,
        params,
        body: {
          type: 'object',
          required: ['applications'],
          additionalProperties: false,
          properties: {
            applications: {
              type: 'array',
              maxItems: 100,
              items: {
                type: 'object',
                required: ['id'],
                additionalProperties: false,
                properties: { id: ID, operation: { type: 'string', enum: ['delete'] } },
              },
            },
          },
        },
      },
    },
    async (request) => {
      const api = await mustFindApi(db, issuer, request.params.api_id);
      // Every application first, so that one unknown id changes nothing.
      const clients = [];
      for (const { id } of request.body.applications) {
        const client = await findApplication(db, id);
        if (!client) throw new KindeError(400, 'APPLICATION_NOT_FOUND', `No application has the id ${id}`);
        clients.push(client);
      }
      const connected: string[] = [];
      const disconnected: string[] = [];
      for (const [i, { operation }] of request.body.applications.entries()) {
        const client = clients[i]!;
        const grant = await findGrantFor(db, client.client_id, api.identifier);
        if (operation === 'delete') {
          if (grant) await deleteClientGrant(db, grant.id);
          disconnected.push(client.client_id);
          continue;
        }
        if (!grant) {
          const added = await insertClientGrant(db, {
            id: newClientGrantId(),
            client_id: client.client_id,
            audience: api.identifier,
            scope: [],
          });
          const organizationId = organizationOf(client);
          if (organizationId !== undefined) await requireOrganization(db, added, organizationId);
        }
        connected.push(client.client_id);
      }
      await registry.changed();
      return {
        code: 'API_APPLICATIONS_UPDATED',
        message: 'API applications updated',
        applications_connected: connected,
        applications_disconnected: disconnected,
      };
    },
  );
}
