/**
 * What an issued token looks like: signed with the API's `signing_alg` (RFC 7518 §3, RFC 8037) and verifiable
 * with jose against the published JWKS, shaped by the API's token profile — RFC 9068 (`typ: at+jwt`,
 * `sub` = client_id, `client_id`) or Auth0's (`typ: JWT`, `sub` = `<client_id>@clients`, `gty`, `azp`) — with
 * the API's `token_lifetime`. Tokens are signed from the in-memory snapshot, so the suite runs on one storage (see
 * `anyStorage`); storing keys and API settings is covered by test/keys and test/management on both.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { anyStorage, getToken, postToken, provision, startMinter, type RunningMinter } from '../helpers/minter.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const storage = anyStorage;

describe(`token profiles (${storage})`, () => {
  let m: RunningMinter;
  let jwks: ReturnType<typeof createLocalJWKSet>;
  before(async () => {
    m = await startMinter({ storage });
  });
  after(() => m?.close());

  /** The JWKS as published now (keys do not change in this suite). */
  async function publishedKeys() {
    if (!jwks)
      jwks = createLocalJWKSet(
        (await fetch(`${m.baseUrl}/.well-known/jwks.json`).then((r) => r.json())) as JSONWebKeySet,
      );
    return jwks;
  }

  for (const alg of ['RS256', 'PS256', 'ES256', 'EdDSA']) {
    test(`signing_alg ${alg}: the token is a JWS with alg ${alg} that jose verifies against the JWKS (RFC 7515, RFC 7517)`, async () => {
      const app = await provision(m, { signing_alg: alg });
      const { access_token } = await getToken(m.baseUrl, app, app.identifier);
      const { protectedHeader, payload } = await jwtVerify(access_token, await publishedKeys(), {
        algorithms: [alg],
        issuer: m.issuer,
        audience: app.identifier,
      });
      assert.equal(protectedHeader.alg, alg);
      assert.equal(typeof protectedHeader.kid, 'string');
      assert.equal(payload.sub, app.clientId);
    });
  }

  test('profile rfc9068 (the default): typ at+jwt and the exact RFC 9068 §2.2 claims', async () => {
    const app = await provision(m, { signing_alg: 'ES256' });
    const before = Math.floor(Date.now() / 1000);
    const response = await getToken(m.baseUrl, app, app.identifier);
    const afterIssue = Math.floor(Date.now() / 1000);
    const { payload, protectedHeader } = await jwtVerify(response.access_token, await publishedKeys(), {
      typ: 'at+jwt',
    });
    assert.deepEqual(protectedHeader, { alg: 'ES256', kid: protectedHeader.kid, typ: 'at+jwt' });
    const { iat, exp, jti, ...fixed } = payload;
    assert.deepEqual(fixed, {
      iss: m.issuer,
      sub: app.clientId,
      aud: app.identifier,
      client_id: app.clientId,
      scope: 'read:things write:things',
    });
    assert.ok(iat! >= before && iat! <= afterIssue, `iat ${iat} within [${before}, ${afterIssue}]`);
    assert.equal(exp! - iat!, 86400);
    assert.match(String(jti), UUID);
    assert.deepEqual(
      { token_type: response.token_type, expires_in: response.expires_in, scope: response.scope },
      { token_type: 'Bearer', expires_in: 86400, scope: 'read:things write:things' },
    );
  });

  test('profile auth0: typ JWT, sub <client_id>@clients, gty client-credentials, azp (Auth0 access token profile)', async () => {
    const app = await provision(m, { signing_alg: 'RS256', token_dialect: 'auth0' });
    const before = Math.floor(Date.now() / 1000);
    const { access_token } = await getToken(m.baseUrl, app, app.identifier, { scope: 'read:things' });
    const afterIssue = Math.floor(Date.now() / 1000);
    const { payload, protectedHeader } = await jwtVerify(access_token, await publishedKeys(), { typ: 'JWT' });
    assert.deepEqual(protectedHeader, { alg: 'RS256', kid: protectedHeader.kid, typ: 'JWT' });
    const { iat, exp, jti, ...fixed } = payload;
    assert.deepEqual(fixed, {
      iss: m.issuer,
      sub: `${app.clientId}@clients`,
      aud: app.identifier,
      gty: 'client-credentials',
      azp: app.clientId,
      scope: 'read:things',
    });
    assert.ok(iat! >= before && iat! <= afterIssue);
    assert.equal(exp! - iat!, 86400);
    assert.match(String(jti), UUID);
  });

  test("Auth0's profile names are accepted and normalised: access_token → auth0, rfc9068_profile → rfc9068", async () => {
    const auth0 = await provision(m, { token_dialect: 'access_token' });
    const rfc = await provision(m, { token_dialect: 'rfc9068_profile' });
    const views = (await m.api('GET', '/resource-servers')).body as Array<{
      identifier: string;
      token_dialect: string;
    }>;
    assert.equal(views.find((v) => v.identifier === auth0.identifier)?.token_dialect, 'auth0');
    assert.equal(views.find((v) => v.identifier === rfc.identifier)?.token_dialect, 'rfc9068');
    const auth0Token = await getToken(m.baseUrl, auth0, auth0.identifier);
    const rfcToken = await getToken(m.baseUrl, rfc, rfc.identifier);
    assert.equal(decodeProtectedHeader(auth0Token.access_token).typ, 'JWT');
    assert.equal(decodeProtectedHeader(rfcToken.access_token).typ, 'at+jwt');
  });

  test('token_lifetime sets exp - iat and expires_in; a changed lifetime applies to the next token', async () => {
    const app = await provision(m, { signing_alg: 'EdDSA' });
    const rs = (await m.api('GET', `/resource-servers/${encodeURIComponent(app.identifier)}`)).body;
    assert.equal((await m.api('PATCH', `/resource-servers/${rs.id}`, { token_lifetime: 120 })).status, 200);
    const response = await getToken(m.baseUrl, app, app.identifier);
    const { payload } = await jwtVerify(response.access_token, await publishedKeys());
    assert.equal(response.expires_in, 120);
    assert.equal(payload.exp! - payload.iat!, 120);
  });

  test('/oauth2/token is an alias of /oauth/token', async () => {
    const app = await provision(m);
    const response = await postToken(
      m.baseUrl,
      {
        grant_type: 'client_credentials',
        client_id: app.clientId,
        client_secret: app.clientSecret,
        audience: app.identifier,
      },
      { path: '/oauth2/token' },
    );
    assert.equal(response.status, 200, response.text);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    const { payload } = await jwtVerify(response.body.access_token, await publishedKeys(), {
      audience: app.identifier,
    });
    assert.equal(payload.client_id, app.clientId);
  });
});
