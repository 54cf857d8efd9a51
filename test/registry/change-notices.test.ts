/**
 * Several instances on one PostgreSQL: a management write on one is seen by the others at once through Redis
 * change notices (REDIS_URL), not after the slow poll (set to 10 minutes here). Needs DATABASE_URL and REDIS_URL.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freeLoopbackPort, spawnMinter, type MinterProcess } from '../helpers/minter.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';

const redisUrl = process.env.REDIS_URL;
const skip = !process.env.DATABASE_URL ? 'DATABASE_URL is not set' : !redisUrl ? 'REDIS_URL is not set' : false;

async function call(base: string, path: string, init: RequestInit & { token?: string; json?: unknown } = {}) {
  const response = await fetch(`${base}${path}`, {
    ...init,
    headers: {
      ...(init.token && { authorization: `Bearer ${init.token}` }),
      ...(init.json !== undefined && { 'content-type': 'application/json' }),
      ...(init.body instanceof URLSearchParams && { 'content-type': 'application/x-www-form-urlencoded' }),
    },
    ...(init.json !== undefined && { body: JSON.stringify(init.json) }),
  });
  return { status: response.status, body: (await response.json()) as any };
}

describe('configuration changes reach every instance through Redis', { skip }, () => {
  let database: TestDatabase;
  let a: MinterProcess;
  let b: MinterProcess;
  let dirs: string[];
  let issuer: string;
  const admin = { id: 'cluster-admin', secret: 'cluster-admin-secret-0123456789' };

  before(async () => {
    database = await createTestDatabase();
    const [portA, portB] = [await freeLoopbackPort(), await freeLoopbackPort()];
    issuer = `http://127.0.0.1:${portA}`;
    dirs = [await mkdtemp(join(tmpdir(), 'minter-a-')), await mkdtemp(join(tmpdir(), 'minter-b-'))];
    const shared = {
      DATABASE_URL: database.url,
      REDIS_URL: redisUrl!,
      MINTER_ISSUER: issuer,
      MINTER_SECRET_KEY: randomBytes(32).toString('hex'),
      MINTER_ADMIN_CLIENT_ID: admin.id,
      MINTER_ADMIN_CLIENT_SECRET: admin.secret,
      MINTER_CONFIG_POLL_MS: '600000',
    };
    a = await spawnMinter({ ...shared, PORT: String(portA), MINTER_DATA_DIR: dirs[0]! });
    b = await spawnMinter({ ...shared, PORT: String(portB), MINTER_DATA_DIR: dirs[1]! });
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await Promise.all((dirs ?? []).map((d) => rm(d, { recursive: true, force: true })));
    await database?.drop();
  });

  test('an API, client and grant created on A issue tokens on B within a second', async () => {
    const token = (
      await call(a.baseUrl, '/oauth/token', {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: admin.id,
          client_secret: admin.secret,
          audience: `${issuer}/api/v2/`,
        }),
      })
    ).body.access_token as string;
    const identifier = 'https://cluster.example.com';
    assert.equal(
      (
        await call(a.baseUrl, '/api/v2/resource-servers', {
          method: 'POST',
          token,
          json: { identifier, signing_alg: 'ES256' },
        })
      ).status,
      201,
    );
    const client = (await call(a.baseUrl, '/api/v2/clients', { method: 'POST', token, json: { name: 'svc' } })).body;
    assert.equal(
      (
        await call(a.baseUrl, '/api/v2/client-grants', {
          method: 'POST',
          token,
          json: { client_id: client.client_id, audience: identifier, scope: [] },
        })
      ).status,
      201,
    );

    const request = () =>
      call(b.baseUrl, '/oauth/token', {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: client.client_id,
          client_secret: client.client_secret,
          audience: identifier,
        }),
      });
    const deadline = Date.now() + 1000;
    let last = await request();
    while (last.status !== 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      last = await request();
    }
    assert.equal(last.status, 200, JSON.stringify(last.body));
  });
});
