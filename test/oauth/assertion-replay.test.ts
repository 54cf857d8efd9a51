/**
 * Used private_key_jwt assertion ids: this process's bounded memory, and Redis shared by instances (real Redis when
 * REDIS_URL is set; skipped otherwise).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { MemoryReplayGuard, RedisReplayGuard } from '../../src/oauth/assertion-replay.js';
import { freeLoopbackPort } from '../helpers/minter.js';

describe('MemoryReplayGuard', () => {
  test('refuses a jti the same client used until it expires; other clients and other ids pass', () => {
    const guard = new MemoryReplayGuard();
    const later = Date.now() + 60_000;
    assert.equal(guard.claim('a', 'j1', later), true);
    assert.equal(guard.claim('a', 'j1', later), false);
    assert.equal(guard.claim('b', 'j1', later), true);
    assert.equal(guard.claim('a', 'j2', later), true);
    assert.equal(guard.claim('a', 'gone', Date.now() - 1), true);
    assert.equal(guard.claim('a', 'gone', later), true, 'an expired entry no longer counts');
  });

  test('stays within maxEntries: expired entries go first, then the oldest', () => {
    const guard = new MemoryReplayGuard(3);
    const later = Date.now() + 60_000;
    guard.claim('a', 'old', Date.now() - 1);
    guard.claim('a', 'j1', later);
    guard.claim('a', 'j2', later);
    guard.claim('a', 'j3', later);
    assert.equal(guard.size, 3);
    assert.equal(guard.claim('a', 'j2', later), false, 'a live entry survived the sweep');
    guard.claim('a', 'j4', later);
    assert.equal(guard.size, 3);
    assert.equal(guard.claim('a', 'j1', later), true, 'the oldest live entry was forgotten to make room');
  });
});

describe('RedisReplayGuard', { skip: process.env.REDIS_URL ? false : 'REDIS_URL is not set' }, () => {
  const prefix = `minter-test-jti:${randomUUID()}`;
  const clients: Redis[] = [];
  const guard = () => {
    const client = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: 1 });
    clients.push(client);
    return new RedisReplayGuard(client, (error) => assert.fail(String(error)), prefix);
  };
  after(async () => {
    const keys = await clients[0]!.keys(`${prefix}:*`);
    if (keys.length > 0) await clients[0]!.del(...keys);
    for (const client of clients) client.disconnect();
  });

  test('an assertion used on one instance is refused on another, and the key expires with the assertion', async () => {
    const a = guard();
    const b = guard();
    const forgetAt = Date.now() + 30_000;
    assert.equal(await a.claim('client-1', 'jti-1', forgetAt), true);
    assert.equal(await b.claim('client-1', 'jti-1', forgetAt), false);
    assert.equal(await b.claim('client-2', 'jti-1', forgetAt), true);
    const ttl = await clients[0]!.pttl(`${prefix}:client-1:jti-1`);
    assert.ok(ttl > 25_000 && ttl <= 30_000, `expires in ${ttl} ms`);
  });

  test('without Redis, this instance still refuses its own replays and reports once', async () => {
    const port = await freeLoopbackPort();
    const client = new Redis(`redis://127.0.0.1:${port}`, {
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      lazyConnect: true,
    });
    const errors: unknown[] = [];
    const broken = new RedisReplayGuard(client, (error) => errors.push(error), prefix);
    const forgetAt = Date.now() + 30_000;
    assert.equal(await broken.claim('client-1', 'jti-x', forgetAt), true);
    assert.equal(await broken.claim('client-1', 'jti-x', forgetAt), false);
    assert.equal(errors.length, 1);
    client.disconnect();
  });
});
