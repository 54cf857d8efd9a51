/**
 * The parts of Auth0's management API Minter does not have answer as an empty Auth0 tenant does
 * (management/unserved.ts): a collection lists empty in the paging shape asked for and its items are 404; a
 * tenant-wide setting, and any write, is Auth0's 403 for a token without the scope, naming it and Minter's reason.
 * A valid token is still needed. Storage plays no part: one storage (`anyStorage`).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { anyStorage, assertManagementError, callApi, startMinter, type RunningMinter } from '../helpers/minter.js';

const notServed = (scope: string, what: string) =>
  `Insufficient scope, expected any of: ${scope} (Minter does not serve ${what}; see docs/migrating-from-auth0.md)`;

describe(`management API: types Minter does not have (${anyStorage})`, () => {
  let m: RunningMinter;
  let organizationId: string;
  before(async () => {
    m = await startMinter({ storage: anyStorage });
    organizationId = (await m.api('POST', '/organizations', { name: 'acme' })).body.id;
  });
  after(() => m?.close());

  test('collections list empty in the shape the paging asks for', async () => {
    for (const [path, body] of [
      ['/rules', []],
      ['/rules?include_totals=true&per_page=100', { rules: [], start: 0, limit: 100, total: 0 }],
      ['/roles?page=2&per_page=10&include_totals=true', { roles: [], start: 20, limit: 10, total: 0 }],
      ['/connections?take=50&include_totals=true', { connections: [] }],
      ['/connections?strategy=auth0', []],
      ['/token-exchange-profiles?take=50', { token_exchange_profiles: [] }],
      ['/event-streams?take=50', { eventStreams: [] }],
      ['/log-streams', []],
      ['/custom-domains', []],
      [
        '/flows/vault/connections?page=0&per_page=50&include_totals=true',
        { connections: [], start: 0, limit: 50, total: 0 },
      ],
      ['/actions/modules?page=0&per_page=100', { modules: [], total: 0, page: 0, per_page: 100 }],
      [`/organizations/${organizationId}/enabled_connections`, []],
      [`/organizations/${organizationId}/members?take=50`, { members: [] }],
      [`/organizations/${organizationId}/discovery-domains?take=50`, { domains: [] }],
    ] as const) {
      const response = await m.api('GET', path);
      assert.deepEqual({ path, status: response.status, body: response.body }, { path, status: 200, body });
    }
  });

  test('an item of a collection is 404; an organization that does not exist is 404 for its collections', async () => {
    assertManagementError(
      await m.api('GET', '/rules/rul_1'),
      404,
      'Not Found',
      'Minter has no rules',
      'inexistent_entity',
    );
    assertManagementError(
      await m.api('GET', '/organizations/org_nothere/enabled_connections'),
      404,
      'Not Found',
      'The organization org_nothere does not exist',
      'inexistent_entity',
    );
  });

  test('settings, and writes to any of these types, are 403 naming the scope and why', async () => {
    for (const [method, path, scope, what] of [
      ['GET', '/tenants/settings', 'read:tenant_settings', 'tenant settings'],
      ['PATCH', '/tenants/settings', 'update:tenant_settings', 'tenant settings'],
      ['GET', '/prompts/login/custom-text/en', 'read:prompts', 'prompts (Universal Login)'],
      ['GET', '/attack-protection/brute-force-protection', 'read:attack_protection', 'attack protection'],
      ['GET', '/email-templates/verify_email', 'read:email_templates', 'email templates'],
      ['POST', '/rules', 'create:rules', 'rules'],
      ['DELETE', '/connections/con_1', 'delete:connections', 'connections'],
      ['PATCH', '/log-streams/lst_1', 'update:log_streams', 'log streams'],
    ] as const) {
      const response = await m.api(method, path, method === 'GET' || method === 'DELETE' ? undefined : {});
      assertManagementError(response, 403, 'Forbidden', notServed(scope, what), 'insufficient_scope');
    }
  });

  test('a token is still needed; bad paging values are still 400; none of it is in the OpenAPI document', async () => {
    assert.equal((await callApi(m.baseUrl, undefined, 'GET', '/rules')).status, 401);
    assert.equal((await callApi(m.baseUrl, undefined, 'GET', '/tenants/settings')).status, 401);
    assertManagementError(
      await m.api('GET', '/rules?per_page=101'),
      400,
      'Bad Request',
      'Payload validation error: querystring.per_page must be <= 100',
      'invalid_query_string',
    );
    const doc = (await (await fetch(`${m.baseUrl}/api/v2/openapi.json`)).json()) as { paths: Record<string, unknown> };
    const paths = Object.keys(doc.paths);
    assert.ok(!paths.some((p) => /rules|tenants|connections|prompts/.test(p)), paths.join(' '));
  });
});
