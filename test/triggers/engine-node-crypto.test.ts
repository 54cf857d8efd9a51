/**
 * Issue 13, Node built-ins: `require('crypto')` inside an Auth0 action's isolate, done by the host (hostNode) and
 * compared with Node's own `crypto`: digests, HMAC, random values, signatures made in the isolate and verified by
 * Node and the other way round (RSA PKCS#1 v1.5 and PSS, ECDSA in DER and IEEE P1363, Ed25519), JWK and PEM import
 * and export, Web Crypto; each on the synchronous fast path (the isolate runs on the main thread, its host calls
 * re-enter it) and off it (the isolate on its own thread).
 */
import assert from 'node:assert/strict';
import * as nodeCrypto from 'node:crypto';
import { describe, test } from 'node:test';
import { auth0Action, request, ROOMY_SLICE, withEngine } from './engine-helpers.js';

const handler = (body: string) =>
  `const crypto = require('crypto');\nexports.onExecuteCredentialsExchange = async (event, api) => {\n${body}\n};`;

const rsa = nodeCrypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = { 'P-256': 'prime256v1', 'P-384': 'secp384r1', 'P-521': 'secp521r1' } as const;
const ecKeys = Object.fromEntries(
  Object.entries(ec).map(([name, curve]) => [name, nodeCrypto.generateKeyPairSync('ec', { namedCurve: curve })]),
);
const ed = nodeCrypto.generateKeyPairSync('ed25519');
const pem = (key: nodeCrypto.KeyObject) =>
  key.export({ format: 'pem', type: key.type === 'private' ? 'pkcs8' : 'spki' }) as string;

const SECRETS = {
  RSA_PRIVATE: pem(rsa.privateKey),
  RSA_PUBLIC: pem(rsa.publicKey),
  RSA_JWK: JSON.stringify(rsa.privateKey.export({ format: 'jwk' })),
  EC256_PRIVATE: pem(ecKeys['P-256']!.privateKey),
  EC384_PRIVATE: pem(ecKeys['P-384']!.privateKey),
  EC521_PRIVATE: pem(ecKeys['P-521']!.privateKey),
  EC256_JWK: JSON.stringify(ecKeys['P-256']!.privateKey.export({ format: 'jwk' })),
  ED_PRIVATE: pem(ed.privateKey),
  ED_PUBLIC: pem(ed.publicKey),
};

/** The claims one run of `body` sets, on the fast path or off it. */
async function claims(body: string, path: 'sync' | 'async', options = {}): Promise<Record<string, any>> {
  let out: Record<string, any> = {};
  await withEngine({ ...(path === 'sync' ? ROOMY_SLICE : { syncSliceMs: 0 }), ...options }, async (engine) => {
    engine.setBindings([auth0Action(handler(body), { secrets: SECRETS })]);
    const result = await engine.run(request());
    assert.equal(result.results[0]?.status, 'ok', JSON.stringify(result.results[0]?.error));
    out = result.claims;
  });
  return out;
}

const set = (name: string, value: string) => `api.accessToken.setCustomClaim(${JSON.stringify(name)}, ${value});`;

