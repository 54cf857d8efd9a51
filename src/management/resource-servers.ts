/**
 * `/api/v2/resource-servers`: the APIs tokens are issued for, in Auth0's shape. `token_dialect` takes Minter's
 * profile names (`rfc9068`, `auth0`) and Auth0's (`rfc9068_profile`, `access_token`), and answers with Minter's.
 */
import type { FastifyInstance } from 'fastify';
import { BadRequest, Conflict, NotFound } from '../errors.js';
import { newResourceServerId } from '../ids.js';
import { SIGNING_ALGORITHMS } from '../keys/algorithms.js';
import type { Registry } from '../registry/registry.js';
import { deleteGrantsForAudience, listClientGrants, updateClientGrant } from '../store/client-grants.js';
import {
  deleteResourceServer,
  findResourceServer,
  findResourceServerByIdentifier,
  insertResourceServer,
  listResourceServers,
  updateResourceServer,
  type ResourceServerRow,
  type Scope,
} from '../store/resource-servers.js';
import { offsetPagingSchema, pagedList, type PagingQuery } from './paging.js';
import { idParam, isSystemSent, scopeTokenSchema, timestampsSent, unchangeable } from './schemas.js';

/** Auth0's `token_dialect` values, and the token profile each stands for here. */
const TOKEN_PROFILES: Record<string, 'rfc9068' | 'auth0'> = {
  rfc9068: 'rfc9068',
  auth0: 'auth0',
  rfc9068_profile: 'rfc9068',
  access_token: 'auth0',
};

/** Auth0's ceiling on access token lifetime: 30 days (s). */
const MAX_LIFETIME = 2_592_000;

