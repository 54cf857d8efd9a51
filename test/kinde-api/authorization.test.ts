/**
 * Who may call `/api/v1` (Kinde's management API, issue 14): a Bearer token from Minter's own token endpoint for the
 * audience `<issuer>/api`, carrying the Kinde scope each operation names. Refusals and unserved paths answer in
 * Kinde's error shape `{errors: [{code, message}]}`. The bootstrap makes `<issuer>/api` a system API with Kinde's
 * scopes, all granted to the admin client.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Fastify, { type RouteOptions } from 'fastify';
import { registerKindeAuthorization, UnscopedKindeRouteError } from '../../src/kinde-api/authorization.js';
import { KINDE_SCOPES } from '../../src/kinde-api/scopes.js';
import { kindeApiPlugin } from '../../src/plugins/kinde-api.js';
import { adminKindeApi, kindeApi, kindeToken, type KindeCall } from '../helpers/kinde-api.js';
import { anyStorage, getToken, startMinter, type RunningMinter } from '../helpers/minter.js';

describe(`Kinde API authorization (${anyStorage})`, () => {
  let m: RunningMinter;
  let v1: KindeCall;
  let kindeApiId: string;
  /** An M2M application authorized for the Kinde API with read:applications only. */
  let reader: { clientId: string; clientSecret: string };

  before(async () => {
    m = await startMinter({ storage: anyStorage });
    v1 = await adminKindeApi(m);
    const apis = await v1('GET', '/apis');
    kindeApiId = apis.body.apis.find((a: any) => a.audience === `${m.issuer}/api`).id;
    const created = await v1('POST', '/applications', { name: 'Reader', type: 'm2m' });
    reader = { clientId: created.body.application.client_id, clientSecret: created.body.application.client_secret };
    await v1('PATCH', `/apis/${kindeApiId}/applications`, { applications: [{ id: reader.clientId }] });
    const enabled = await v1('POST', `/apis/${kindeApiId}/applications/${reader.clientId}/scopes/read:applications`);
    assert.equal(enabled.status, 200, enabled.text);
  });
  after(() => m?.close());

  test('bootstrap: <issuer>/api is a system API with every Kinde scope, all granted to the admin', async () => {
    const api = (await m.api('GET', '/resource-servers')).body.find((r: any) => r.identifier === `${m.issuer}/api`);
    assert.equal(api.is_system, true);
    assert.deepEqual(
      api.scopes.map((s: any) => s.value),
      [...KINDE_SCOPES],
    );
    const issued = await getToken(m.baseUrl, m.admin, `${m.issuer}/api`);
    assert.deepEqual(issued.scope.split(' ').sort(), [...KINDE_SCOPES].sort());
    // Kinde's client asks with an empty scope parameter: the grant's scopes, as when it is left out.
    const emptyScope = await getToken(m.baseUrl, m.admin, `${m.issuer}/api`, { scope: '' });
    assert.equal(emptyScope.scope, issued.scope);
    // It cannot be deleted, nor its scopes changed; Minter's own /api/v2 API is not shown on /api/v1 at all (its grants
    // can deploy code, and are made on /api/v2 with its own scopes).
    const refused = await v1('DELETE', `/apis/${kindeApiId}`);
    assert.equal(refused.status, 400);
    assert.deepEqual(refused.body.errors[0], {
      code: 'MANAGEMENT_API_NOT_DELETABLE',
      message: 'The Kinde Management API cannot be deleted',
    });
    assert.equal(
      (await v1('POST', `/apis/${kindeApiId}/scopes`, { key: 'x:y' })).body.errors[0].code,
      'MANAGEMENT_API_READ_ONLY',
    );
    const listed = (await v1('GET', '/apis')).body.apis.map((a: any) => a.audience);
    assert.deepEqual(listed, [`${m.issuer}/api`]);
    const auth0Api = (await m.api('GET', '/resource-servers')).body.find(
      (r: any) => r.identifier === `${m.issuer}/api/v2/`,
    );
    assert.equal((await v1('GET', `/apis/${auth0Api.id}`)).status, 404);
    assert.equal(
      (await v1('PATCH', `/apis/${auth0Api.id}/applications`, { applications: [{ id: reader.clientId }] })).status,
      404,
    );
  });

  test("a token without create:applications gets 403 in Kinde's shape; with read:applications it lists", async () => {
    const call = kindeApi(m, await kindeToken(m, reader));
    const refused = await call('POST', '/applications', { name: 'Nope', type: 'm2m' });
    assert.equal(refused.status, 403);
    assert.deepEqual(refused.body, {
      errors: [{ code: 'INSUFFICIENT_SCOPE', message: 'Insufficient scope, expected: create:applications' }],
    });
    assert.equal((await call('GET', '/applications')).status, 200);
    // Kinde's scope names only: the Auth0 API's read:clients means nothing here.
    assert.equal((await call('GET', '/organizations')).status, 403);
  });

  test('no token, or a token for another audience, is 401 INVALID_TOKEN', async () => {
    const none = await kindeApi(m, undefined)('GET', '/applications');
    assert.equal(none.status, 401);
    assert.deepEqual(none.body, {
      errors: [{ code: 'INVALID_TOKEN', message: 'Missing Bearer token in the Authorization header' }],
    });
    const auth0Token = await m.adminToken();
    const wrong = await kindeApi(m, auth0Token)('GET', '/applications');
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.errors[0].code, 'INVALID_TOKEN');
    assert.match(wrong.body.errors[0].message, /aud/);
    // And the other way round: a Kinde API token opens nothing on /api/v2.
    const crossed = await fetch(`${m.baseUrl}/api/v2/clients`, {
      headers: { authorization: `Bearer ${await kindeToken(m)}` },
    });
    assert.equal(crossed.status, 401);
  });

  test('a path Kinde has and Minter does not serve is 404 ROUTE_NOT_FOUND naming it, token or not', async () => {
    for (const [method, path] of [
      ['GET', '/users'],
      ['POST', '/user'],
      ['GET', '/roles'],
      ['GET', '/permissions'],
      ['POST', '/feature_flags'],
      ['GET', '/connections'],
      ['GET', '/organizations/org_x/users'],
      ['PATCH', '/applications/abc/tokens'],
    ] as const) {
      for (const call of [v1, kindeApi(m, undefined)]) {
        const response = await call(method, `${path}?page_size=5`);
        assert.equal(response.status, 404, `${method} ${path}`);
        assert.deepEqual(response.body, {
          errors: [
            {
              code: 'ROUTE_NOT_FOUND',
              message: `${method} /api/v1${path} is not served by Minter (M2M only); docs/migrating-from-kinde.md lists the paths it serves`,
            },
          ],
        });
      }
    }
  });

  test('a malformed body or query is 400 INVALID_REQUEST naming the field', async () => {
    const response = await v1('POST', '/applications', { name: 'x' });
    assert.equal(response.status, 400);
    assert.deepEqual(response.body, {
      errors: [{ code: 'INVALID_REQUEST', message: 'Invalid request: body: missing required property "type"' }],
    });
    const nul = await v1('POST', '/applications', { name: 'a\u0000b', type: 'm2m' });
    assert.equal(nul.status, 400);
    assert.equal(nul.body.errors[0].code, 'INVALID_REQUEST');
  });

  test('every /api/v1 route names a Kinde scope, and is in the paths table of docs/migrating-from-kinde.md', async () => {
    const app = Fastify({ logger: false });
    const routes: RouteOptions[] = [];
    app.addHook('onRoute', (route) => void routes.push(route));
    await app.register(kindeApiPlugin, { prefix: '/api/v1', issuer: 'http://x', registry: {} as never });
    await app.ready();
    const served = routes.filter((r) => r.method !== 'HEAD');
    for (const route of served) assert.ok(KINDE_SCOPES.includes(route.config!.kindeScope!), route.url);
    await app.close();

    // The table's first column: "`GET`, `POST /api/v1/apis/{api_id}/scopes`" stands for two routes.
    const documented = new Set<string>();
    for (const line of readFileSync(join(process.cwd(), 'docs', 'migrating-from-kinde.md'), 'utf8').split('\n')) {
      const cell = /^\| (`[A-Z, `]+ \/api\/v1\/[^|]*?`) \|/.exec(line)?.[1];
      if (!cell) continue;
      const [, methods, path] = /^((?:`?[A-Z]+`?, )*`?[A-Z]+) (\/api\/v1\/\S+?)`$/.exec(cell)!;
      const route = path!.split('?')[0]!.replace(/\{(\w+)\}/g, ':$1');
      for (const method of methods!.replace(/`/g, '').split(', ')) documented.add(`${method} ${route}`);
    }
    assert.deepEqual(
      [...documented].sort(),
      served.map((r) => `${String(r.method)} ${r.url}`).sort(),
      'the paths table lists exactly the routes served',
    );

    const broken = Fastify({ logger: false });
    broken.register(
      async (api) => {
        registerKindeAuthorization(api, {} as never, 'http://x');
        api.get('/forgotten', async () => ({}));
      },
      { prefix: '/api/v1' },
    );
    await assert.rejects(
      async () => broken.ready(),
      (error: unknown) => error instanceof UnscopedKindeRouteError && error.route === 'GET /api/v1/forgotten',
    );
    await broken.close();
  });
});
