import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_CUSTOM_CLAIMS_BYTES, REFUSAL, RESTRICTED_CLAIMS } from '../../src/triggers/restricted-claims.js';
import { assertStillServes, auth0Action, kindeAction, only, request, withEngine } from './engine-helpers.js';

const setClaims = (body: string) => `exports.onExecuteCredentialsExchange = async (event, api) => { ${body} };`;

describe('Restricted claims are refused and reported (Auth0 notes §3.6, Kinde notes §2.5)', () => {
  test('a claim named sub is refused with a reason; the token is still issued', async () => {
    await withEngine({}, async (engine) => {
      engine.setBindings([
        auth0Action(
          setClaims(
            `api.accessToken.setCustomClaim('sub', 'admin@clients').accessToken.setCustomClaim('https://t/ok', 1);`,
          ),
        ),
      ]);
      const result = await engine.run(request());
      assert.equal(result.denial, undefined);
      assert.deepEqual(result.claims, { 'https://t/ok': 1 });
      assert.deepEqual(only(result).refused_claims, [{ name: 'sub', reason: REFUSAL.restricted }]);
      assert.deepEqual(only(result).claims_set, ['https://t/ok']);
      await assertStillServes(engine);
    });
  });

  test('a claim named aud is refused (Kinde kinde.m2mToken.setCustomClaim)', async () => {
    const code = `module.exports.default = async () => { kinde.m2mToken.setCustomClaim('aud', 'https://evil.example'); };`;
    await withEngine({}, async (engine) => {
      engine.setBindings([kindeAction(code, ['kinde.m2mToken'])]);
      const result = await engine.run(request());
      assert.deepEqual(result.claims, {});
      assert.deepEqual(only(result).refused_claims, [{ name: 'aud', reason: REFUSAL.restricted }]);
    });
  });

  test("the restricted list is the union of Auth0's, Kinde's and the claims Minter writes", () => {
    for (const name of [
      'iss',
      'sub',
      'aud',
      'exp',
      'nbf',
      'iat',
      'jti',
      'scope',
      'azp',
      'client_id',
      'gty',
      'org_id',
      'org_name',
      'scp',
      'sid',
      'act',
      'permissions',
      'x5t#S256',
      'internalService',
      'cnf',
    ]) {
      assert.ok(RESTRICTED_CLAIMS.includes(name), name);
    }
    assert.ok(!RESTRICTED_CLAIMS.includes('email'));
  });

  test('every restricted name is refused inside the sandbox too (getCustomClaims never shows it)', async () => {
    const code = `module.exports.default = async () => {
  for (const name of ${JSON.stringify(RESTRICTED_CLAIMS)}) kinde.m2mToken.setCustomClaim(name, 1);
  kinde.m2mToken.setCustomClaim('seen', Object.keys(kinde.m2mToken.getCustomClaims()));
};`;
    await withEngine({}, async (engine) => {
      engine.setBindings([kindeAction(code, ['kinde.m2mToken'])]);
      const result = await engine.run(request());
      assert.deepEqual(result.claims, { seen: [] });
      assert.deepEqual(
        only(result).refused_claims.map((r) => r.name),
        [...RESTRICTED_CLAIMS],
      );
    });
  });
});

