/**
 * The parts of Auth0's management API Minter does not have, answered as an empty Auth0 tenant answers them, so that
 * tools written for Auth0 (the Deploy CLI's `a0deploy export` with no type filter, SDK scripts) run to the end:
 *
 * - a collection (rules, connections, roles, …) lists empty, in the paging shape the request asks for; one of its
 *   items is a 404;
 * - a tenant-wide setting (tenant settings, prompts, branding, guardian, …) is a 403 `insufficient_scope` naming
 *   Auth0's scope, which no Minter token carries, and saying why: what Auth0 answers a token without that scope, and
 *   what the Deploy CLI skips a type for ("Cannot retrieve … due to missing scopes");
 * - writing either is the same 403 with the write scope, so that importing a tenant that has rules fails by name.
 *
 * Any valid management token may ask (`config.unserved`). The routes stay out of the OpenAPI document; the list is
 * in docs/migrating-from-auth0.md.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Forbidden, NotFound } from '../errors.js';
import type { Registry } from '../registry/registry.js';
import { findOrganization } from '../store/organizations.js';
import { actionsPagingSchema, checkpointPagingSchema, countedPage, offsetPagingSchema, pagedList } from './paging.js';
import { idParam } from './schemas.js';

/** How Auth0 pages a collection: by offset, by checkpoint too, by checkpoint only, counted (actions), or not at all. */
type Paging = 'offset' | 'both' | 'checkpoint' | 'counted' | 'bare';

interface Collection {
  path: string;
  /** The list's property in a wrapped answer, and the noun of Auth0's scopes (`read:<noun>`). */
  key: string;
  noun: string;
  paging: Paging;
}

const collection = (path: string, key: string, paging: Paging, noun = key): Collection => ({ path, key, noun, paging });

/** Collections of an Auth0 tenant that a Minter tenant has none of. */
const COLLECTIONS: readonly Collection[] = [
  collection('/rules', 'rules', 'offset'),
  collection('/rules-configs', 'rules_configs', 'bare'),
  collection('/hooks', 'hooks', 'offset'),
  collection('/roles', 'roles', 'offset'),
  collection('/users', 'users', 'offset'),
  collection('/grants', 'grants', 'offset'),
  collection('/connections', 'connections', 'both'),
  collection('/connections-directory-provisionings', 'directory_provisionings', 'checkpoint'),
  collection('/connection-profiles', 'connection_profiles', 'checkpoint'),
  collection('/user-attribute-profiles', 'user_attribute_profiles', 'checkpoint'),
  collection('/token-exchange-profiles', 'token_exchange_profiles', 'checkpoint'),
  collection('/rate-limit-policies', 'rate_limit_policies', 'checkpoint'),
  collection('/event-streams', 'eventStreams', 'checkpoint', 'event_streams'),
  collection('/log-streams', 'log_streams', 'bare'),
  collection('/custom-domains', 'custom_domains', 'bare'),
  collection('/flows/vault/connections', 'connections', 'offset', 'flows_vault_connections'),
  collection('/flows', 'flows', 'offset'),
  collection('/forms', 'forms', 'offset'),
  collection('/self-service-profiles', 'self_service_profiles', 'offset'),
  collection('/network-acls', 'network_acls', 'offset'),
  collection('/actions/modules', 'modules', 'counted', 'actions_modules'),
];

/** What an organization has in an Auth0 tenant that it cannot have here (no connections, users or members). */
const ORGANIZATION_COLLECTIONS: readonly Collection[] = [
  collection('/connections', 'connections', 'offset', 'organization_connections'),
  collection('/enabled_connections', 'enabled_connections', 'offset', 'organization_connections'),
  collection('/discovery-domains', 'domains', 'checkpoint', 'organization_discovery_domains'),
  collection('/clients', 'clients', 'checkpoint', 'organization_clients'),
  collection('/members', 'members', 'both', 'organization_members'),
  collection('/invitations', 'invitations', 'offset', 'organization_invitations'),
];

