/**
 * `KeySet.build`: the in-memory view of the signing keys — which keys sign (one current key per algorithm), which
 * are published (current, next, and previous until `publish_until`; never revoked or expired), the JWKS ETag, and
 * reuse of imported private keys across rebuilds. Pure: rows in, key set out; no storage.
 */
import assert from 'node:assert/strict';
import { createPublicKey, randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  calculateJwkThumbprint,
  compactVerify,
  createLocalJWKSet,
  jwtVerify,
  type JWK,
  type JSONWebKeySet,
} from 'jose';
import { SecretBox } from '../../src/crypto/secret-box.js';
import { generatePrivateKey, type SigningAlg } from '../../src/keys/algorithms.js';
import { KeySet } from '../../src/keys/key-set.js';
import type { SigningKeyRow } from '../../src/store/signing-keys.js';

const box = new SecretBox(randomBytes(32));
const T0 = new Date('2030-01-01T00:00:00Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

/** A stored key row as the store would return it, private key sealed with `box`. */
async function row(alg: SigningAlg, status: string, stamps: Partial<SigningKeyRow> = {}): Promise<SigningKeyRow> {
  const privateKey = generatePrivateKey(alg);
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' }) as JWK;
  const kid = await calculateJwkThumbprint(jwk, 'sha256');
  return {
    kid,
    alg,
    status,
    private_key: box.seal(privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), `signing-key:${kid}`),
    public_jwk: { ...jwk, kid, alg, use: 'sig' },
    thumbprint: kid,
    created_at: T0,
    current_since: status === 'current' ? T0 : null,
    current_until: null,
    publish_until: null,
    revoked_at: null,
    ...stamps,
  };
}

const published = (set: KeySet) => (JSON.parse(set.jwksBody) as JSONWebKeySet).keys.map((k) => k.kid).sort();

describe('KeySet.build', () => {
  test('one signer per algorithm, from its current key; its JWS verifies against the published JWKS', async () => {
    const rows = [
      await row('ES256', 'current'),
      await row('ES256', 'next'),
      await row('EdDSA', 'current'),
      await row('EdDSA', 'next'),
    ];
    const set = KeySet.build(rows, box, undefined, T0);
    assert.deepEqual([...set.signers.keys()].sort(), ['ES256', 'EdDSA']);
    for (const alg of ['ES256', 'EdDSA'] as const) {
      const signer = set.signers.get(alg)!;
      assert.equal(signer.kid, rows.find((r) => r.alg === alg && r.status === 'current')!.kid);
      const token = signer.sign({ sub: 'x', iat: 1, exp: 4102444800 }, 'at+jwt');
      const { protectedHeader, payload } = await jwtVerify(token, createLocalJWKSet(JSON.parse(set.jwksBody)), {
        typ: 'at+jwt',
      });
      assert.deepEqual(protectedHeader, { alg, kid: signer.kid, typ: 'at+jwt' });
      assert.equal(payload.sub, 'x');
      // The public key kept for verifying Minter's own tokens verifies it too.
      await compactVerify(token, set.publicKeys.get(signer.kid)!.key);
    }
  });

  test('publishes current, next and previous keys until publish_until; never revoked or expired ones', async () => {
    const current = await row('ES256', 'current');
    const next = await row('ES256', 'next');
    const previousLive = await row('ES256', 'previous', { current_until: at(10), publish_until: at(100) });
    const previousGone = await row('ES256', 'previous', { current_until: at(5), publish_until: at(50) });
    const previousOpen = await row('ES256', 'previous', { current_until: at(5), publish_until: null });
    const revoked = await row('ES256', 'revoked', { revoked_at: at(1) });
    const expired = await row('ES256', 'expired', { publish_until: at(2) });
    const rows = [current, next, previousLive, previousGone, previousOpen, revoked, expired];

    const set = KeySet.build(rows, box, undefined, at(60));
    assert.deepEqual(published(set), [current.kid, next.kid, previousLive.kid, previousOpen.kid].sort());
    assert.deepEqual([...set.publicKeys.keys()].sort(), published(set));
    assert.equal(set.signers.get('ES256')!.kid, current.kid);

    // At publish_until the previous key leaves.
    assert.ok(!published(KeySet.build(rows, box, undefined, at(100))).includes(previousLive.kid));
  });

  test('the JWKS body holds public parts only, with kid, alg and use', async () => {
    const set = KeySet.build([await row('PS256', 'current')], box, undefined, T0);
    const [key] = (JSON.parse(set.jwksBody) as { keys: Array<Record<string, string>> }).keys;
    assert.deepEqual(Object.keys(key!).sort(), ['alg', 'e', 'kid', 'kty', 'n', 'use']);
  });

  test('ETag: a quoted strong tag, stable for the same keys, different when the published set changes', async () => {
    const rows = [await row('ES256', 'current'), await row('ES256', 'next')];
    const a = KeySet.build(rows, box, undefined, T0);
    const b = KeySet.build(rows, box, a, T0);
    assert.match(a.jwksEtag, /^"[A-Za-z0-9_-]{27}"$/);
    assert.equal(b.jwksEtag, a.jwksEtag);
    const c = KeySet.build([...rows, await row('ES256', 'previous', { publish_until: at(100) })], box, a, T0);
    assert.notEqual(c.jwksEtag, a.jwksEtag);
  });

  test('Last-Modified is the latest created_at / current_since / current_until of the published keys', async () => {
    const rows = [
      await row('ES256', 'current', { created_at: at(1), current_since: at(30) }),
      await row('ES256', 'next', { created_at: at(20) }),
      await row('ES256', 'previous', {
        created_at: at(0),
        current_since: at(2),
        current_until: at(30),
        publish_until: at(1000),
      }),
      await row('ES256', 'revoked', { created_at: at(500), revoked_at: at(600) }),
    ];
    assert.deepEqual(KeySet.build(rows, box, undefined, at(40)).lastModified, at(30));
  });

  test('a rebuild reuses the signer (the imported private key) of an unchanged current key, and replaces a changed one', async () => {
    const current = await row('ES256', 'current');
    const next = await row('ES256', 'next');
    const first = KeySet.build([current, next], box, undefined, T0);
    const second = KeySet.build([current, next], box, first, T0);
    assert.equal(second.signers.get('ES256'), first.signers.get('ES256'));
    const rotated = [
      { ...current, status: 'previous', current_until: at(1), publish_until: at(1000) },
      { ...next, status: 'current', current_since: at(1) },
    ];
    const third = KeySet.build(rotated, box, second, at(2));
    assert.notEqual(third.signers.get('ES256'), second.signers.get('ES256'));
    assert.equal(third.signers.get('ES256')!.kid, next.kid);
  });

  test('rows with an algorithm Minter does not sign with are ignored', async () => {
    const foreign = { ...(await row('ES256', 'current')), alg: 'HS256' };
    const set = KeySet.build([foreign], box, undefined, T0);
    assert.deepEqual(published(set), []);
    assert.equal(set.signers.size, 0);
  });
});
