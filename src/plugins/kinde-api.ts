/**
 * Kinde's management API, M2M part (`/api/v1`), registered under its prefix: the token check (audience
 * `<issuer>/api`, Kinde's scopes, each route naming its own), the storable-input check shared with `/api/v2`, and the
 * routes. A path it does not serve is the error handler's 404 in Kinde's shape, naming the path.
 */
import type { FastifyPluginAsync } from 'fastify';
import { registerApiScopeRoutes } from '../kinde-api/api-scopes.js';
import { registerApiRoutes } from '../kinde-api/apis.js';
import { registerApplicationPropertyRoutes } from '../kinde-api/application-properties.js';
import { registerApplicationRoutes } from '../kinde-api/applications.js';
import { registerKindeAuthorization } from '../kinde-api/authorization.js';
import { registerEnvironmentVariableRoutes } from '../kinde-api/environment-variables.js';
import { registerOrganizationApplicationRoutes } from '../kinde-api/organization-applications.js';
import { registerOrganizationRoutes } from '../kinde-api/organizations.js';
import { registerStorableInput } from '../management/storable-input.js';
import type { Registry } from '../registry/registry.js';

export interface KindeApiOptions {
  issuer: string;
  registry: Registry;
}

export const kindeApiPlugin: FastifyPluginAsync<KindeApiOptions> = async (api, { issuer, registry }) => {
  registerKindeAuthorization(api, registry, issuer);
  registerStorableInput(api);
  registerApplicationRoutes(api, registry);
  registerApplicationPropertyRoutes(api, registry);
  registerApiRoutes(api, registry, issuer);
  registerApiScopeRoutes(api, registry, issuer);
  registerOrganizationRoutes(api, registry);
  registerOrganizationApplicationRoutes(api, registry);
  registerEnvironmentVariableRoutes(api, registry);
};