/** Tenant-wide settings: path prefix → Auth0's scope noun and what to call it. */
const SETTINGS: ReadonlyArray<readonly [path: string, noun: string, what: string]> = [
  ['/tenants', 'tenant_settings', 'tenant settings'],
  ['/prompts', 'prompts', 'prompts (Universal Login)'],
  ['/branding', 'branding', 'branding, themes or phone providers'],
  ['/attack-protection', 'attack_protection', 'attack protection'],
  ['/risk-assessments', 'attack_protection', 'risk assessments'],
  ['/supplemental-signals', 'attack_protection', 'supplemental signals'],
  ['/guardian', 'guardian_factors', 'multi-factor authentication (guardian)'],
  ['/email-templates', 'email_templates', 'email templates'],
  ['/emails', 'email_provider', 'an email provider'],
  ['/stats', 'stats', 'tenant statistics'],
];

const WRITE_VERB: Record<string, string> = { POST: 'create', PUT: 'update', PATCH: 'update', DELETE: 'delete' };
const WRITES = ['POST', 'PUT', 'PATCH', 'DELETE'] as const;
const ALL = ['GET', ...WRITES] as const;

/** Auth0's answer to a token without the scope, with why no Minter token has it. */
function notServed(request: FastifyRequest, noun: string, what: string): Forbidden {
  const verb = WRITE_VERB[request.method] ?? 'read';
  return new Forbidden(
    `Insufficient scope, expected any of: ${verb}:${noun} (Minter does not serve ${what}; see docs/migrating-from-auth0.md)`,
  );
}

const plainName = (noun: string) => noun.replace(/_/g, ' ');

/** The empty answer of a collection, in the shape the request's paging asks for. */
function emptyList(paging: Paging, key: string, query: Record<string, unknown>): unknown {
  if (paging === 'bare') return [];
  if (paging === 'counted') return countedPage([], query, key);
  const checkpoint = paging !== 'offset';
  if (paging === 'checkpoint' && query.take === undefined && query.from === undefined) return { [key]: [] };
  return pagedList([], query, key, (row: never) => row, checkpoint ? () => '' : undefined);
}

const QUERY: Record<Paging, Record<string, unknown>> = {
  offset: offsetPagingSchema,
  both: checkpointPagingSchema,
  checkpoint: checkpointPagingSchema,
  counted: actionsPagingSchema,
  bare: {},
};

function registerCollection(
  app: FastifyInstance,
  c: Collection,
  prefix: string,
  guard?: (id: string) => Promise<void>,
) {
  const url = `${prefix}${c.path}`;
  const schema = { hide: true, ...(guard && { params: idParam('id') }) };
  const check = async (request: FastifyRequest) => guard?.((request.params as { id: string }).id);
  app.get(
    url,
    { config: { unserved: true }, schema: { ...schema, querystring: { type: 'object', properties: QUERY[c.paging] } } },
    async (request) => {
      await check(request);
      return emptyList(c.paging, c.key, request.query as Record<string, unknown>);
    },
  );
  app.route({
    method: [...WRITES],
    url,
    config: { unserved: true },
    schema,
    handler: async (request) => {
      await check(request);
      throw notServed(request, c.noun, plainName(c.noun));
    },
  });
  app.route({
    method: [...ALL],
    url: `${url}/*`,
    config: { unserved: true },
    schema,
    handler: async (request) => {
      await check(request);
      if (request.method === 'GET') throw new NotFound(`Minter has no ${plainName(c.noun)}`);
      throw notServed(request, c.noun, plainName(c.noun));
    },
  });
}

/** Registers what an empty Auth0 tenant answers for the types Minter does not have. */
export function registerUnservedRoutes(app: FastifyInstance, registry: Registry): void {
  for (const c of COLLECTIONS) registerCollection(app, c, '');
  const organizationExists = async (id: string) => {
    if (!(await findOrganization(registry.db, id))) throw new NotFound(`The organization ${id} does not exist`);
  };
  for (const c of ORGANIZATION_COLLECTIONS) registerCollection(app, c, '/organizations/:id', organizationExists);
  for (const [path, noun, what] of SETTINGS) {
    for (const url of [path, `${path}/*`]) {
      app.route({
        method: [...ALL],
        url,
        config: { unserved: true },
        schema: { hide: true },
        handler: async (request) => {
          throw notServed(request, noun, what);
        },
      });
    }
  }
}
