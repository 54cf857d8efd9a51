/**
 * `/api/v1/apis/{api_id}/scopes` (an API's scopes: Minter's resource server scopes, each with a derived id, see
 * {@link scopeId}) and `/api/v1/apis/{api_id}/applications/{application_id}/scopes/{scope_id}` (a scope enabled for an
 * authorized application: a scope of its client grant). A scope path segment takes the id or the key itself. The
 * Kinde management API's scopes are fixed, but they can be enabled for an application like any others.
 */
import type { FastifyInstance } from 'fastify';
import { KindeError } from '../errors.js';
import { idParams, scopeTokenSchema } from '../management/schemas.js';
import type { Registry } from '../registry/registry.js';
import { findGrantFor, listClientGrants, updateClientGrant } from '../store/client-grants.js';
import type { Db } from '../store/database.js';
import { updateResourceServer, type ResourceServerRow, type Scope } from '../store/resource-servers.js';
import { mustFindApi, scopeId } from './apis.js';
import { mustFindApplication } from './applications.js';

/** The scope `idOrKey` names on `api`, or Kinde's 404. */
function mustFindScope(api: ResourceServerRow, idOrKey: string): Scope {
  const scope = api.scopes.find((s) => s.value === idOrKey || scopeId(api.id, s.value) === idOrKey);
  if (!scope) throw new KindeError(404, 'SCOPE_NOT_FOUND', `The API ${api.id} has no scope ${idOrKey}`);
  return scope;
}

function mustBeEditable(api: ResourceServerRow): void {
  if (api.is_system) throw new KindeError(400, 'MANAGEMENT_API_READ_ONLY', `The scopes of the ${api.name} are fixed`);
}

const scopeView = (api: ResourceServerRow, scope: Scope) => ({
  id: scopeId(api.id, scope.value),
  key: scope.value,
  description: scope.description,
});

/** The client grant of an authorized application, or a 400 telling to authorize it first. */
async function mustFindGrant(db: Db, api: ResourceServerRow, applicationId: string) {
  const client = await mustFindApplication(db, applicationId);
  const grant = await findGrantFor(db, client.client_id, api.identifier);
  if (!grant) {
    throw new KindeError(
      400,
      'APPLICATION_NOT_AUTHORIZED',
      `The application ${client.client_id} is not authorized for the API ${api.id}: authorize it first (PATCH /api/v1/apis/${api.id}/applications)`,
    );
  }
  return grant;
}

