/**
 * private_key_jwt client authentication (RFC 7523, Auth0's client credentials): keys registered through the
 * management API, assertions from a real OAuth library (openid-client) and hand-made ones for each way an assertion
 * can be wrong, tokens verified with jose against the JWKS.
 */
import assert from 'node:assert/strict';
import { X509Certificate, generateKeyPairSync, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  SignJWT,
  calculateJwkThumbprint,
  createRemoteJWKSet,
  exportJWK,
  exportPKCS8,
  exportSPKI,
  generateKeyPair,
  jwtVerify,
  type CryptoKey,
  type JWK,
} from 'jose';
import * as oidc from 'openid-client';
import { anyStorage, postToken, provision, startMinter, type RunningMinter } from '../helpers/minter.js';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** A self-signed RSA 2048 certificate (`openssl req -x509 -days 36500`), valid until 2126-10-30T15:47:03Z. */
const CERTIFICATE = `-----BEGIN CERTIFICATE-----
MIIDHTCCAgWgAwIBAgIUcJ5fX3UJjDEeG31U6giyP3Gsz6cwDQYJKoZIhvcNAQEL
BQAwHTEbMBkGA1UEAwwSbWludGVyLXRlc3QtY2xpZW50MCAXDTI2MTEyMzE1NDcw
M1oYDzIxMjYxMDMwMTU0NzAzWjAdMRswGQYDVQQDDBJtaW50ZXItdGVzdC1jbGll
bnQwggEiMA0GCSqGSIb3DQEBAQUAA4IBDwAwggEKAoIBAQCImQTu3jBUS7kRp/Ft
7PFPKSmDGgdnhkBR/W8hxqC88QY4AvT5FEcRXW35raj/v/ueVcw/1cv0S7M2jR4x
63FcUPlcej7cHxnCszQPVL42VWV5t7I/mruuPqr13zXNkLecNlLuqEqpXc6B0ODp
gAp62XRMw0DrblsMl8kLWzr+DMjocNiQWDOHzJxW7S9nmtP0YF/k0IWv46N58s4x
Mv+rEa732FEasz0Wf6m3VfZbqI82/OMANFA1khhscDLp9jOkJzAl2jrn5ySzsZHi
qGyEgBPG5esetMB4iVLXO8cCPvnVIn+njoG7+biAthslvdMCmOEdUVLFoS4KC4Zl
TTUtAgMBAAGjUzBRMB0GA1UdDgQWBBRgFbebGiidxmG0O+XhVcVgTNwawDAfBgNV
HSMEGDAWgBRgFbebGiidxmG0O+XhVcVgTNwawDAPBgNVHRMBAf8EBTADAQH/MA0G
CSqGSIb3DQEBCwUAA4IBAQA4Ube+CP8I3s6+AnLpaD9Gljg0oauiDHDlas5MXqAY
fbLc3gF6kMmUQd3pxv7Z3z0I5AoPVu8loQtvJ0LZpaZYMt7t8W2+VDFpG8tZogSi
P8FnzSDgkcgcF/leiGrYT9AT3OP5/dNE0XEpK70KG/CJQVXPN+xsUAQNdQ2dVigi
YlYPd+/7p21FctDS5VppHNSUMG+PuLGDrkTl8glE7QgKoH0nnxa8jIyWIP7ecx3G
hT8jZu0+CU1xgFqfwEVviVt/qcTEaFJcRNK77N2tzSt+O1TcEhVpBW+E3QLhEFkf
LNHadlQlBuvhv0xYar0w9RmXF0H2pAS3LUHKShALrHJn
-----END CERTIFICATE-----
`;