describe('Custom claims are limited to 100 KB of serialised JSON (Auth0 notes §3.6)', () => {
  test('a 1 MB claim is refused with the size reason, the host keeps serving', async () => {
    await withEngine({}, async (engine) => {
      engine.setBindings([
        auth0Action(setClaims(`api.accessToken.setCustomClaim('https://t/huge', 'x'.repeat(1024 * 1024));`)),
      ]);
      const result = await engine.run(request());
      assert.equal(result.denial, undefined);
      assert.deepEqual(result.claims, {});
      assert.deepEqual(only(result).refused_claims, [{ name: 'https://t/huge', reason: REFUSAL.size }]);
      await assertStillServes(engine);
    });
  });

  test('the claim that would push the total past 100 KB is refused, the ones before it are kept', async () => {
    // Each entry weighs `"n":"<50 000 x>"` + 1 separator; two fit, the third crosses 102 400 bytes.
    const body = `for (const n of ['a', 'b', 'c']) api.accessToken.setCustomClaim(n, 'x'.repeat(50000));`;
    await withEngine({}, async (engine) => {
      engine.setBindings([auth0Action(setClaims(body))]);
      const result = await engine.run(request());
      assert.deepEqual(Object.keys(result.claims), ['a', 'b']);
      assert.deepEqual(only(result).refused_claims, [{ name: 'c', reason: REFUSAL.size }]);
      assert.ok(Buffer.byteLength(JSON.stringify(result.claims)) <= MAX_CUSTOM_CLAIMS_BYTES);
    });
  });

  test('the limit is exact: a claims object of exactly 102 400 bytes is accepted, one byte more is not', async () => {
    // {"k":"…"} = 8 bytes of structure around the string.
    const fits = MAX_CUSTOM_CLAIMS_BYTES - 8;
    await withEngine({}, async (engine) => {
      engine.setBindings([auth0Action(setClaims(`api.accessToken.setCustomClaim('k', 'é'.repeat(${fits / 2}));`))]);
      const result = await engine.run(request());
      assert.equal(Buffer.byteLength(JSON.stringify(result.claims)), MAX_CUSTOM_CLAIMS_BYTES);
      engine.setBindings([
        auth0Action(setClaims(`api.accessToken.setCustomClaim('k', 'é'.repeat(${fits / 2}) + 'x');`)),
      ]);
      assert.deepEqual(only(await engine.run(request())).refused_claims, [{ name: 'k', reason: REFUSAL.size }]);
    });
  });

  test('the budget spans the chain: a later action cannot exceed what earlier ones left', async () => {
    const first = setClaims(`api.accessToken.setCustomClaim('a', 'x'.repeat(80000));`);
    const second = `module.exports.default = async () => { kinde.m2mToken.setCustomClaim('b', 'x'.repeat(30000)); kinde.m2mToken.setCustomClaim('c', 'small'); };`;
    await withEngine({}, async (engine) => {
      engine.setBindings([auth0Action(first), kindeAction(second, ['kinde.m2mToken'])]);
      const result = await engine.run(request());
      assert.deepEqual(Object.keys(result.claims), ['a', 'c']);
      assert.deepEqual(result.results[1]?.refused_claims, [{ name: 'b', reason: REFUSAL.size }]);
    });
  });
});

describe('Claim values must be JSON-serialisable', () => {
  test('functions, undefined, BigInt and cycles are refused; nested JSON values are kept', async () => {
    const body = `const cyclic = {}; cyclic.self = cyclic;
  api.accessToken.setCustomClaim('https://t/fn', () => 1)
    .accessToken.setCustomClaim('https://t/undef', undefined)
    .accessToken.setCustomClaim('https://t/big', 10n)
    .accessToken.setCustomClaim('https://t/cycle', cyclic)
    .accessToken.setCustomClaim(42, 'not a string name')
    .accessToken.setCustomClaim('https://t/ok', { roles: ['a', 'b'], n: 1.5, nested: { t: true, z: null }, when: new Date(0) });`;
    await withEngine({}, async (engine) => {
      engine.setBindings([auth0Action(setClaims(body))]);
      const result = await engine.run(request());
      assert.deepEqual(result.claims, {
        'https://t/ok': { roles: ['a', 'b'], n: 1.5, nested: { t: true, z: null }, when: '1970-01-01T00:00:00.000Z' },
      });
      assert.deepEqual(only(result).refused_claims, [
        { name: 'https://t/fn', reason: REFUSAL.value },
        { name: 'https://t/undef', reason: REFUSAL.value },
        { name: 'https://t/big', reason: REFUSAL.value },
        { name: 'https://t/cycle', reason: REFUSAL.value },
        { name: '42', reason: REFUSAL.name },
      ]);
    });
  });

  test('a claim named like an Object.prototype member stays a plain own property', async () => {
    await withEngine({}, async (engine) => {
      engine.setBindings([
        auth0Action(
          setClaims(
            `api.accessToken.setCustomClaim('constructor', 'c').accessToken.setCustomClaim('__proto__', { polluted: true });`,
          ),
        ),
      ]);
      const result = await engine.run(request());
      assert.deepEqual(Object.keys(result.claims), ['constructor']);
      assert.equal(Object.getPrototypeOf(result.claims), Object.prototype);
      assert.deepEqual(only(result).refused_claims, [{ name: '__proto__', reason: REFUSAL.proto }]);
    });
  });

  test('a value changed after setCustomClaim keeps the value it had when set', async () => {
    await withEngine({}, async (engine) => {
      engine.setBindings([
        auth0Action(setClaims(`const v = { n: 1 }; api.accessToken.setCustomClaim('https://t/v', v); v.n = 2;`)),
      ]);
      assert.deepEqual((await engine.run(request())).claims, { 'https://t/v': { n: 1 } });
    });
  });
});
