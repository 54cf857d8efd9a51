/**
 * Signing keys through the management API (`/api/v2/keys/signing`, Auth0's paths) and what verifiers see in the
 * JWKS. DESIGN: "the next key is published before it signs; a retired key stays in the JWKS until the last token
 * it signed has expired; a revoked key leaves at once." Run on PGlite and on PostgreSQL.
 *
 * The tests in a suite run in order and share the keys' state, as an operator's successive calls would.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createLocalJWKSet, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JSONWebKeySet } from 'jose';
import {
  callApi,
  freshAdminToken,
  getToken,
  provision,
  startMinter,
  type RunningMinter,
  type Storage,
  type WireResponse,
} from '../helpers/minter.js';
import { skipWithoutPostgres } from '../helpers/postgres.js';

interface KeyView {
  kid: string;
  alg: string;
  status: string;
  current: boolean;
  next: boolean;
  previous: boolean;
  revoked: boolean;
  thumbprint: string;
  public_jwk: Record<string, unknown>;
  created_at: string;
  current_since?: string;
  current_until?: string;
  published_until?: string;
  revoked_at?: string;
}

for (const storage of ['pglite', 'postgres'] as Storage[]) {
  describe(
    `signing key rotation and revocation (${storage})`,
    { skip: storage === 'postgres' && skipWithoutPostgres },
    () => {
      let m: RunningMinter;
      before(async () => {
        m = await startMinter({ storage });
      });
      after(() => m?.close());

      /** Management calls with a token minted for each call: revoking the ES256 key invalidates older admin tokens. */
      const api = async <T = any>(method: string, path: string): Promise<WireResponse<T>> =>
        callApi<T>(m.baseUrl, await freshAdminToken(m), method, path);
      const jwks = async () =>
        (await fetch(`${m.baseUrl}/.well-known/jwks.json`).then((r) => r.json())) as JSONWebKeySet;
      const kids = (set: JSONWebKeySet) => set.keys.map((k) => k.kid!);
      const keysOf = async (alg: string) => {
        const list = (await api<KeyView[]>('GET', '/keys/signing')).body.filter((k) => k.alg === alg);
        return { current: list.find((k) => k.current), next: list.find((k) => k.next), all: list };
      };

      test('GET /keys/signing lists a current and a next key per algorithm, in the view shape', async () => {
        const response = await api<KeyView[]>('GET', '/keys/signing');
        assert.equal(response.status, 200);
        const byAlg = new Map<string, string[]>();
        for (const key of response.body) byAlg.set(key.alg, [...(byAlg.get(key.alg) ?? []), key.status].sort());
        assert.deepEqual(Object.fromEntries(byAlg), {
          RS256: ['current', 'next'],
          PS256: ['current', 'next'],
          ES256: ['current', 'next'],
          EdDSA: ['current', 'next'],
        });
        const current = response.body.find((k) => k.alg === 'ES256' && k.current)!;
        assert.deepEqual(Object.keys(current).sort(), [
          'alg',
          'created_at',
          'current',
          'current_since',
          'kid',
          'next',
          'previous',
          'public_jwk',
          'revoked',
          'status',
          'thumbprint',
        ]);
        assert.deepEqual(
          {
            next: current.next,
            previous: current.previous,
            revoked: current.revoked,
            kid: current.public_jwk.kid,
            use: current.public_jwk.use,
          },
          { next: false, previous: false, revoked: false, kid: current.kid, use: 'sig' },
        );
        assert.equal(current.thumbprint, current.kid, 'the kid is the RFC 7638 thumbprint');
        // Every listed live key is in the JWKS.
        assert.deepEqual(kids(await jwks()).sort(), response.body.map((k) => k.kid).sort());
      });

      test('rotation is refused with 409 while the next key is younger than the JWKS cache lifetime (300 s)', async () => {
        const response = await api('POST', '/keys/signing/rotate');
        assert.equal(response.status, 409);
        const { message, ...rest } = response.body;
        assert.deepEqual(rest, { statusCode: 409, error: 'Conflict', errorCode: 'too_early' });
        assert.match(message, /^The next RS256 key was published \d+ s ago; verifiers may cache the JWKS for 300 s\. /);
        assert.match(message, /\?force=true/);
      });

      let app: Awaited<ReturnType<typeof provision>>;
      let oldToken: string;
      let oldKid: string;

      test('?force=true rotates: the next key (already published) signs, the old key stays in the JWKS, old tokens verify', async () => {
        app = await provision(m, { signing_alg: 'PS256' });
        const etagBefore = (await fetch(`${m.baseUrl}/.well-known/jwks.json`)).headers.get('etag');
        const jwksBefore = await jwks();
        const before = await keysOf('PS256');
        const rsBefore = await keysOf('RS256');
        oldToken = (await getToken(m.baseUrl, app, app.identifier)).access_token;
        oldKid = decodeProtectedHeader(oldToken).kid!;
        assert.equal(oldKid, before.current!.kid);

        const response = await api<{ keys: KeyView[] }>('POST', '/keys/signing/rotate?alg=PS256&force=true');
        assert.equal(response.status, 201, response.text);
        const promoted = response.body.keys.find((k) => k.alg === 'PS256')!;
        assert.equal(promoted.kid, before.next!.kid, 'the next key is promoted');
        assert.ok(kids(jwksBefore).includes(promoted.kid), 'the promoted key was in the JWKS before the rotation');

        const after = await keysOf('PS256');
        assert.equal(after.current!.kid, before.next!.kid);
        assert.ok(after.next && ![before.current!.kid, before.next!.kid].includes(after.next.kid), 'a fresh next key');
        const retired = after.all.find((k) => k.kid === oldKid)!;
        assert.equal(retired.status, 'previous');
        assert.ok(retired.current_until && retired.published_until, 'current_until and published_until are set');
        assert.ok(
          Date.parse(retired.published_until!) - Date.parse(retired.current_until!) >= 86400 * 1000,
          'published for a token lifetime',
        );
        assert.equal(
          (await keysOf('RS256')).current!.kid,
          rsBefore.current!.kid,
          '?alg=PS256 leaves the other algorithms alone',
        );

        const jwksAfter = await jwks();
        assert.ok(kids(jwksAfter).includes(oldKid), 'the retired key stays in the JWKS');
        const revalidated = await fetch(`${m.baseUrl}/.well-known/jwks.json`, {
          headers: { 'if-none-match': etagBefore! },
        });
        assert.equal(revalidated.status, 200, 'a verifier revalidating its cached copy gets the new key set');
        assert.ok(kids(jwksAfter).includes(after.next!.kid), 'the new next key is published before it signs');
        const { payload } = await jwtVerify(oldToken, createLocalJWKSet(jwksAfter), { audience: app.identifier });
        assert.equal(payload.client_id, app.clientId);

        const newToken = (await getToken(m.baseUrl, app, app.identifier)).access_token;
        assert.equal(decodeProtectedHeader(newToken).kid, before.next!.kid);
        await jwtVerify(newToken, createLocalJWKSet(jwksBefore), { audience: app.identifier });
      });

      test('revoking a retired key takes it out of the JWKS at once; its tokens no longer verify', async () => {
        const response = await api<KeyView>('PUT', `/keys/signing/${oldKid}/revoke`);
        assert.equal(response.status, 200, response.text);
        assert.deepEqual(
          {
            kid: response.body.kid,
            status: response.body.status,
            revoked: response.body.revoked,
            previous: response.body.previous,
          },
          { kid: oldKid, status: 'revoked', revoked: true, previous: false },
        );
        assert.ok(!Number.isNaN(Date.parse(response.body.revoked_at!)));
        const set = await jwks();
        assert.ok(!kids(set).includes(oldKid));
        await assert.rejects(jwtVerify(oldToken, createLocalJWKSet(set)), joseErrors.JWKSNoMatchingKey);
      });

      test('revoking a revoked key is 409 already_revoked', async () => {
        const response = await api('PUT', `/keys/signing/${oldKid}/revoke`);
        assert.deepEqual(
          { status: response.status, body: response.body },
          {
            status: 409,
            body: {
              statusCode: 409,
              error: 'Conflict',
              message: `signing key ${oldKid} is already revoked`,
              errorCode: 'already_revoked',
            },
          },
        );
      });

      test('revoking an unknown kid is 404 inexistent_entity', async () => {
        const response = await api('PUT', '/keys/signing/no-such-kid/revoke');
        assert.deepEqual(
          { status: response.status, body: response.body },
          {
            status: 404,
            body: {
              statusCode: 404,
              error: 'Not Found',
              message: 'signing key no-such-kid does not exist',
              errorCode: 'inexistent_entity',
            },
          },
        );
      });

      test('revoking the next key replaces it with a fresh next key', async () => {
        const before = await keysOf('RS256');
        const response = await api<KeyView>('PUT', `/keys/signing/${before.next!.kid}/revoke`);
        assert.equal(response.status, 200, response.text);
        const after = await keysOf('RS256');
        assert.equal(after.current!.kid, before.current!.kid);
        assert.ok(after.next && after.next.kid !== before.next!.kid);
        const set = kids(await jwks());
        assert.ok(!set.includes(before.next!.kid));
        assert.ok(set.includes(after.next.kid));
      });

      test('revoking the current key promotes the next one; tokens still issue; tokens it signed are refused at once', async () => {
        const es = await provision(m, { signing_alg: 'ES256' });
        const before = await keysOf('ES256');
        // The management API signs with ES256 too: this admin token is signed by the key about to be revoked.
        const adminToken = await freshAdminToken(m);
        assert.equal(decodeProtectedHeader(adminToken).kid, before.current!.kid);
        const oldEs = (await getToken(m.baseUrl, es, es.identifier)).access_token;

        const response = await callApi<KeyView>(
          m.baseUrl,
          adminToken,
          'PUT',
          `/keys/signing/${before.current!.kid}/revoke`,
        );
        assert.equal(response.status, 200, response.text);
        assert.equal(response.body.status, 'revoked');

        const after = await keysOf('ES256');
        assert.equal(after.current!.kid, before.next!.kid, 'the next key is promoted');
        assert.ok(after.next && after.next.kid !== before.next!.kid, 'and a fresh next key made');
        const set = await jwks();
        assert.ok(!kids(set).includes(before.current!.kid));
        await assert.rejects(jwtVerify(oldEs, createLocalJWKSet(set)), joseErrors.JWKSNoMatchingKey);

        const fresh = (await getToken(m.baseUrl, es, es.identifier)).access_token;
        assert.equal(decodeProtectedHeader(fresh).kid, before.next!.kid);
        await jwtVerify(fresh, createLocalJWKSet(set), { audience: es.identifier });

        const refused = await callApi(m.baseUrl, adminToken, 'GET', '/keys/signing');
        assert.deepEqual(
          { status: refused.status, body: refused.body },
          {
            status: 401,
            body: {
              statusCode: 401,
              error: 'Unauthorized',
              message: 'The token was not signed by a key this server publishes',
              errorCode: 'invalid_token',
            },
          },
        );
      });
    },
  );
}
