/**
 * Token quotas of clients and organizations (Auth0's fine-grained M2M token quotas, opt-in): counted on issued tokens,
 * reported in `Auth0-Client-Quota-Limit` / `Auth0-Organization-Quota-Limit`, a 429 with Retry-After past an enforced
 * one; and the Redis counter that several instances share.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { RedisQuotaCounter } from '../../src/oauth/token-quota.js';
import {
  anyStorage,
  freeLoopbackPort,
  postToken,
  provision,
  startMinter,
  type RunningMinter,
} from '../helpers/minter.js';

/** Waits out the last seconds of a UTC hour, so that a test's tokens fall in one hourly window. */
async function awayFromHourEnd(): Promise<void> {
  const left = 3_600_000 - (Date.now() % 3_600_000);
  if (left < 15_000) await sleep(left + 1000);
}

describe('token quotas', () => {
  let m: RunningMinter;
  before(async () => {
    m = await startMinter({ storage: anyStorage });
  });
  after(() => m?.close());

  const token = (app: Awaited<ReturnType<typeof provision>>) =>
    postToken(m.baseUrl, {
      grant_type: 'client_credentials',
      client_id: app.clientId,
      client_secret: app.clientSecret,
      audience: app.identifier,
    });

  test('an enforced hourly quota: remaining counts down in the header, then 429 with Retry-After and a feccft record', async () => {
    const app = await provision(m);
    const patched = await m.api('PATCH', `/clients/${app.clientId}`, {
      token_quota: { client_credentials: { per_hour: 3 } },
    });
    assert.equal(patched.status, 200);
    assert.deepEqual(patched.body.token_quota, { client_credentials: { per_hour: 3 } });
    await awayFromHourEnd();

    for (const remaining of [2, 1, 0]) {
      const response = await token(app);
      assert.equal(response.status, 200);
      assert.match(
        response.headers.get('auth0-client-quota-limit') ?? '',
        new RegExp(`^b=per_hour;q=3;r=${remaining};t=\\d+$`),
      );
    }
    const refused = await token(app);
    assert.equal(refused.status, 429);
    assert.deepEqual(refused.body, { error: 'too_many_requests', error_description: 'Client quota exceeded' });
    const retryAfter = Number(refused.headers.get('retry-after'));
    assert.ok(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= 3600, `Retry-After ${retryAfter}`);
    assert.equal(refused.headers.get('x-ratelimit-limit'), '3');
    assert.equal(refused.headers.get('x-ratelimit-remaining'), '0');
    const reset = Number(refused.headers.get('x-ratelimit-reset'));
    assert.ok(reset * 1000 > Date.now() && reset % 3600 === 0, `X-RateLimit-Reset ${reset}`);

    const logs = await m.api('GET', `/logs?type=feccft&client_id=${app.clientId}&per_page=1`);
    assert.equal(logs.body[0]?.details?.status, 429);

    // Removing the quota lifts it at once, and the header goes with it.
    assert.equal((await m.api('PATCH', `/clients/${app.clientId}`, { token_quota: null })).status, 200);
    const free = await token(app);
    assert.equal(free.status, 200);
    assert.equal(free.headers.get('auth0-client-quota-limit'), null);
    assert.equal('token_quota' in (await m.api('GET', `/clients/${app.clientId}`)).body, false);
  });

  test('enforce: false only reports; both windows appear in the header', async () => {
    const app = await provision(m);
    await m.api('PATCH', `/clients/${app.clientId}`, {
      token_quota: { client_credentials: { per_hour: 100, per_day: 1, enforce: false } },
    });
    await awayFromHourEnd();
    const first = await token(app);
    const second = await token(app);
    assert.equal(first.status, 200);
    assert.equal(second.status, 200);
    assert.match(
      second.headers.get('auth0-client-quota-limit') ?? '',
      /^b=per_hour;q=100;r=98;t=\d+,b=per_day;q=1;r=0;t=\d+$/,
    );
  });

  test('a quota is validated: positive integers, at least one window, nothing else', async () => {
    const { clientId } = await provision(m);
    for (const token_quota of [
      { client_credentials: { per_hour: 0 } },
      { client_credentials: { per_day: 1.5 } },
      { client_credentials: { enforce: true } },
      { client_credentials: { per_hour: 1, per_minute: 1 } },
      { per_hour: 1 },
    ]) {
      const response = await m.api('PATCH', `/clients/${clientId}`, { token_quota });
      assert.equal(response.status, 400, JSON.stringify(token_quota));
    }
    const created = await m.api('POST', '/clients', {
      name: 'quota at birth',
      token_quota: { client_credentials: { per_day: 5 } },
    });
    assert.equal(created.status, 201);
    assert.deepEqual(created.body.token_quota, { client_credentials: { per_day: 5 } });
  });

  test("an organization's quota caps every client's tokens for it, beside each client's own; both headers show", async () => {
    const [a, b] = [await provision(m), await provision(m)];
    for (const app of [a, b]) {
      const grant = await m.api('PATCH', `/client-grants/${app.grantId}`, {
        organization_usage: 'allow',
        allow_any_organization: true,
      });
      assert.equal(grant.status, 200, JSON.stringify(grant.body));
    }
    const name = `quota-${randomUUID().slice(0, 8)}`;
    const created = await m.api('POST', '/organizations', {
      name,
      token_quota: { client_credentials: { per_hour: 3 } },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.deepEqual(created.body.token_quota, { client_credentials: { per_hour: 3 } });
    const org = created.body as { id: string };
    assert.equal(
      (await m.api('PATCH', `/clients/${b.clientId}`, { token_quota: { client_credentials: { per_day: 100 } } }))
        .status,
      200,
    );
    const forOrg = (app: typeof a, organization?: string) =>
      postToken(m.baseUrl, {
        grant_type: 'client_credentials',
        client_id: app.clientId,
        client_secret: app.clientSecret,
        audience: app.identifier,
        ...(organization !== undefined && { organization }),
      });
    await awayFromHourEnd();

    const first = await forOrg(a, name);
    assert.equal(first.status, 200);
    assert.match(first.headers.get('auth0-organization-quota-limit') ?? '', /^b=per_hour;q=3;r=2;t=\d+$/);
    assert.equal(first.headers.get('auth0-client-quota-limit'), null);
    const second = await forOrg(b, org.id);
    assert.equal(second.status, 200);
    assert.match(second.headers.get('auth0-organization-quota-limit') ?? '', /^b=per_hour;q=3;r=1;t=\d+$/);
    assert.match(second.headers.get('auth0-client-quota-limit') ?? '', /^b=per_day;q=100;r=99;t=\d+$/);
    assert.equal((await forOrg(a, name)).status, 200);

    const refused = await forOrg(b, name);
    assert.equal(refused.status, 429);
    assert.deepEqual(refused.body, { error: 'too_many_requests', error_description: 'Organization quota exceeded' });
    assert.match(refused.headers.get('auth0-organization-quota-limit') ?? '', /^b=per_hour;q=3;r=0;t=\d+$/);
    assert.ok(Number(refused.headers.get('retry-after')) > 0);
    // The organization's quota is its own: the same clients without it, or for another organization, are not capped.
    const without = await forOrg(b);
    assert.equal(without.status, 200);
    assert.equal(without.headers.get('auth0-organization-quota-limit'), null);
    assert.match(without.headers.get('auth0-client-quota-limit') ?? '', /^b=per_day;q=100;r=98;t=\d+$/);
    const other = (await m.api('POST', '/organizations', { name: `${name}-other` })).body as { id: string };
    assert.equal((await forOrg(a, other.id)).status, 200);

    // enforce: false only reports; null removes the quota.
    assert.equal(
      (
        await m.api('PATCH', `/organizations/${org.id}`, {
          token_quota: { client_credentials: { per_hour: 3, enforce: false } },
        })
      ).status,
      200,
    );
    const reported = await forOrg(a, name);
    assert.equal(reported.status, 200);
    assert.match(reported.headers.get('auth0-organization-quota-limit') ?? '', /^b=per_hour;q=3;r=0;t=\d+$/);
    const lifted = await m.api('PATCH', `/organizations/${org.id}`, { token_quota: null });
    assert.equal(lifted.status, 200);
    assert.equal('token_quota' in lifted.body, false);
    assert.equal((await forOrg(a, name)).headers.get('auth0-organization-quota-limit'), null);
    assert.equal(
      (await m.api('PATCH', `/organizations/${org.id}`, { token_quota: { client_credentials: {} } })).status,
      400,
    );
  });
});

describe(
  'token quotas counted in Redis (REDIS_URL)',
  { skip: process.env.REDIS_URL ? false : 'REDIS_URL is not set' },
  () => {
    test('the server counts in Redis: the quota holds, and the count is there for other instances to read', async () => {
      const m = await startMinter({ storage: anyStorage, env: { REDIS_URL: process.env.REDIS_URL! } });
      const redis = new Redis(process.env.REDIS_URL!);
      try {
        const app = await provision(m);
        await m.api('PATCH', `/clients/${app.clientId}`, { token_quota: { client_credentials: { per_hour: 2 } } });
        await awayFromHourEnd();
        const token = () =>
          postToken(m.baseUrl, {
            grant_type: 'client_credentials',
            client_id: app.clientId,
            client_secret: app.clientSecret,
            audience: app.identifier,
          });
        assert.equal((await token()).status, 200);
        assert.equal((await token()).status, 200);
        await sleep(50); // counting is fire-and-forget
        assert.equal((await token()).status, 429);
        assert.equal(await redis.get(`minter:quota:${app.clientId}:h:${Math.floor(Date.now() / 3_600_000)}`), '2');
        const keys = await redis.keys(`minter:quota:${app.clientId}:*`);
        if (keys.length > 0) await redis.del(...keys);
      } finally {
        redis.disconnect();
        await m.close();
      }
    });
  },
);

describe('RedisQuotaCounter', { skip: process.env.REDIS_URL ? false : 'REDIS_URL is not set' }, () => {
  const prefix = `minter-test:${randomUUID()}`;
  let redis: Redis[] = [];
  const counter = () => {
    const client = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: 1 });
    redis.push(client);
    return new RedisQuotaCounter(client, (error) => assert.fail(String(error)), prefix);
  };
  after(async () => {
    const [first] = redis;
    if (first) {
      const keys = await first.keys(`${prefix}:*`);
      if (keys.length > 0) await first.del(...keys);
    }
    for (const client of redis) client.disconnect();
    redis = [];
  });

  test('two instances see one count per client, hour and day', async () => {
    const a = counter();
    const b = counter();
    const now = Date.now();
    a.count('client-1', now);
    b.count('client-1', now);
    a.count('client-2', now);
    await sleep(50); // counting is fire-and-forget
    assert.deepEqual(await b.usage('client-1', now), { hour: 2, day: 2 });
    assert.deepEqual(await a.usage('client-2', now), { hour: 1, day: 1 });
    assert.deepEqual(await a.usage('client-1', now + 3_600_000), {
      hour: 0,
      day: now % 86_400_000 < 82_800_000 ? 2 : 0,
    });
    const ttl = await redis[0]!.pttl(`${prefix}:client-1:h:${Math.floor(now / 3_600_000)}`);
    assert.ok(ttl > 3_600_000 && ttl <= 3_660_000, `hour key expires in ${ttl} ms`);
  });

  test('an unreachable Redis fails open and reports once', async () => {
    const port = await freeLoopbackPort();
    const client = new Redis(`redis://127.0.0.1:${port}`, {
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      lazyConnect: true,
    });
    const errors: unknown[] = [];
    const broken = new RedisQuotaCounter(client, (error) => errors.push(error), prefix);
    assert.deepEqual(await broken.usage('client-1', Date.now()), { hour: 0, day: 0 });
    assert.deepEqual(await broken.usage('client-1', Date.now()), { hour: 0, day: 0 });
    assert.equal(errors.length, 1);
    client.disconnect();
  });
});
