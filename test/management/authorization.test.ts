/**
 * Who may call `/api/v2`: a Bearer token (RFC 6750 §2.1) from Minter's own token endpoint for the audience
 * `<issuer>/api/v2/`, carrying the scope each operation names (Auth0's scopes). Errors in Auth0's shape
 * `{statusCode, error, message, errorCode}`. The guard reads only the in-memory keys, so the suite runs on one
 * storage (see `anyStorage`).
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { SignJWT } from 'jose';
import {
  anyStorage,
  assertManagementError,
  callApi,
  getToken,
  provision,
  startMinter,
  type RunningMinter,
} from '../helpers/minter.js';

describe(`management API authorization (${anyStorage})`, () => {
  let m: RunningMinter;
  let app: Awaited<ReturnType<typeof provision>>;
  before(async () => {
    m = await startMinter({ storage: anyStorage });
    app = await provision(m);
  });
  after(() => m?.close());

  test('no Authorization header is 401 invalid_token with a Bearer challenge (RFC 6750 §3)', async () => {
    const response = await callApi(m.baseUrl, undefined, 'GET', '/clients');
    assertManagementError(
      response,
      401,
      'Unauthorized',
      'Missing Bearer token in the Authorization header',
      'invalid_token',
    );
    assert.equal(response.headers.get('www-authenticate'), 'Bearer realm="minter-management"');
  });

  test('another scheme (Basic) is 401 as if no token were sent', async () => {
    const response = await fetch(`${m.baseUrl}/api/v2/clients`, {
      headers: {
        authorization: `Basic ${Buffer.from(`${m.admin.clientId}:${m.admin.clientSecret}`).toString('base64')}`,
      },
    });
    assertManagementError(
      { status: response.status, headers: response.headers, body: await response.json() },
      401,
      'Unauthorized',
      'Missing Bearer token in the Authorization header',
      'invalid_token',
    );
  });

  test('a token Minter issued for a normal API (wrong audience) is 401', async () => {
    const { access_token } = await getToken(m.baseUrl, app, app.identifier);
    const response = await callApi(m.baseUrl, access_token, 'GET', '/clients');
    assertManagementError(
      response,
      401,
      'Unauthorized',
      'Invalid token: unexpected "aud" claim value',
      'invalid_token',
    );
  });

  test('a token that is not a JWS is 401', async () => {
    const response = await callApi(m.baseUrl, 'not-a-token', 'GET', '/clients');
    assertManagementError(response, 401, 'Unauthorized', 'Invalid token: Invalid Compact JWS', 'invalid_token');
  });

  test('a token with the right claims signed by a key Minter does not publish is 401', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const forged = await new SignJWT({ scope: 'read:clients' })
      .setProtectedHeader({ alg: 'ES256', kid: 'forged', typ: 'at+jwt' })
      .setIssuer(m.issuer)
      .setAudience(`${m.issuer}/api/v2/`)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
    const response = await callApi(m.baseUrl, forged, 'GET', '/clients');
    assertManagementError(
      response,
      401,
      'Unauthorized',
      'The token was not signed by a key this server publishes',
      'invalid_token',
    );
  });

  test("a token without the operation's scope is 403 insufficient_scope naming the scope", async () => {
    const reader = await m.api('POST', '/clients', { name: 'reader' });
    const grant = await m.api('POST', '/client-grants', {
      client_id: reader.body.client_id,
      audience: `${m.issuer}/api/v2/`,
      scope: ['read:clients'],
    });
    assert.equal(grant.status, 201, JSON.stringify(grant.body));
    const { access_token, scope } = await getToken(
      m.baseUrl,
      { clientId: reader.body.client_id, clientSecret: reader.body.client_secret },
      `${m.issuer}/api/v2/`,
    );
    assert.equal(scope, 'read:clients');

    assert.equal((await callApi(m.baseUrl, access_token, 'GET', '/clients')).status, 200);
    assertManagementError(
      await callApi(m.baseUrl, access_token, 'POST', '/clients', { name: 'x' }),
      403,
      'Forbidden',
      'Insufficient scope, expected: create:clients',
      'insufficient_scope',
    );
    assertManagementError(
      await callApi(m.baseUrl, access_token, 'GET', '/logs'),
      403,
      'Forbidden',
      'Insufficient scope, expected: read:logs',
      'insufficient_scope',
    );
    assertManagementError(
      await callApi(m.baseUrl, access_token, 'POST', '/keys/signing/rotate'),
      403,
      'Forbidden',
      'Insufficient scope, expected: create:signing_keys',
      'insufficient_scope',
    );
  });

  test('an unknown path under /api/v2 is 404 in the management error shape', async () => {
    const response = await callApi(m.baseUrl, await m.adminToken(), 'GET', '/no-such-resource');
    assertManagementError(response, 404, 'Not Found', 'No route GET /api/v2/no-such-resource', 'not_found');
  });
});