export function resourceServerView(row: ResourceServerRow) {
  return {
    id: row.id,
    identifier: row.identifier,
    name: row.name,
    scopes: row.scopes,
    token_lifetime: row.token_lifetime,
    signing_alg: row.signing_alg,
    token_dialect: row.token_dialect,
    is_system: row.is_system,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

const scopesSchema = {
  type: 'array',
  maxItems: 1000,
  items: {
    type: 'object',
    required: ['value'],
    additionalProperties: false,
    properties: { value: scopeTokenSchema, description: { type: 'string', maxLength: 500 } },
  },
} as const;

const writable = {
  name: { type: 'string', minLength: 1, maxLength: 200 },
  scopes: scopesSchema,
  token_lifetime: { type: 'integer', minimum: 1, maximum: MAX_LIFETIME },
  signing_alg: { type: 'string', enum: SIGNING_ALGORITHMS },
  token_dialect: { type: 'string', enum: Object.keys(TOKEN_PROFILES) },
  ...isSystemSent,
  ...timestampsSent,
} as const;

interface ResourceServerBody {
  identifier?: string;
  name?: string;
  scopes?: Array<{ value: string; description?: string }>;
  token_lifetime?: number;
  signing_alg?: string;
  token_dialect?: string;
}

/**
 * Auth0 lets a PATCH of its system API change only settings such as `token_lifetime`; Minter's management API takes
 * `token_lifetime`, and every other field only unchanged (as a GET returned it, which is what the Deploy CLI sends).
 */
function checkSystemApiUpdate(current: ResourceServerRow, body: ResourceServerBody): void {
  const changed: string[] = [];
  if (body.name !== undefined && body.name !== current.name) changed.push('name');
  if (body.signing_alg !== undefined && body.signing_alg !== current.signing_alg) changed.push('signing_alg');
  if (body.token_dialect !== undefined && TOKEN_PROFILES[body.token_dialect] !== current.token_dialect)
    changed.push('token_dialect');
  const scopes = normaliseScopes(body.scopes);
  if (scopes && JSON.stringify(scopes) !== JSON.stringify(current.scopes)) changed.push('scopes');
  if (changed.length > 0) {
    throw new BadRequest(
      `The management API's ${changed.join(', ')} cannot be changed; of its settings only token_lifetime can`,
      { errorCode: 'operation_not_supported' },
    );
  }
}

function normaliseScopes(scopes: ResourceServerBody['scopes']): Scope[] | undefined {
  if (!scopes) return undefined;
  const seen = new Set<string>();
  for (const s of scopes) {
    if (seen.has(s.value))
      throw new BadRequest(`Payload validation error: scope "${s.value}" is listed twice in scopes`);
    seen.add(s.value);
  }
  return scopes.map((s) => ({ value: s.value, description: s.description ?? '' }));
}

export function registerResourceServerRoutes(app: FastifyInstance, registry: Registry): void {
  const db = registry.db;
  const mustFind = async (id: string) => {
    const row = await findResourceServer(db, id);
    if (!row) throw new NotFound(`The resource server ${id} does not exist`);
    return row;
  };

  app.get<{ Querystring: PagingQuery }>(
    '/resource-servers',
    {
      config: { scope: 'read:resource_servers' },
      schema: { tags: ['resource-servers'], querystring: { type: 'object', properties: offsetPagingSchema } },
    },
    async (request) => pagedList(await listResourceServers(db), request.query, 'resource_servers', resourceServerView),
  );

  app.post<{ Body: ResourceServerBody & { identifier: string } }>(
    '/resource-servers',
    {
      config: { scope: 'create:resource_servers' },
      schema: {
        tags: ['resource-servers'],
        body: {
          type: 'object',
          required: ['identifier'],
          additionalProperties: false,
          properties: { identifier: { type: 'string', minLength: 1, maxLength: 600, pattern: '^\\S+$' }, ...writable },
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      if (await findResourceServerByIdentifier(db, body.identifier)) {
        throw new Conflict(`A resource server with identifier ${body.identifier} already exists`);
      }
      const row = await insertResourceServer(db, {
        id: newResourceServerId(),
        identifier: body.identifier,
        name: body.name ?? body.identifier,
        scopes: normaliseScopes(body.scopes) ?? [],
        token_lifetime: body.token_lifetime ?? 86400,
        signing_alg: body.signing_alg ?? 'RS256',
        token_dialect: TOKEN_PROFILES[body.token_dialect ?? 'rfc9068']!,
      });
      await registry.changed();
      return reply.code(201).send(resourceServerView(row));
    },
  );

  app.get<{ Params: { id: string } }>(
    '/resource-servers/:id',
    { config: { scope: 'read:resource_servers' }, schema: { tags: ['resource-servers'], params: idParam('id') } },
    async (request) => resourceServerView(await mustFind(request.params.id)),
  );

  app.patch<{ Params: { id: string }; Body: ResourceServerBody & { id?: string } }>(
    '/resource-servers/:id',
    {
      config: { scope: 'update:resource_servers' },
      schema: {
        tags: ['resource-servers'],
        params: idParam('id'),
        body: {
          type: 'object',
          additionalProperties: false,
          // `identifier` is not taken (Auth0 refuses it too: the Deploy CLI strips it from updates); `id` is.
          properties: { ...writable, id: { type: 'string', maxLength: 600 } },
        },
      },
    },
    async (request) => {
      const current = await mustFind(request.params.id);
      const body = request.body;
      unchangeable(body, current, ['id'], 'an API keeps its id');
      if (current.is_system) checkSystemApiUpdate(current, body);
      const scopes = normaliseScopes(body.scopes);
      const row = await updateResourceServer(db, current.id, {
        ...(body.name !== undefined && { name: body.name }),
        ...(scopes && { scopes }),
        ...(body.token_lifetime !== undefined && { token_lifetime: body.token_lifetime }),
        ...(body.signing_alg !== undefined && { signing_alg: body.signing_alg }),
        ...(body.token_dialect !== undefined && { token_dialect: TOKEN_PROFILES[body.token_dialect]! }),
      });
      if (scopes) {
        // A scope removed from the API leaves every grant on it, so grants stay a subset of the API's scopes.
        const allowed = new Set(scopes.map((s) => s.value));
        for (const grant of await listClientGrants(db, { audience: current.identifier })) {
          const kept = grant.scope.filter((s) => allowed.has(s));
          if (kept.length !== grant.scope.length) await updateClientGrant(db, grant.id, { scope: kept });
        }
      }
      await registry.changed();
      return resourceServerView(row!);
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/resource-servers/:id',
    { config: { scope: 'delete:resource_servers' }, schema: { tags: ['resource-servers'], params: idParam('id') } },
    async (request, reply) => {
      const row = await mustFind(request.params.id);
      if (row.is_system)
        throw new BadRequest('The management API cannot be deleted', { errorCode: 'operation_not_supported' });
      await deleteGrantsForAudience(db, row.identifier);
      await deleteResourceServer(db, row.id);
      await registry.changed();
      return reply.code(204).send();
    },
  );
}