export function registerApiScopeRoutes(app: FastifyInstance, registry: Registry, issuer: string): void {
  const db = registry.db;
  const tags = ['apis'];
  const apiParams = idParams('api_id');
  const scopeParams = idParams('api_id', 'scope_id');
  const applicationScopeParams = idParams('api_id', 'application_id', 'scope_id');

  app.get<{ Params: { api_id: string } }>(
    '/apis/:api_id/scopes',
    { config: { kindeScope: 'read:api_scopes' }, schema: { tags, params: apiParams } },
    async (request) => {
      const api = await mustFindApi(db, issuer, request.params.api_id);
      return { code: 'OK', message: 'success', scopes: api.scopes.map((s) => scopeView(api, s)) };
    },
  );

  app.post<{ Params: { api_id: string }; Body: { key: string; description?: string } }>(
    '/apis/:api_id/scopes',
    {
      config: { kindeScope: 'create:api_scopes' },
      schema: {
        tags,
        params: apiParams,
        body: {
          type: 'object',
          required: ['key'],
          additionalProperties: false,
          properties: { key: scopeTokenSchema, description: { type: 'string', maxLength: 500 } },
        },
      },
    },
    async (request) => {
      const api = await mustFindApi(db, issuer, request.params.api_id);
      mustBeEditable(api);
      const { key, description = '' } = request.body;
      if (api.scopes.some((s) => s.value === key))
        throw new KindeError(400, 'SCOPE_ALREADY_EXISTS', `The API ${api.id} already has the scope ${key}`);
      await updateResourceServer(db, api.id, { scopes: [...api.scopes, { value: key, description }] });
      await registry.changed();
      return { code: 'OK', message: 'Success', scope: { id: scopeId(api.id, key) } };
    },
  );

  app.get<{ Params: { api_id: string; scope_id: string } }>(
    '/apis/:api_id/scopes/:scope_id',
    { config: { kindeScope: 'read:api_scopes' }, schema: { tags, params: scopeParams } },
    async (request) => {
      const api = await mustFindApi(db, issuer, request.params.api_id);
      return { code: 'OK', message: 'success', scope: scopeView(api, mustFindScope(api, request.params.scope_id)) };
    },
  );

  app.patch<{ Params: { api_id: string; scope_id: string }; Body: { description?: string } }>(
    '/apis/:api_id/scopes/:scope_id',
    {
      config: { kindeScope: 'update:api_scopes' },
      schema: {
        tags,
        params: scopeParams,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { description: { type: 'string', maxLength: 500 } },
        },
      },
    },
    async (request) => {
      const api = await mustFindApi(db, issuer, request.params.api_id);
      mustBeEditable(api);
      const scope = mustFindScope(api, request.params.scope_id);
      const description = request.body?.description;
      if (description !== undefined) {
        const scopes = api.scopes.map((s) => (s.value === scope.value ? { value: s.value, description } : s));
        await updateResourceServer(db, api.id, { scopes });
        await registry.changed();
      }
      return { code: 'OK', message: 'API scope successfully updated' };
    },
  );

  app.delete<{ Params: { api_id: string; scope_id: string } }>(
    '/apis/:api_id/scopes/:scope_id',
    { config: { kindeScope: 'delete:apis_scopes' }, schema: { tags, params: scopeParams } },
    async (request) => {
      const api = await mustFindApi(db, issuer, request.params.api_id);
      mustBeEditable(api);
      const scope = mustFindScope(api, request.params.scope_id);
      await updateResourceServer(db, api.id, { scopes: api.scopes.filter((s) => s.value !== scope.value) });
      // As /api/v2 does: a scope leaves every grant when it leaves the API, so grants stay within the API's scopes.
      for (const grant of await listClientGrants(db, { audience: api.identifier })) {
        if (grant.scope.includes(scope.value))
          await updateClientGrant(db, grant.id, { scope: grant.scope.filter((s) => s !== scope.value) });
      }
      await registry.changed();
      return { code: 'OK', message: 'API scope successfully deleted' };
    },
  );

  app.post<{ Params: { api_id: string; application_id: string; scope_id: string } }>(
    '/apis/:api_id/applications/:application_id/scopes/:scope_id',
    { config: { kindeScope: 'create:api_application_scopes' }, schema: { tags, params: applicationScopeParams } },
    async (request) => {
      const api = await mustFindApi(db, issuer, request.params.api_id);
      const scope = mustFindScope(api, request.params.scope_id);
      const grant = await mustFindGrant(db, api, request.params.application_id);
      if (!grant.scope.includes(scope.value)) {
        await updateClientGrant(db, grant.id, { scope: [...grant.scope, scope.value] });
        await registry.changed();
      }
      return { code: 'OK', message: 'Scope successfully added to the application' };
    },
  );

  app.delete<{ Params: { api_id: string; application_id: string; scope_id: string } }>(
    '/apis/:api_id/applications/:application_id/scopes/:scope_id',
    { config: { kindeScope: 'delete:apis_application_scopes' }, schema: { tags, params: applicationScopeParams } },
    async (request) => {
      const api = await mustFindApi(db, issuer, request.params.api_id);
      const scope = mustFindScope(api, request.params.scope_id);
      const grant = await mustFindGrant(db, api, request.params.application_id);
      if (!grant.scope.includes(scope.value)) {
        throw new KindeError(
          404,
          'SCOPE_NOT_FOUND',
          `The scope ${scope.value} is not enabled for the application ${grant.client_id}`,
        );
      }
      await updateClientGrant(db, grant.id, { scope: grant.scope.filter((s) => s !== scope.value) });
      await registry.changed();
      return { code: 'OK', message: 'Scope successfully removed from the application' };
    },
  );
}
