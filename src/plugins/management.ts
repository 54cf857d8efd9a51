/**
 * The management API (Auth0's `/api/v2` subset), registered under its prefix: its OpenAPI document, the token check,
 * the storable-input check and the routes, each of which must declare its scope (route-scopes.ts).
 */
import swagger from '@fastify/swagger';
import type { FastifyPluginAsync } from 'fastify';
import { registerActionBindingRoutes } from '../management/action-bindings.js';
import { registerActionRoutes } from '../management/actions.js';
import { registerManagementAuthorization } from '../management/authorization.js';
import { registerClientCredentialRoutes } from '../management/client-credentials.js';
import { registerClientGrantRoutes } from '../management/client-grants.js';
import { registerClientRoutes } from '../management/clients.js';
import { registerLogRoutes } from '../management/logs.js';
import { registerOrganizationRoutes } from '../management/organizations.js';
import { registerResourceServerRoutes } from '../management/resource-servers.js';
import { requireRouteScopes } from '../management/route-scopes.js';
import { registerSigningKeyRoutes } from '../management/signing-keys.js';
import { registerRequestBodyChecks } from '../management/request-body.js';
import { registerStorableInput } from '../management/storable-input.js';
import { registerUnservedRoutes } from '../management/unserved.js';
import type { Flushable } from '../observability/batch-writer.js';
import type { Registry } from '../registry/registry.js';
import type { TriggerEngine } from '../triggers/contract.js';
import { ActionPackager, type PackagerSettings } from '../triggers/packages/action-packager.js';

export interface ManagementOptions {
  issuer: string;
  tenantId: string;
  registry: Registry;
  /** The log records, flushed before they are read. */
  logs: Flushable;
  engine: TriggerEngine;
  /** Work before an action test run (loading the GeoIP database). */
  beforeTest: () => Promise<void>;
  /** npm dependencies of actions (config.actions.dependencies). */
  dependencies: PackagerSettings;
}

export const managementPlugin: FastifyPluginAsync<ManagementOptions> = async (api, options) => {
  const { issuer, tenantId, registry, logs, engine } = options;
  requireRouteScopes(api);
  await api.register(swagger, {
    openapi: {
      info: { title: 'Minter Management API', version: '2' },
      servers: [{ url: `${issuer}/api/v2` }],
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
      security: [{ bearer: [] }],
    },
  });
  registerManagementAuthorization(api, registry, issuer);
  registerStorableInput(api);
  registerRequestBodyChecks(api);
  registerClientRoutes(api, registry);
  registerClientCredentialRoutes(api, registry);
  registerResourceServerRoutes(api, registry);
  registerClientGrantRoutes(api, registry);
  registerOrganizationRoutes(api, registry);
  registerSigningKeyRoutes(api, registry);
  registerLogRoutes(api, registry, logs, issuer);
  registerActionRoutes(api, registry, {
    issuer,
    tenantId,
    engine: () => engine,
    beforeTest: options.beforeTest,
    packager: new ActionPackager(options.dependencies),
    // An uploaded bundle is far smaller than the installs it came from; Fastify's 1 MiB is the floor.
    bodyLimit: Math.max(1024 * 1024, options.dependencies.maxBytes),
  });
  registerActionBindingRoutes(api, registry, logs);
  registerUnservedRoutes(api, registry);
  api.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => api.swagger());
};
