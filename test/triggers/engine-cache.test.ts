import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AUTH0_CACHE_LIMITS, InMemoryActionCache } from '../../src/triggers/auth0/cache.js';
import { auth0Action, fakeHost, only, request, withEngine } from './engine-helpers.js';

describe('Auth0 api.cache inside the sandbox (notes §2)', () => {
  test('api.cache.get/set/delete work synchronously, without await (as public samples call them)', async () => {
    const code = `exports.onExecuteCredentialsExchange = async (event, api) => {
  const before = api.cache.get('token');
  const written = api.cache.set('token', 'abc', { ttl: 60000 });
  const after = api.cache.get('token');
  api.accessToken.setCustomClaim('https://t/cache', {
    before: before === undefined, type: written.type, value: after.value, future: after.expires_at > Date.now(),
    deleted: api.cache.delete('token').type, missing: api.cache.delete('token'),
  });
};`;
    await withEngine({}, async (engine) => {
      engine.setBindings([auth0Action(code)]);
      assert.deepEqual((await engine.run(request())).claims, {
        'https://t/cache': {
          before: true,
          type: 'success',
          value: 'abc',
          future: true,
          deleted: 'success',
          missing: { type: 'error', code: 'CacheKeyDoesNotExist' },
        },
      });
    });
  });

  test('awaiting api.cache calls works too', async () => {
    const code = `exports.onExecuteCredentialsExchange = async (event, api) => {
  await api.cache.set('k', 'v');
  const record = await api.cache.get('k');
  api.accessToken.setCustomClaim('https://t/v', record.value);
};`;
    await withEngine({}, async (engine) => {
      engine.setBindings([auth0Action(code)]);
      assert.deepEqual((await engine.run(request())).claims, { 'https://t/v': 'v' });
    });
  });

  test('values persist across requests and are scoped per action id', async () => {
    const counter = `exports.onExecuteCredentialsExchange = async (event, api) => {
  const n = Number(api.cache.get('count')?.value ?? 0) + 1;
  api.cache.set('count', String(n));
  api.accessToken.setCustomClaim('https://t/' + event.secrets.NAME, n);
};`;
    await withEngine({}, async (engine) => {
      engine.setBindings([
        auth0Action(counter, { secrets: { NAME: 'a' } }),
        auth0Action(counter, { secrets: { NAME: 'b' } }),
      ]);
      await engine.run(request());
      assert.deepEqual((await engine.run(request())).claims, { 'https://t/a': 2, 'https://t/b': 2 });
    });
  });

  test('cache limit errors come back as CacheWriteResult codes', async () => {
    const code = `exports.onExecuteCredentialsExchange = async (event, api) => {
  api.accessToken.setCustomClaim('https://t/codes', [
    api.cache.set('k'.repeat(65), 'v').code,
    api.cache.set('k', 'v'.repeat(4097)).code,
    api.cache.set('k', 'v', { ttl: -1 }).code,
    api.cache.set('k', 'v', { ttl: 'soon' }).code,
  ]);
};`;
    await withEngine({}, async (engine) => {
      engine.setBindings([auth0Action(code)]);
      assert.deepEqual((await engine.run(request())).claims, {
        'https://t/codes': ['CacheKeySizeExceeded', 'CacheValueSizeExceeded', 'ItemAlreadyExpired', 'InvalidExpiry'],
      });
    });
  });

  test('more than 100 cache writes in one execution: MaxSideEffectsExceeded', async () => {
    const code = `exports.onExecuteCredentialsExchange = async (event, api) => {
  let last;
  for (let i = 0; i < 101; i++) last = api.cache.set('k', String(i));
  api.accessToken.setCustomClaim('https://t/last', last);
};`;
    await withEngine({}, async (engine) => {
      engine.setBindings([auth0Action(code)]);
      assert.deepEqual((await engine.run(request())).claims, {
        'https://t/last': { type: 'error', code: 'MaxSideEffectsExceeded' },
      });
    });
  });

  test('a throwing host cache answers FailedToSetCacheRecord instead of breaking the action', async () => {
    const host = fakeHost();
    host.cache.set = () => {
      throw new Error('redis down');
    };
    const code = `exports.onExecuteCredentialsExchange = async (event, api) => { api.accessToken.setCustomClaim('https://t/r', api.cache.set('k', 'v')); };`;
    await withEngine({ host }, async (engine) => {
      engine.setBindings([auth0Action(code)]);
      const result = await engine.run(request());
      assert.equal(only(result).status, 'ok');
      assert.deepEqual(result.claims, { 'https://t/r': { type: 'error', code: 'FailedToSetCacheRecord' } });
    });
  });
});

describe('InMemoryActionCache: Auth0 cache limits', () => {
  const clock = () => {
    let now = 1_000_000;
    return { now: () => now, advance: (ms: number) => (now += ms) };
  };

  test('default lifetime is 15 minutes; ttl and expires_at: the earlier wins; capped at 24 h', () => {
    const time = clock();
    const cache = new InMemoryActionCache({ now: time.now });
    assert.deepEqual(cache.set('a', 'k', 'v'), {
      type: 'success',
      record: { value: 'v', expires_at: 1_000_000 + 15 * 60_000 },
    });
    assert.deepEqual(cache.set('a', 'k', 'v', { ttl: 5000, expires_at: 1_003_000 }), {
      type: 'success',
      record: { value: 'v', expires_at: 1_003_000 },
    });
    assert.deepEqual(cache.set('a', 'k', 'v', { ttl: 48 * 3600_000 }), {
      type: 'success',
      record: { value: 'v', expires_at: 1_000_000 + AUTH0_CACHE_LIMITS.maxTtlMs },
    });
  });

  test('expired entries are gone', () => {
    const time = clock();
    const cache = new InMemoryActionCache({ now: time.now });
    cache.set('a', 'k', 'v', { ttl: 1000 });
    time.advance(999);
    assert.deepEqual(cache.get('a', 'k'), { value: 'v', expires_at: 1_001_000 });
    time.advance(1);
    assert.equal(cache.get('a', 'k'), undefined);
  });

  test('at most 20 entries per action', () => {
    const cache = new InMemoryActionCache();
    for (let i = 0; i < 20; i++) assert.equal(cache.set('a', `k${i}`, 'v').type, 'success');
    assert.deepEqual(cache.set('a', 'k20', 'v'), { type: 'error', code: 'CacheSizeExceeded' });
    assert.equal(cache.set('a', 'k0', 'updated').type, 'success');
    assert.equal(cache.set('b', 'k0', 'v').type, 'success');
  });

  test('keys ≤ 64 bytes, values ≤ 4 KB, keys and values together ≤ 8 KB (UTF-8 bytes)', () => {
    const cache = new InMemoryActionCache();
    assert.equal(cache.set('a', 'é'.repeat(32), 'v').type, 'success');
    assert.deepEqual(cache.set('a', 'é'.repeat(33), 'v'), { type: 'error', code: 'CacheKeySizeExceeded' });
    assert.deepEqual(cache.set('a', 'k', 'x'.repeat(4097)), { type: 'error', code: 'CacheValueSizeExceeded' });
    const fresh = new InMemoryActionCache();
    assert.equal(fresh.set('a', 'k1', 'x'.repeat(4094)).type, 'success');
    assert.equal(fresh.set('a', 'k2', 'x'.repeat(4094)).type, 'success');
    assert.deepEqual(fresh.set('a', 'k3', 'x'), { type: 'error', code: 'CacheSizeExceeded' });
    assert.equal(fresh.delete('a', 'k2').type, 'success');
    assert.equal(fresh.set('a', 'k3', 'x').type, 'success');
  });
});
