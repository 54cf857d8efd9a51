/**
 * How the management API reads bodies (management/request-body.ts): JSON only (another content type is a 415 naming
 * it), an unknown property named before a missing one, and what a GET returned accepted back on PATCH, read-only
 * fields ignored as Auth0 ignores them, identity fields only unchanged. And `deploy: true` on create is one step: a
 * build that fails creates nothing. Storage plays no part: one storage (`anyStorage`).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  anyStorage,
  assertManagementError,
  callApi,
  provision,
  startMinter,
  type RunningMinter,
} from '../helpers/minter.js';

const CODE = 'exports.onExecuteCredentialsExchange = async (event, api) => {};';

describe(`management API request bodies (${anyStorage})`, () => {
  let m: RunningMinter;
  let app: Awaited<ReturnType<typeof provision>>;
  before(async () => {
    m = await startMinter({ storage: anyStorage });
    app = await provision(m, { identifier: 'https://bodies.example.com' });
  });
  after(() => m?.close());

  const send = async (path: string, body: string, contentType: string | undefined, method = 'POST') => {
    const response = await fetch(`${m.baseUrl}/api/v2${path}`, {
      method,
      headers: { authorization: `Bearer ${await m.adminToken()}`, ...(contentType && { 'content-type': contentType }) },
      body: Buffer.from(body), // bytes: fetch adds no Content-Type of its own
    });
    return { status: response.status, headers: response.headers, body: await response.json() };
  };

  test('a body that is not JSON is 415 naming the content type it sent', async () => {
    assertManagementError(
      await send('/clients', 'name=svc', 'application/x-www-form-urlencoded'),
      415,
      'Unsupported Media Type',
      'The management API reads JSON bodies: send Content-Type: application/json (this request sent "application/x-www-form-urlencoded")',
      'unsupported_media_type',
    );
    assertManagementError(
      await send(`/clients/${app.clientId}`, '{"name":"x"}', 'text/plain; charset=utf-8', 'PATCH'),
      415,
      'Unsupported Media Type',
      'The management API reads JSON bodies: send Content-Type: application/json (this request sent "text/plain; charset=utf-8")',
      'unsupported_media_type',
    );
    assertManagementError(
      await send('/clients', '{"name":"svc"}', undefined),
      415,
      'Unsupported Media Type',
      'The management API reads JSON bodies: send Content-Type: application/json (this request sent no Content-Type)',
      'unsupported_media_type',
    );
    assert.equal((await send('/clients', '{"name":"svc"}', 'application/json; charset=utf-8')).status, 201);
  });

  test('an unknown property is named (with the known one it is closest to), before a missing one', async () => {
    assertManagementError(
      await m.api('POST', '/clients', { nmae: 'svc' }),
      400,
      'Bad Request',
      'Payload validation error: body: unknown property "nmae"; did you mean "name"?',
      'invalid_body',
    );
    assertManagementError(
      await m.api('POST', '/organizations', { name: 'acme', colour: 'red' }),
      400,
      'Bad Request',
      'Payload validation error: body: unknown property "colour"',
      'invalid_body',
    );
    assertManagementError(
      await m.api('POST', '/actions/actions', {
        name: 'a',
        code: CODE,
        supported_triggers: [{ id: 'credentials-exchange' }],
        secrets: [{ name: 'KEY', vaule: 'v' }],
      }),
      400,
      'Bad Request',
      'Payload validation error: body.secrets.0: unknown property "vaule"; did you mean "value"?',
      'invalid_body',
    );
    assertManagementError(
      await m.api('POST', '/resource-servers', {}),
      400,
      'Bad Request',
      'Payload validation error: body: missing required property "identifier"',
      'invalid_body',
    );
  });

  test('what GET returned is accepted back on PATCH: read-only fields ignored, nothing changes', async () => {
    const organization = (await m.api('POST', '/organizations', { name: 'round-trip', display_name: 'R' })).body;
    const action = (
      await m.api('POST', '/actions/actions', {
        name: 'round-trip',
        code: CODE,
        supported_triggers: [{ id: 'credentials-exchange', version: 'v2' }],
        secrets: [{ name: 'KEY', value: 'v' }],
        deploy: true,
      })
    ).body;
    const rs = (await m.api('GET', `/resource-servers/${encodeURIComponent(app.identifier)}`)).body;
    // What Auth0 does not take on update either (the Deploy CLI strips it) is left out: an API's identifier, a
    // grant's client and audience.
    for (const [path, immutable] of [
      [`/clients/${app.clientId}`, []],
      [`/resource-servers/${rs.id}`, ['identifier']],
      [`/client-grants/${app.grantId}`, ['client_id', 'audience']],
      [`/organizations/${organization.id}`, []],
      [`/actions/actions/${action.id}`, []],
    ] as const) {
      const before = (await m.api('GET', path)).body;
      const sent = Object.fromEntries(
        Object.entries(before).filter(([k]) => !(immutable as readonly string[]).includes(k)),
      );
      const old = 'created_at' in before ? { created_at: '2001-01-01T00:00:00.000Z' } : {};
      const patched = await m.api('PATCH', path, { ...sent, ...old });
      assert.equal(patched.status, 200, `${path}: ${JSON.stringify(patched.body)}`);
      const { updated_at: _a, all_changes_deployed: _b, ...was } = before;
      const { updated_at: _c, all_changes_deployed: _d, ...is } = patched.body;
      assert.deepEqual(is, was, `${path}: unchanged, created_at ignored`);
    }
  });

  test('identity fields may be repeated on PATCH, not changed; is_first_party false and another trigger are refused', async () => {
    assertManagementError(
      await m.api('PATCH', `/clients/${app.clientId}`, { client_id: 'other' }),
      400,
      'Bad Request',
      `Payload validation error: body.client_id cannot be changed (it is "${app.clientId}"); a client keeps its id`,
      'invalid_body',
    );
    assertManagementError(
      await m.api('PATCH', `/client-grants/${app.grantId}`, { id: 'cgr_other' }),
      400,
      'Bad Request',
      `Payload validation error: body.id cannot be changed (it is "${app.grantId}"); a grant keeps its id`,
      'invalid_body',
    );
    assertManagementError(
      await m.api('PATCH', `/clients/${app.clientId}`, { is_first_party: false }),
      400,
      'Bad Request',
      'Payload validation error: body.is_first_party: Minter serves first-party clients only; send true or leave it out',
      'invalid_body',
    );
    const action = (await m.api('GET', '/actions/actions?actionName=round-trip')).body.actions[0];
    assertManagementError(
      await m.api('PATCH', `/actions/actions/${action.id}`, { supported_triggers: [{ id: 'm2m:token_generation' }] }),
      400,
      'Bad Request',
      'Payload validation error: body.supported_triggers: the action supports credentials-exchange and cannot move to m2m:token_generation; create a new action',
      'incompatible_trigger',
    );
    assert.equal((await m.api('POST', '/clients', { name: 'first', is_first_party: true })).status, 201);
  });

  test('create with deploy: true whose build fails creates nothing; the same request, fixed, is 201', async () => {
    const broken = {
      name: 'atomic',
      supported_triggers: [{ id: 'credentials-exchange', version: 'v2' }],
      code: 'exports.onExecuteCredentialsExchange = async (event, api) => {\n  api.deny(;\n};',
      deploy: true,
    };
    const failed = await m.api('POST', '/actions/actions', broken);
    assert.equal(failed.status, 400);
    assert.equal(failed.body.errorCode, 'build_failed');
    assert.deepEqual((await m.api('GET', '/actions/actions?actionName=atomic')).body.actions, []);
    const created = await m.api('POST', '/actions/actions', { ...broken, code: CODE });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.deployed_version.deployed, true);
  });

  test('unauthenticated requests are still 401 first, whatever their body', async () => {
    const response = await callApi(m.baseUrl, undefined, 'POST', '/clients', { nmae: 'x' });
    assert.equal(response.status, 401);
  });
});
