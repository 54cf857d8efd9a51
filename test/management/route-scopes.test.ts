/**
 * Every management route declares who may call it (its `config.scope`, `config.public`, or `config.unserved` for the
 * parts of Auth0's API Minter answers as an empty tenant, which any valid token may ask): the management plugin
 * refuses at start-up a route that declares neither, naming it, rather than serving it to anyone by omission.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Fastify, { type RouteOptions } from 'fastify';
import { requireRouteScopes, UnscopedRouteError } from '../../src/management/route-scopes.js';
import { managementPlugin, type ManagementOptions } from '../../src/plugins/management.js';

const answer = async () => ({ ok: true });

describe('management routes declare their scope', () => {
  test('a route with neither config.scope nor config.public fails the start, named by method and path', async () => {
    const app = Fastify({ logger: false });
    app.register(
      async (api) => {
        requireRouteScopes(api);
        api.get('/clients', { config: { scope: 'read:clients' } }, answer);
        api.post('/forgotten', answer);
      },
      { prefix: '/api/v2' },
    );
    await assert.rejects(
      async () => {
        await app.ready();
      },
      (error: unknown) => {
        assert.ok(error instanceof UnscopedRouteError, String(error));
        assert.equal(error.route, 'POST /api/v2/forgotten');
        assert.match(error.message, /^Management route POST \/api\/v2\/forgotten declares no scope/);
        return true;
      },
    );
    await app.close();
  });

  test('scoped and public routes start (and their HEAD twins); routes outside the plugin are unchecked', async () => {
    const app = Fastify({ logger: false });
    app.get('/health', answer);
    await app.register(
      async (api) => {
        requireRouteScopes(api);
        api.get('/clients', { config: { scope: 'read:clients' } }, answer);
        api.get('/openapi.json', { config: { public: true } }, answer);
      },
      { prefix: '/api/v2' },
    );
    await app.ready();
    assert.equal((await app.inject({ method: 'HEAD', url: '/api/v2/openapi.json' })).statusCode, 200);
    await app.close();
  });

  test("the management plugin's routes all declare a scope, but the OpenAPI document, which is public, and Auth0's types Minter does not have (any valid token)", async () => {
    const app = Fastify({ logger: false });
    const routes: RouteOptions[] = [];
    app.addHook('onRoute', (route) => void routes.push(route));
    // Registering reads nothing from these: routes use them when called, and none is called here.
    const unused = {} as never;
    const options: ManagementOptions = {
      issuer: 'http://127.0.0.1',
      tenantId: 't',
      registry: unused,
      logs: unused,
      engine: unused,
      beforeTest: async () => undefined,
      dependencies: { cacheDir: '/nonexistent', timeoutMs: 1000, maxBytes: 1, maxPackages: 1 },
    };
    await app.register(managementPlugin, { prefix: '/api/v2', ...options });
    await app.ready();
    const named = (route: RouteOptions) => `${String(route.method)} ${route.url}`;
    assert.ok(routes.length > 40, `${routes.length} routes`);
    assert.deepEqual(
      routes
        .filter((route) => route.config?.scope === undefined && route.config?.unserved !== true)
        .map(named)
        .sort(),
      ['GET /api/v2/openapi.json', 'HEAD /api/v2/openapi.json'],
    );
    await app.close();
  });
});