describe('private_key_jwt client authentication', () => {
  let m: RunningMinter;
  let app: Awaited<ReturnType<typeof provision>>;
  let keys: { publicKey: CryptoKey; privateKey: CryptoKey };
  let credentialId: string;

  /** An assertion for `app`, signed with `key` (the registered one by default); `claims` override the defaults. */
  async function assertion(
    claims: Record<string, unknown> = {},
    options: { key?: CryptoKey; alg?: string; lifetime?: number } = {},
  ) {
    const now = Math.floor(Date.now() / 1000);
    const payload = {
      iss: app.clientId,
      sub: app.clientId,
      aud: `${m.issuer}/`,
      iat: now,
      exp: now + (options.lifetime ?? 60),
      jti: randomUUID(),
      ...claims,
    };
    return new SignJWT(payload)
      .setProtectedHeader({ alg: options.alg ?? 'RS256' })
      .sign(options.key ?? keys.privateKey);
  }

  const tokenRequest = (clientAssertion: string, extra: Record<string, string> = {}) =>
    postToken(m.baseUrl, {
      grant_type: 'client_credentials',
      audience: app.identifier,
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: clientAssertion,
      ...extra,
    });

  before(async () => {
    m = await startMinter({ storage: anyStorage });
    app = await provision(m, { signing_alg: 'ES256' });
    keys = await generateKeyPair('RS256', { extractable: true });
    const created = await m.api('POST', `/clients/${app.clientId}/credentials`, {
      credential_type: 'public_key',
      name: 'ci key',
      pem: await exportSPKI(keys.publicKey),
      alg: 'RS256',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    credentialId = created.body.id;
    assert.match(credentialId, /^cred_/);
    assert.equal(created.body.kid, await calculateJwkThumbprint(await exportJWK(keys.publicKey)));
    assert.deepEqual(
      {
        name: created.body.name,
        credential_type: created.body.credential_type,
        alg: created.body.alg,
        expires_at: created.body.expires_at,
      },
      { name: 'ci key', credential_type: 'public_key', alg: 'RS256', expires_at: null },
    );
    assert.equal('pem' in created.body, false);
  });
  after(() => m?.close());

  test('discovery advertises it, and openid-client gets a token that jose verifies against the JWKS', async () => {
    const config = await oidc.discovery(
      new URL(m.issuer),
      app.clientId,
      undefined,
      oidc.PrivateKeyJwt(keys.privateKey),
      {
        execute: [oidc.allowInsecureRequests],
      },
    );
    const metadata = config.serverMetadata();
    assert.ok(metadata.token_endpoint_auth_methods_supported?.includes('private_key_jwt'));
    assert.deepEqual(metadata.token_endpoint_auth_signing_alg_values_supported, ['RS256', 'RS384', 'PS256']);
    const tokens = await oidc.clientCredentialsGrant(config, { audience: app.identifier });
    const { payload } = await jwtVerify(tokens.access_token, createRemoteJWKSet(new URL(metadata.jwks_uri!)), {
      issuer: m.issuer,
      audience: app.identifier,
      typ: 'at+jwt',
    });
    assert.equal(payload.sub, app.clientId);
    assert.equal(payload.scope, 'read:things write:things');
  });

  test('aud may be the issuer with or without a slash, or the token endpoint; client_id may be sent when it matches', async () => {
    for (const aud of [m.issuer, `${m.issuer}/`, `${m.issuer}/oauth/token`]) {
      const response = await tokenRequest(await assertion({ aud }), { client_id: app.clientId });
      assert.equal(response.status, 200, `${aud}: ${JSON.stringify(response.body)}`);
    }
  });

  test('each way an assertion can be wrong is a 401 invalid_client that says which', async () => {
    const other = await generateKeyPair('RS256');
    const now = Math.floor(Date.now() / 1000);
    const cases: Array<[string, Promise<string>, RegExp]> = [
      ['another key', assertion({}, { key: other.privateKey }), /^Client authentication failed$/],
      ['another audience', assertion({ aud: 'https://elsewhere.example.com/' }), /aud/],
      ['expired', assertion({ exp: now - 60, iat: now - 120 }), /expired/],
      ['a 10-minute lifetime', assertion({}, { lifetime: 600 }), /at most 300 s/],
      ['another subject', assertion({ sub: 'someone-else', iss: 'someone-else' }), /^Client authentication failed$/],
      ['iss not the client', assertion({ iss: 'https://issuer.example.com' }), /iss and sub/],
      ['no jti', assertion({ jti: undefined }), /jti/],
      ['not a JWT', Promise.resolve('not-a-jwt'), /not a signed JWT/],
    ];
    for (const [name, made, message] of cases) {
      const response = await tokenRequest(await made);
      assert.equal(response.status, 401, `${name}: ${JSON.stringify(response.body)}`);
      assert.equal(response.body.error, 'invalid_client', name);
      assert.match(response.body.error_description, message, name);
    }
    // The failure records name the client the assertions claimed to be, so an operator can find them.
    const logs = await m.api('GET', `/logs?type=feccft&client_id=${app.clientId}&per_page=100`);
    assert.ok(
      logs.body.some((r: { description: string }) => /aud must be/.test(r.description)),
      JSON.stringify(logs.body),
    );
  });

  test('an assertion is used once (jti)', async () => {
    const once = await assertion();
    assert.equal((await tokenRequest(once)).status, 200);
    const replayed = await tokenRequest(once);
    assert.equal(replayed.status, 401);
    assert.match(replayed.body.error_description, /already used/);
  });

  test('one method per request, and the assertion type is checked', async () => {
    const withSecret = await tokenRequest(await assertion(), { client_secret: app.clientSecret });
    assert.equal(withSecret.status, 400);
    assert.equal(withSecret.body.error, 'invalid_request');
    const wrongType = await tokenRequest(await assertion(), { client_assertion_type: 'urn:example:saml' });
    assert.equal(wrongType.status, 400);
    assert.match(wrongType.body.error_description, /client_assertion_type must be/);
  });

  test('token_endpoint_auth_method private_key_jwt turns the secret off; deleting the key turns the assertion off', async () => {
    const bySecret = () =>
      postToken(m.baseUrl, {
        grant_type: 'client_credentials',
        client_id: app.clientId,
        client_secret: app.clientSecret,
        audience: app.identifier,
      });
    assert.equal((await bySecret()).status, 200);
    const patched = await m.api('PATCH', `/clients/${app.clientId}`, { token_endpoint_auth_method: 'private_key_jwt' });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    const refused = await bySecret();
    assert.equal(refused.status, 401);
    assert.equal(refused.body.error, 'invalid_client');
    assert.equal((await tokenRequest(await assertion())).status, 200);

    assert.equal((await m.api('DELETE', `/clients/${app.clientId}/credentials/${credentialId}`)).status, 204);
    assert.equal((await m.api('GET', `/clients/${app.clientId}/credentials/${credentialId}`)).status, 404);
    const gone = await tokenRequest(await assertion());
    assert.equal(gone.status, 401);
    assert.equal(gone.body.error_description, 'Client authentication failed');
  });
});

describe('client credentials (public keys) in the management API', () => {
  let m: RunningMinter;
  let clientId: string;
  before(async () => {
    m = await startMinter({ storage: anyStorage });
    clientId = (await provision(m)).clientId;
  });
  after(() => m?.close());

  const post = (body: Record<string, unknown>, id = clientId) =>
    m.api('POST', `/clients/${id}/credentials`, { credential_type: 'public_key', ...body });

  test('refuses a private key, a non-RSA key, a short RSA key, an unknown algorithm and a past expiry, each with a reason', async () => {
    const rsa = await generateKeyPair('RS256', { extractable: true });
    const ec = await generateKeyPair('ES256', { extractable: true });
    const short = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({
      type: 'spki',
      format: 'pem',
    }) as string;
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ['private key', { pem: await exportPKCS8(rsa.privateKey) }, /private key/],
      ['EC key', { pem: await exportSPKI(ec.publicKey) }, /RSA/],
      ['1024-bit RSA', { pem: short }, /2048/],
      ['garbage', { pem: 'hello' }, /not a PEM/],
      ['ES256 alg', { pem: await exportSPKI(rsa.publicKey), alg: 'ES256' }, /alg/],
      ['past expiry', { pem: await exportSPKI(rsa.publicKey), expires_at: '2020-01-01T00:00:00Z' }, /past/],
      ['expiry from a bare key', { pem: await exportSPKI(rsa.publicKey), parse_expiry_from_cert: true }, /certificate/],
    ];
    for (const [name, body, message] of cases) {
      const response = await post(body);
      assert.equal(response.status, 400, `${name}: ${JSON.stringify(response.body)}`);
      assert.match(response.body.message, message, name);
    }
    assert.deepEqual((await m.api('GET', `/clients/${clientId}/credentials`)).body, []);
  });

  test('takes an X.509 certificate: its public key, and with parse_expiry_from_cert its end of validity', async () => {
    const other = (await provision(m)).clientId;
    const created = await post({ pem: CERTIFICATE, parse_expiry_from_cert: true }, other);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.expires_at, '2126-10-30T15:47:03.000Z');
    const jwk = new X509Certificate(CERTIFICATE).publicKey.export({ format: 'jwk' });
    assert.equal(created.body.kid, await calculateJwkThumbprint(jwk as JWK));
  });

  test('lists, reads and keeps at most two per client; unknown clients and credentials are 404', async () => {
    const pem = async () => exportSPKI((await generateKeyPair('RS256', { extractable: true })).publicKey);
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    const first = await post({ pem: await pem(), name: 'one', expires_at: expiresAt });
    const second = await post({ pem: await pem(), name: 'two', alg: 'PS256' });
    assert.equal(first.status, 201);
    assert.equal(second.status, 201);
    assert.equal(first.body.expires_at, expiresAt);
    const third = await post({ pem: await pem() });
    assert.equal(third.status, 400);
    assert.match(third.body.message, /at most 2/);
    const list = await m.api('GET', `/clients/${clientId}/credentials`);
    assert.deepEqual(
      list.body.map((c: { name: string; alg: string }) => [c.name, c.alg]),
      [
        ['one', 'RS256'],
        ['two', 'PS256'],
      ],
    );
    assert.deepEqual((await m.api('GET', `/clients/${clientId}/credentials/${first.body.id}`)).body, first.body);
    assert.equal((await post({ pem: await pem() }, 'no-such-client')).status, 404);
    assert.equal((await m.api('DELETE', `/clients/${clientId}/credentials/cred_nope`)).status, 404);
  });
});
