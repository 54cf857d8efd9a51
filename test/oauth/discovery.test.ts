/**
 * Discovery: RFC 8414 authorization server metadata at both well-known paths, and the JWKS (RFC 7517 §5) with the
 * cache headers verifiers rely on and ETag revalidation (RFC 9110 §8.8.3, §13.1.2). Storage plays no part in
 * these documents, so the suite runs on one storage (see `anyStorage`).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { anyStorage, startMinter, type RunningMinter } from '../helpers/minter.js';

describe(`discovery and JWKS (${anyStorage})`, () => {
  let m: RunningMinter;
  before(async () => {
    m = await startMinter({ storage: anyStorage });
  });
  after(() => m?.close());

  for (const path of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
    test(`${path}: the exact RFC 8414 §2 metadata, issuer = MINTER_ISSUER`, async () => {
      const response = await fetch(`${m.baseUrl}${path}`);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), 'application/json; charset=utf-8');
      assert.equal(response.headers.get('cache-control'), 'public, max-age=3600');
      assert.deepEqual(await response.json(), {
        issuer: m.issuer,
        token_endpoint: `${m.issuer}/oauth/token`,
        jwks_uri: `${m.issuer}/.well-known/jwks.json`,
        grant_types_supported: ['client_credentials'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
        token_endpoint_auth_signing_alg_values_supported: ['RS256', 'RS384', 'PS256'],
        response_types_supported: [],
        scopes_supported: [],
        token_signing_alg_values_supported: ['RS256', 'PS256', 'ES256', 'EdDSA'],
        resource_parameter_supported: true,
        service_documentation: `${m.issuer}/api/v2/openapi.json`,
      });
    });
  }

  test('JWKS: content type, cache headers, and public keys only (RFC 7517 §5, RFC 7518 §6)', async () => {
    const response = await fetch(`${m.baseUrl}/.well-known/jwks.json`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/jwk-set+json; charset=utf-8');
    assert.equal(response.headers.get('cache-control'), 'public, max-age=300');
    assert.match(response.headers.get('etag') ?? '', /^"[A-Za-z0-9_-]+"$/);
    assert.ok(!Number.isNaN(Date.parse(response.headers.get('last-modified') ?? '')));
    const { keys } = (await response.json()) as { keys: Array<Record<string, string>> };
    // A current and a next key for each of the four algorithms.
    assert.deepEqual(keys.map((k) => k.alg).sort(), [
      'ES256',
      'ES256',
      'EdDSA',
      'EdDSA',
      'PS256',
      'PS256',
      'RS256',
      'RS256',
    ]);
    for (const key of keys) {
      assert.equal(key.use, 'sig');
      assert.equal(typeof key.kid, 'string');
      for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi'])
        assert.equal(key[secret], undefined, `${key.kid} publishes ${secret}`);
    }
    assert.equal(new Set(keys.map((k) => k.kid)).size, keys.length);
  });

  test('JWKS: If-None-Match with the current ETag is 304 with no body and the same validators', async () => {
    const first = await fetch(`${m.baseUrl}/.well-known/jwks.json`);
    const etag = first.headers.get('etag')!;
    await first.arrayBuffer();
    const again = await fetch(`${m.baseUrl}/.well-known/jwks.json`, { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);
    assert.equal(await again.text(), '');
    assert.equal(again.headers.get('etag'), etag);
    assert.equal(again.headers.get('cache-control'), 'public, max-age=300');
  });

  test('JWKS: If-None-Match with another ETag is 200 with the document', async () => {
    const response = await fetch(`${m.baseUrl}/.well-known/jwks.json`, { headers: { 'if-none-match': '"stale"' } });
    assert.equal(response.status, 200);
    assert.ok(Array.isArray(((await response.json()) as { keys: unknown[] }).keys));
  });

  test('JWKS: If-None-Match with a list holding the current ETag, or its weak form, is 304 (RFC 9110 §13.1.2)', async () => {
    const etag = (await fetch(`${m.baseUrl}/.well-known/jwks.json`)).headers.get('etag')!;
    const list = await fetch(`${m.baseUrl}/.well-known/jwks.json`, {
      headers: { 'if-none-match': `"other", ${etag}` },
    });
    assert.equal(list.status, 304, 'a list of entity tags');
    const weak = await fetch(`${m.baseUrl}/.well-known/jwks.json`, { headers: { 'if-none-match': `W/${etag}` } });
    assert.equal(weak.status, 304, 'the weak form (If-None-Match uses the weak comparison)');
  });
});
