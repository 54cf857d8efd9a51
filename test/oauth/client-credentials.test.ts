/**
 * RFC 6749 §4.4 through a real OAuth client library (openid-client) against the real server, tokens verified with
 * jose against the JWKS found by discovery — the way an API verifies them. Run on PGlite and on PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { provision, startMinter, type RunningMinter, type Storage } from '../helpers/minter.js';
import { skipWithoutPostgres } from '../helpers/postgres.js';

for (const storage of ['pglite', 'postgres'] as Storage[]) {
  describe(`client credentials grant (${storage})`, { skip: storage === 'postgres' && skipWithoutPostgres }, () => {
    let m: RunningMinter;
    let app: Awaited<ReturnType<typeof provision>>;
    before(async () => {
      m = await startMinter({ storage });
      app = await provision(m, { signing_alg: 'ES256' });
    });
    after(() => m?.close());

    test('openid-client gets a token that jose verifies via discovery + JWKS (client_secret_basic)', async () => {
      const config = await oidc.discovery(new URL(m.issuer), app.clientId, app.clientSecret, undefined, {
        execute: [oidc.allowInsecureRequests],
      });
      const tokens = await oidc.clientCredentialsGrant(config, { audience: app.identifier });
      assert.equal(tokens.token_type.toLowerCase(), 'bearer');
      assert.equal(tokens.expires_in, 86400);
      assert.equal(tokens.scope, 'read:things write:things');

      const metadata = config.serverMetadata();
      const jwks = createRemoteJWKSet(new URL(metadata.jwks_uri!));
      const { payload, protectedHeader } = await jwtVerify(tokens.access_token, jwks, {
        issuer: m.issuer,
        audience: app.identifier,
        typ: 'at+jwt',
      });
      assert.equal(protectedHeader.alg, 'ES256');
      assert.equal(payload.sub, app.clientId);
      assert.equal(payload.client_id, app.clientId);
      assert.equal(payload.scope, 'read:things write:things');
      assert.equal(payload.exp! - payload.iat!, 86400);
      assert.match(String(payload.jti), /^[0-9a-f-]{36}$/);
    });

    test('client_secret_post with a scope subset narrows the token (RFC 6749 §3.3)', async () => {
      const config = new oidc.Configuration(
        { issuer: m.issuer, token_endpoint: `${m.baseUrl}/oauth/token` },
        app.clientId,
        undefined,
        oidc.ClientSecretPost(app.clientSecret),
      );
      oidc.allowInsecureRequests(config);
      const tokens = await oidc.clientCredentialsGrant(config, { resource: app.identifier, scope: 'read:things' });
      assert.equal(tokens.scope, 'read:things');
      const claims = JSON.parse(Buffer.from(tokens.access_token.split('.')[1]!, 'base64url').toString());
      assert.equal(claims.scope, 'read:things');
      assert.equal(claims.aud, app.identifier);
    });

    test('clients, grants and keys survive a restart', async () => {
      const before = await fetch(`${m.baseUrl}/.well-known/jwks.json`).then((r) => r.json());
      await m.restart();
      const afterRestart = (await fetch(`${m.baseUrl}/.well-known/jwks.json`).then((r) => r.json())) as {
        keys: Array<{ kid: string }>;
      };
      assert.deepEqual(afterRestart, before);
      const response = await fetch(`${m.baseUrl}/oauth/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', audience: app.identifier }),
      });
      assert.equal(response.status, 200);
      const { access_token } = (await response.json()) as { access_token: string };
      const kid = decodeProtectedHeader(access_token).kid;
      assert.ok(afterRestart.keys.some((k) => k.kid === kid));
    });
  });
}
