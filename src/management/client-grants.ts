/** `/api/v2/client-grants`: which client may get tokens for which API, with which scopes (Auth0's shape). */
import type { FastifyInstance } from 'fastify';
import { BadRequest, Conflict, NotFound } from '../errors.js';
import { newClientGrantId } from '../ids.js';
import type { Registry } from '../registry/registry.js';
import {
  deleteClientGrant,
  findClientGrant,
  findGrantFor,
  insertClientGrant,
  listClientGrants,
  updateClientGrant,
  type ClientGrantRow,
} from '../store/client-grants.js';
import { findClient } from '../store/clients.js';
import type { Db } from '../store/database.js';
import { findResourceServerByIdentifier } from '../store/resource-servers.js';
import { checkpointPagingSchema, creationKey, pagedList, type PagingQuery } from './paging.js';
import { idParam, isSystemSent, scopeTokenSchema, timestampsSent, unchangeable } from './schemas.js';

export function clientGrantView(row: ClientGrantRow) {
  return {
    id: row.id,
    client_id: row.client_id,
    audience: row.audience,
    scope: row.scope,
    organization_usage: row.organization_usage ?? undefined,
    allow_any_organization: row.allow_any_organization,
    is_system: row.is_system,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

const scopeList = { type: 'array', items: scopeTokenSchema, uniqueItems: true, maxItems: 1000 } as const;
const orgFields = {
  organization_usage: { type: 'string', enum: ['deny', 'allow', 'require'] },
  allow_any_organization: { type: 'boolean' },
  ...isSystemSent,
  ...timestampsSent,
} as const;

/** Auth0: "scope must be a subset of resource server scopes". */
async function checkScopes(db: Db, audience: string, scopes: string[]): Promise<void> {
  const api = await findResourceServerByIdentifier(db, audience);
  if (!api) throw new NotFound(`No resource server with identifier ${audience}`);
  const defined = new Set(api.scopes.map((s) => s.value));
  const unknown = scopes.filter((s) => !defined.has(s));
  if (unknown.length) {
    throw new BadRequest(
      `Payload validation error: scope must be a subset of the resource server's scopes; not defined: ${unknown.join(', ')}`,
    );
  }
}

export function registerClientGrantRoutes(app: FastifyInstance, registry: Registry): void {
  const db = registry.db;

  app.get<{ Querystring: PagingQuery & { audience?: string; client_id?: string } }>(
    '/client-grants',
    {
      config: { scope: 'read:client_grants' },
      schema: {
        tags: ['client-grants'],
        querystring: {
          type: 'object',
          properties: { ...checkpointPagingSchema, audience: { type: 'string' }, client_id: { type: 'string' } },
        },
      },
    },
    async (request) => {
      const { audience, client_id } = request.query;
      const rows = await listClientGrants(db, { audience, client_id });
      return pagedList(rows, request.query, 'client_grants', clientGrantView, creationKey);
    },
  );

  app.post<{
    Body: {
      client_id: string;
      audience: string;
      scope: string[];
      organization_usage?: string;
      allow_any_organization?: boolean;
    };
  }>(
    '/client-grants',
    {
      config: { scope: 'create:client_grants' },
      schema: {
        tags: ['client-grants'],
        body: {
          type: 'object',
          required: ['client_id', 'audience', 'scope'],
          additionalProperties: false,
          properties: {
            client_id: { type: 'string', minLength: 1 },
            audience: { type: 'string', minLength: 1 },
            scope: scopeList,
            ...orgFields,
          },
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      if (!(await findClient(db, body.client_id))) throw new NotFound(`The client ${body.client_id} does not exist`);
      await checkScopes(db, body.audience, body.scope);
      if (await findGrantFor(db, body.client_id, body.audience)) {
        throw new Conflict(`A client grant for client ${body.client_id} and audience ${body.audience} already exists`);
      }
      const row = await insertClientGrant(db, { id: newClientGrantId(), ...body });
      await registry.changed();
      return reply.code(201).send(clientGrantView(row));
    },
  );

  app.get<{ Params: { id: string } }>(
    '/client-grants/:id',
    { config: { scope: 'read:client_grants' }, schema: { tags: ['client-grants'], params: idParam('id') } },
    async (request) => {
      const row = await findClientGrant(db, request.params.id);
      if (!row) throw new NotFound(`The client grant ${request.params.id} does not exist`);
      return clientGrantView(row);
    },
  );

  app.patch<{
    Params: { id: string };
    Body: {
      scope?: string[];
      organization_usage?: string;
      allow_any_organization?: boolean;
      id?: string;
    };
  }>(
    '/client-grants/:id',
    {
      config: { scope: 'update:client_grants' },
      schema: {
        tags: ['client-grants'],
        params: idParam('id'),
        body: {
          type: 'object',
          additionalProperties: false,
          // `client_id` and `audience` are not taken (nor by Auth0: the Deploy CLI strips them from updates).
          properties: { scope: scopeList, ...orgFields, id: { type: 'string', maxLength: 64 } },
        },
      },
    },
    async (request) => {
      const current = await findClientGrant(db, request.params.id);
      if (!current) throw new NotFound(`The client grant ${request.params.id} does not exist`);
      unchangeable(request.body, current, ['id'], 'a grant keeps its id');
      if (current.is_system)
        throw new BadRequest("The admin client's grant cannot be changed", { errorCode: 'operation_not_supported' });
      if (request.body.scope) await checkScopes(db, current.audience, request.body.scope);
      const row = await updateClientGrant(db, current.id, request.body);
      await registry.changed();
      return clientGrantView(row!);
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/client-grants/:id',
    { config: { scope: 'delete:client_grants' }, schema: { tags: ['client-grants'], params: idParam('id') } },
    async (request, reply) => {
      const current = await findClientGrant(db, request.params.id);
      if (!current) throw new NotFound(`The client grant ${request.params.id} does not exist`);
      if (current.is_system)
        throw new BadRequest("The admin client's grant cannot be deleted", { errorCode: 'operation_not_supported' });
      await deleteClientGrant(db, current.id);
      await registry.changed();
      return reply.code(204).send();
    },
  );
}
