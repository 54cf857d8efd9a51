/**
 * A wrong secret costs the same work whether the client id exists or not (issue 11, finding 6: a known id answered
 * ~8–20 µs slower, an oracle for which ids exist). Time itself is measured by `bench/client-id-timing.ts`, not here
 * (a 2-core CI machine cannot hold a µs window); this test proves the cause is gone: through the real server, every
 * kind of failed secret authentication — unknown id, known id with a wrong secret, a private_key_jwt client sent a
 * secret, over the body and over HTTP Basic — hashes the presented secret once with SHA-256 and compares one 32-byte
 * digest in constant time, exactly as a successful one does, and answers the same 401. The same holds for
 * private_key_jwt: an assertion for an unknown client, or for a key the client does not have, costs one signature
 * verification, as a known client's wrong signature does.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';
import { after, before, describe, test } from 'node:test';
import { SignJWT, exportSPKI, generateKeyPair, type CryptoKey } from 'jose';
import { ASSERTION_TYPE } from '../../src/oauth/client-assertion.js';
import { basicAuth, postToken, provision, startMinter, type RunningMinter } from '../helpers/minter.js';

/** SHA-256 digests of each presented secret, and constant-time comparisons, as the server makes them. */
const hashed = new Map<string, number>();
let comparisons: number[] = [];
let verifications = 0;
const original = {
  createHash: crypto.createHash,
  timingSafeEqual: crypto.timingSafeEqual,
  verify: globalThis.crypto.subtle.verify,
};