for (const path of ['sync', 'async'] as const) {
  describe(`crypto in an Auth0 action (${path === 'sync' ? 'on the synchronous fast path' : 'off the main thread'})`, () => {
    test('digests and HMAC equal Node’s, in every encoding, by Node’s names', async () => {
      const data = 'The quick brown fox 🦊';
      const got = await claims(
        [
          `const out = {};`,
          `for (const alg of ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512', 'RSA-SHA256', 'SHA512'])`,
          `  out[alg] = crypto.createHash(alg).update(${JSON.stringify(data)}).digest('hex');`,
          `out.b64 = crypto.createHash('sha256').update('a').update(Buffer.from('b')).digest('base64');`,
          `out.b64url = crypto.createHmac('sha256', 'key').update('abc').digest('base64url');`,
          `out.latin1 = crypto.createHmac('sha1', Buffer.from([1, 2, 3])).update(new Uint8Array([4, 5])).digest('latin1');`,
          `const h = crypto.createHash('sha256').update('x'); const copy = h.copy().update('y');`,
          `out.copy = [h.digest('hex'), copy.digest('hex')];`,
          `out.oneShot = crypto.hash('sha1', 'abc');`,
          `out.hmacKey = crypto.createHmac('sha384', crypto.createSecretKey(Buffer.from('k'))).update('m').digest('hex');`,
          `out.buffer = Buffer.isBuffer(crypto.createHash('md5').update('').digest());`,
          `out.hashes = crypto.getHashes();`,
          set('https://t/d', 'out'),
        ].join('\n'),
        path,
      );
      const d = (alg: string, input: string | Buffer = data) => nodeCrypto.createHash(alg).update(input).digest('hex');
      assert.deepEqual(got['https://t/d'], {
        md5: d('md5'),
        sha1: d('sha1'),
        sha224: d('sha224'),
        sha256: d('sha256'),
        sha384: d('sha384'),
        sha512: d('sha512'),
        'RSA-SHA256': d('sha256'),
        SHA512: d('sha512'),
        b64: nodeCrypto.createHash('sha256').update('ab').digest('base64'),
        b64url: nodeCrypto.createHmac('sha256', 'key').update('abc').digest('base64url'),
        latin1: nodeCrypto
          .createHmac('sha1', Buffer.from([1, 2, 3]))
          .update(Buffer.from([4, 5]))
          .digest('binary'),
        copy: [d('sha256', 'x'), d('sha256', 'xy')],
        oneShot: d('sha1', 'abc'),
        hmacKey: nodeCrypto.createHmac('sha384', 'k').update('m').digest('hex'),
        buffer: true,
        hashes: ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'],
      });
    });

    test('random bytes, integers and UUIDs; timingSafeEqual', async () => {
      const got = await claims(
        [
          `const a = crypto.randomBytes(32), b = crypto.randomBytes(32), big = crypto.randomBytes(70000);`,
          `const ints = Array.from({ length: 200 }, () => crypto.randomInt(10, 13));`,
          `const filled = crypto.randomFillSync(new Uint32Array(4));`,
          `const web = crypto.getRandomValues(new Uint8Array(16));`,
          `let unequal; try { crypto.timingSafeEqual(Buffer.from('a'), Buffer.from('ab')); } catch (e) { unequal = e.code; }`,
          set(
            'https://t/r',
            `{ lengths: [a.length, big.length], differ: !a.equals(b), ints: [...new Set(ints)].sort(),
              uuid: crypto.randomUUID(), global: globalThis.crypto.randomUUID(), filled: filled.length, web: web.length,
              equal: [crypto.timingSafeEqual(Buffer.from('abc'), Buffer.from('abc')), crypto.timingSafeEqual(a, b)], unequal }`,
          ),
        ].join('\n'),
        path,
      );
      const r = got['https://t/r'];
      assert.deepEqual(r.lengths, [32, 70000]);
      assert.equal(r.differ, true);
      assert.deepEqual(r.ints, [10, 11, 12]);
      assert.match(r.uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.match(r.global, /^[0-9a-f-]{36}$/);
      assert.deepEqual(
        [r.filled, r.web, r.equal, r.unequal],
        [4, 16, [true, false], 'ERR_CRYPTO_TIMING_SAFE_EQUAL_LENGTH'],
      );
    });

    test('signatures made in the isolate verify with Node: RSA PKCS#1 v1.5 and PSS, ECDSA, Ed25519', async () => {
      const got = await claims(
        [
          `const s = event.secrets, out = {};`,
          `out.rs256 = crypto.createSign('RSA-SHA256').update('payload').sign(s.RSA_PRIVATE, 'base64');`,
          `out.ps256 = crypto.sign('sha256', Buffer.from('payload'), { key: s.RSA_PRIVATE, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }).toString('hex');`,
          `out.rsJwk = crypto.sign('sha512', Buffer.from('payload'), crypto.createPrivateKey({ key: JSON.parse(s.RSA_JWK), format: 'jwk' })).toString('hex');`,
          `out.es256 = crypto.sign('sha256', Buffer.from('payload'), { key: s.EC256_PRIVATE, dsaEncoding: 'ieee-p1363' }).toString('hex');`,
          `out.es384 = crypto.createSign('sha384').update('payload').sign(crypto.createPrivateKey(s.EC384_PRIVATE)).toString('hex');`,
          `out.es512 = crypto.sign('sha512', Buffer.from('payload'), s.EC521_PRIVATE).toString('hex');`,
          `out.ed = crypto.sign(null, Buffer.from('payload'), s.ED_PRIVATE).toString('hex');`,
          set('https://t/s', 'out'),
        ].join('\n'),
        path,
      );
      const s = got['https://t/s'];
      const data = Buffer.from('payload');
      const ok = (
        alg: string | null,
        key: nodeCrypto.VerifyKeyObjectInput | nodeCrypto.KeyObject,
        sig: string,
        enc: BufferEncoding = 'hex',
      ) => nodeCrypto.verify(alg, data, key, Buffer.from(sig, enc));
      assert.ok(ok('sha256', rsa.publicKey, s.rs256, 'base64'), 'RS256');
      assert.ok(
        ok(
          'sha256',
          { key: rsa.publicKey, padding: nodeCrypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
          s.ps256,
        ),
        'PS256',
      );
      assert.ok(ok('sha512', rsa.publicKey, s.rsJwk), 'RS512 with a JWK');
      assert.ok(ok('sha256', { key: ecKeys['P-256']!.publicKey, dsaEncoding: 'ieee-p1363' }, s.es256), 'ES256');
      assert.ok(ok('sha384', ecKeys['P-384']!.publicKey, s.es384), 'ES384 (DER)');
      assert.ok(ok('sha512', ecKeys['P-521']!.publicKey, s.es512), 'ES512 (DER)');
      assert.ok(ok(null, ed.publicKey, s.ed), 'Ed25519');
    });

    test('signatures made by Node verify in the isolate, and a wrong one does not', async () => {
      const data = Buffer.from('signed by the host');
      const sigs = {
        rs: nodeCrypto.sign('sha256', data, rsa.privateKey).toString('base64'),
        ps: nodeCrypto
          .sign('sha384', data, { key: rsa.privateKey, padding: nodeCrypto.constants.RSA_PKCS1_PSS_PADDING })
          .toString('base64'),
        es: nodeCrypto
          .sign('sha256', data, { key: ecKeys['P-256']!.privateKey, dsaEncoding: 'ieee-p1363' })
          .toString('base64'),
        ed: nodeCrypto.sign(null, data, ed.privateKey).toString('base64'),
      };
      const got = await claims(
        [
          `const s = event.secrets, sig = ${JSON.stringify(sigs)}, data = Buffer.from('signed by the host');`,
          `const pub = crypto.createPublicKey(s.RSA_PUBLIC);`,
          set(
            'https://t/v',
            `[
              crypto.createVerify('RSA-SHA256').update(data).verify(s.RSA_PUBLIC, sig.rs, 'base64'),
              crypto.verify('sha384', data, { key: pub, padding: crypto.constants.RSA_PKCS1_PSS_PADDING }, Buffer.from(sig.ps, 'base64')),
              crypto.verify('sha256', data, { key: crypto.createPublicKey({ key: JSON.parse(s.EC256_JWK), format: 'jwk' }), dsaEncoding: 'ieee-p1363' }, Buffer.from(sig.es, 'base64')),
              crypto.verify(null, data, s.ED_PUBLIC, Buffer.from(sig.ed, 'base64')),
              crypto.verify(null, Buffer.from('tampered'), s.ED_PUBLIC, Buffer.from(sig.ed, 'base64')),
              crypto.createVerify('sha256').update(data).verify(s.RSA_PRIVATE, sig.rs, 'base64'),
            ]`,
          ),
        ].join('\n'),
        path,
      );
      assert.deepEqual(got['https://t/v'], [true, true, true, true, false, true]);
    });

    test('key objects: details, export as PEM, DER and JWK equal Node’s', async () => {
      const got = await claims(
        [
          `const s = event.secrets;`,
          `const priv = crypto.createPrivateKey(s.RSA_PRIVATE), pub = crypto.createPublicKey(priv);`,
          `const ecPub = crypto.createPublicKey({ key: JSON.parse(s.EC256_JWK), format: 'jwk' });`,
          `const secret = crypto.createSecretKey('c2VjcmV0', 'base64');`,
          set(
            'https://t/k',
            `{ types: [priv.type, pub.type, secret.type, priv.asymmetricKeyType, ecPub.asymmetricKeyType],
              modulus: priv.asymmetricKeyDetails.modulusLength, exponent: typeof pub.asymmetricKeyDetails.publicExponent,
              curve: ecPub.asymmetricKeyDetails.namedCurve, size: secret.symmetricKeySize,
              spki: pub.export({ type: 'spki', format: 'pem' }), pkcs1: pub.export({ type: 'pkcs1', format: 'der' }).toString('base64'),
              jwk: priv.export({ format: 'jwk' }), secretJwk: secret.export({ format: 'jwk' }),
              equals: [pub.equals(crypto.createPublicKey(s.RSA_PUBLIC)), pub.equals(ecPub)],
              isKeyObject: [priv instanceof crypto.KeyObject, require('util').types.isKeyObject(pub)] }`,
          ),
        ].join('\n'),
        path,
      );
      assert.deepEqual(got['https://t/k'], {
        types: ['private', 'public', 'secret', 'rsa', 'ec'],
        modulus: 2048,
        exponent: 'bigint',
        curve: 'prime256v1',
        size: 6,
        spki: rsa.publicKey.export({ type: 'spki', format: 'pem' }),
        pkcs1: rsa.publicKey.export({ type: 'pkcs1', format: 'der' }).toString('base64'),
        jwk: rsa.privateKey.export({ format: 'jwk' }),
        secretJwk: { kty: 'oct', k: Buffer.from('secret').toString('base64url') },
        equals: [true, false],
        isKeyObject: [true, true],
      });
    });

    test('Web Crypto: digest, HMAC, RSASSA-PKCS1-v1_5 from SPKI, ECDSA from JWK, Ed25519 generated', async () => {
      const data = Buffer.from('web crypto');
      const rs = nodeCrypto.sign('sha256', data, rsa.privateKey).toString('base64');
      const spki = rsa.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
      const got = await claims(
        [
          `const { subtle } = crypto.webcrypto, enc = new TextEncoder(), data = enc.encode('web crypto'), s = event.secrets;`,
          `const b = (x) => Buffer.from(x).toString('hex');`,
          `const hmac = await subtle.importKey('raw', enc.encode('key'), { name: 'HMAC', hash: 'SHA-256' }, true, ['sign', 'verify']);`,
          `const mac = await subtle.sign('HMAC', hmac, data);`,
          `const rsaPub = await subtle.importKey('spki', Buffer.from(${JSON.stringify(spki)}, 'base64'), { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['verify']);`,
          `const ecPriv = await subtle.importKey('jwk', JSON.parse(s.EC256_JWK), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);`,
          `const es = await subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, ecPriv, data);`,
          `const pair = await subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify']);`,
          `const edSig = await subtle.sign('Ed25519', pair.privateKey, data);`,
          `let unsupported; try { await subtle.encrypt({ name: 'AES-GCM' }, hmac, data); } catch (e) { unsupported = e.name; }`,
          set(
            'https://t/w',
            `{ digest: b(await subtle.digest('SHA-256', data)), mac: b(mac),
              macOk: await subtle.verify('HMAC', hmac, mac, data), rsOk: await subtle.verify('RSASSA-PKCS1-v1_5', rsaPub, Buffer.from(${JSON.stringify(rs)}, 'base64'), data),
              es: b(es), edOk: await subtle.verify('Ed25519', pair.publicKey, edSig, data),
              edRaw: (await subtle.exportKey('raw', pair.publicKey)).byteLength, hmacJwk: (await subtle.exportKey('jwk', hmac)).alg,
              algorithm: rsaPub.algorithm.modulusLength, usages: pair.privateKey.usages, unsupported,
              global: globalThis.crypto === crypto.webcrypto && globalThis.crypto.subtle === crypto.subtle }`,
          ),
        ].join('\n'),
        path,
      );
      const w = got['https://t/w'];
      assert.equal(w.digest, nodeCrypto.createHash('sha256').update(data).digest('hex'));
      assert.equal(w.mac, nodeCrypto.createHmac('sha256', 'key').update(data).digest('hex'));
      assert.ok(
        nodeCrypto.verify(
          'sha256',
          data,
          { key: ecKeys['P-256']!.publicKey, dsaEncoding: 'ieee-p1363' },
          Buffer.from(w.es, 'hex'),
        ),
      );
      assert.deepEqual(
        { ...w, digest: 0, mac: 0, es: 0 },
        {
          digest: 0,
          mac: 0,
          es: 0,
          macOk: true,
          rsOk: true,
          edOk: true,
          edRaw: 32,
          hmacJwk: 'HS256',
          algorithm: 2048,
          usages: ['sign'],
          unsupported: 'NotSupportedError',
          global: true,
        },
      );
    });
  });
}

describe('crypto refusals are the action’s errors, and the host is untouched', () => {
  test('unknown digests, encrypted keys, RSA key generation and oversized keys are refused by name', async () => {
    const encrypted = rsa.privateKey.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'pw' });
    const got = await claims(
      [
        `const tries = { digest: () => crypto.createHash('whirlpool'), encrypted: () => crypto.createPrivateKey({ key: ${JSON.stringify(encrypted)}, passphrase: 'pw' }),`,
        `  rsaKeygen: () => crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }), dsa: () => crypto.createPrivateKey(${JSON.stringify(
          pem(nodeCrypto.generateKeyPairSync('dsa', { modulusLength: 1024, divisorLength: 160 }).privateKey),
        )}), notAKey: () => crypto.createPublicKey('nope'), wrongType: () => crypto.createHmac('sha256', 42) };`,
        `const out = {}; for (const [name, run] of Object.entries(tries)) { try { run(); out[name] = 'no error'; } catch (e) { out[name] = e.name + ' ' + e.code + ': ' + e.message; } }`,
        set('https://t/e', 'out'),
      ].join('\n'),
      'sync',
    );
    const e = got['https://t/e'];
    assert.match(e.digest, /^TypeError ERR_CRYPTO_INVALID_DIGEST: Digest method not supported: whirlpool/);
    assert.match(e.encrypted, /encrypted private keys are not supported in Minter actions/);
    assert.match(e.rsaKeygen, /^Error ERR_MINTER_KEYGEN: Generating rsa keys is not supported in Minter actions/);
    assert.match(e.dsa, /Keys of type dsa are not supported in Minter actions/);
    assert.match(e.notAKey, /^Error ERR_/);
    assert.match(e.wrongType, /^TypeError ERR_INVALID_ARG_TYPE: The "key" argument must be of type string/);
  });

  test('past MINTER_ACTIONS_MAX_CRYPTO_MS, crypto throws and the record counts refused_calls.crypto', async () => {
    const body = `const big = Buffer.alloc(4 * 1024 * 1024, 7); let done = 0, message;
  try { for (;;) { crypto.createHash('sha512').update(big).digest(); done++; } } catch (e) { message = e.name + ': ' + e.message; }
  let again; try { crypto.randomBytes(1); } catch (e) { again = e.code; }
  api.accessToken.setCustomClaim('https://t/cap', { some: done > 0, message, again });`;
    await withEngine({ maxCryptoMs: 5, ...ROOMY_SLICE }, async (engine) => {
      engine.setBindings([auth0Action(handler(body))]);
      const result = await engine.run(request());
      assert.deepEqual(result.claims['https://t/cap'], {
        some: true,
        message: 'RangeError: crypto refused: an execution may spend at most 5 ms of the host’s time in crypto',
        again: 'ERR_MINTER_CRYPTO_REFUSED',
      });
      assert.deepEqual(result.results[0]?.refused_calls, { crypto: 2 });
      // The next execution has its own budget.
      const next = await engine.run(request());
      assert.equal(next.results[0]?.refused_calls?.crypto, 2);
    });
  });

  test('one operation takes at most 8 MiB: more is refused before it leaves the isolate', async () => {
    const body = `let message; try { crypto.createHash('sha256').update(Buffer.alloc(9 * 1024 * 1024)); } catch (e) { message = e.message; }
  api.accessToken.setCustomClaim('https://t/size', message);`;
    await withEngine(ROOMY_SLICE, async (engine) => {
      engine.setBindings([auth0Action(handler(body))]);
      const result = await engine.run(request());
      assert.equal(result.claims['https://t/size'], 'crypto refused: one operation may take at most 8388608 bytes');
      assert.deepEqual(result.results[0]?.refused_calls, { crypto: 1 });
    });
  });
});