function instrument(): void {
  crypto.createHash = ((algorithm: string, options?: crypto.HashOptions) => {
    const hash = original.createHash(algorithm, options);
    if (algorithm !== 'sha256') return hash;
    const update = hash.update.bind(hash) as (data: crypto.BinaryLike, encoding?: crypto.Encoding) => crypto.Hash;
    hash.update = ((data: crypto.BinaryLike, encoding?: crypto.Encoding) => {
      if (typeof data === 'string') hashed.set(data, (hashed.get(data) ?? 0) + 1);
      return update(data, encoding);
    }) as typeof hash.update;
    return hash;
  }) as typeof crypto.createHash;
  crypto.timingSafeEqual = ((a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => {
    comparisons.push(a.byteLength === b.byteLength ? a.byteLength : -1);
    return original.timingSafeEqual(a, b);
  }) as typeof crypto.timingSafeEqual;
  // The server's modules import these names from node:crypto: the live bindings follow the CommonJS exports.
  syncBuiltinESMExports();
  // jose verifies JWS signatures with WebCrypto.
  type Verify = typeof original.verify;
  globalThis.crypto.subtle.verify = ((...args: Parameters<Verify>) => {
    verifications++;
    return original.verify.apply(globalThis.crypto.subtle, args);
  }) as Verify;
}

function restore(): void {
  crypto.createHash = original.createHash;
  crypto.timingSafeEqual = original.timingSafeEqual;
  syncBuiltinESMExports();
  globalThis.crypto.subtle.verify = original.verify;
}

describe('secret authentication does the same work for unknown and known client ids', () => {
  let m: RunningMinter;
  let app: Awaited<ReturnType<typeof provision>>;
  let keyOnly: string;
  let registered: { publicKey: CryptoKey; privateKey: CryptoKey };
  let stranger: { publicKey: CryptoKey; privateKey: CryptoKey };
  before(async () => {
    m = await startMinter();
    app = await provision(m);
    const created = await m.api('POST', '/clients', {
      name: 'keys only',
      token_endpoint_auth_method: 'private_key_jwt',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    keyOnly = created.body.client_id;
    const grant = await m.api('POST', '/client-grants', { client_id: keyOnly, audience: app.identifier, scope: [] });
    assert.equal(grant.status, 201, JSON.stringify(grant.body));
    registered = await generateKeyPair('RS256', { extractable: true });
    stranger = await generateKeyPair('RS256', { extractable: true });
    const key = await m.api('POST', `/clients/${keyOnly}/credentials`, {
      credential_type: 'public_key',
      name: 'probe key',
      pem: await exportSPKI(registered.publicKey),
      alg: 'RS256',
    });
    assert.equal(key.status, 201, JSON.stringify(key.body));
    // Warm the admin token first: it is a secret authentication too.
    await m.adminToken();
    instrument();
  });
  after(async () => {
    restore();
    await m?.close();
  });

  /** Sends one request with `secret`; returns the answer and the work the server did on that secret. */
  async function attempt(clientId: string, secret: string, basic: boolean) {
    comparisons = [];
    const hashedBefore = hashed.get(secret) ?? 0;
    const body = {
      grant_type: 'client_credentials',
      audience: app.identifier,
      ...(basic ? {} : { client_id: clientId, client_secret: secret }),
    };
    const answer = await postToken(
      m.baseUrl,
      body,
      basic ? { headers: { authorization: basicAuth(clientId, secret) } } : {},
    );
    return { answer, hashes: (hashed.get(secret) ?? 0) - hashedBefore, comparisons: [...comparisons] };
  }

  const unknownId = () => `unknown-${crypto.randomBytes(8).toString('hex')}`;
  const wrongSecret = () => crypto.randomBytes(48).toString('base64url');

  for (const basic of [false, true]) {
    test(`${basic ? 'HTTP Basic' : 'client_secret_post'}: unknown id, wrong secret and a keys-only client each hash once and compare 32 bytes once`, async () => {
      const right = await attempt(app.clientId, app.clientSecret, basic);
      assert.equal(right.answer.status, 200, right.answer.text);
      assert.equal(right.hashes, 1);
      assert.deepEqual(right.comparisons, [32]);

      const failures = {
        'unknown id': await attempt(unknownId(), wrongSecret(), basic),
        'known id, wrong secret': await attempt(app.clientId, wrongSecret(), basic),
        'private_key_jwt client sent a secret': await attempt(keyOnly, wrongSecret(), basic),
      };
      for (const [kind, { answer, hashes, comparisons }] of Object.entries(failures)) {
        assert.equal(answer.status, 401, `${kind}: ${answer.text}`);
        assert.deepEqual(
          answer.body,
          { error: 'invalid_client', error_description: 'Client authentication failed' },
          kind,
        );
        assert.equal(hashes, 1, `${kind}: the presented secret is hashed once`);
        assert.deepEqual(comparisons, [32], `${kind}: one 32-byte constant-time comparison`);
      }
    });
  }

  /** A private_key_jwt request for `clientId` signed with `key`; returns the answer and the signatures verified. */
  async function assertionAttempt(clientId: string, key: CryptoKey, header: Record<string, string> = {}) {
    const now = Math.floor(Date.now() / 1000);
    const jwt = await new SignJWT({
      iss: clientId,
      sub: clientId,
      aud: `${m.issuer}/`,
      iat: now,
      exp: now + 60,
      jti: crypto.randomUUID(),
    })
      .setProtectedHeader({ alg: 'RS256', ...header })
      .sign(key);
    verifications = 0;
    const answer = await postToken(m.baseUrl, {
      grant_type: 'client_credentials',
      audience: app.identifier,
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: jwt,
    });
    return { answer, verifications };
  }

  test('private_key_jwt: unknown client, a key the client does not have, and a wrong signature each verify one signature', async () => {
    const right = await assertionAttempt(keyOnly, registered.privateKey);
    assert.equal(right.answer.status, 200, right.answer.text);
    assert.equal(right.verifications, 1);

    const failures = {
      'unknown client': await assertionAttempt(unknownId(), stranger.privateKey),
      'known client, wrong signature': await assertionAttempt(keyOnly, stranger.privateKey),
      'known client, a kid it does not have': await assertionAttempt(keyOnly, stranger.privateKey, {
        kid: 'no-such-kid',
      }),
      'a client without keys': await assertionAttempt(app.clientId, stranger.privateKey),
    };
    for (const [kind, { answer, verifications }] of Object.entries(failures)) {
      assert.equal(answer.status, 401, `${kind}: ${answer.text}`);
      assert.deepEqual(
        answer.body,
        { error: 'invalid_client', error_description: 'Client authentication failed' },
        kind,
      );
      assert.equal(verifications, 1, `${kind}: one signature verification`);
    }
  });
});
