/**
 * A database outage: every management read and write answers 503 with `Retry-After` and Auth0's error body, while
 * the token endpoint (which reads the in-memory snapshot, never the database) goes on issuing tokens that verify
 * against the JWKS; once the database is back, writes succeed again without a restart.
 *
 * PostgreSQL: a loopback TCP proxy sits between Minter and 127.0.0.1:5432; cutting it resets every connection and
 * every new one. PGlite has no connection to cut: its outage is the worker thread it runs in dying, which the test
 * causes by terminating it; that worker is not started again (store/pglite-pool.ts), so service comes back with a
 * restart of the process.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { getToken, provision, startMinter, type RunningMinter, type WireResponse } from '../helpers/minter.js';
import { postgresUrl, skipWithoutPostgres } from '../helpers/postgres.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

type Call = readonly [method: string, path: string, body?: unknown];

/** Reads and writes of every kind of object; `ids` are objects that exist. */
function managementCalls(ids: { clientId: string; identifier: string }): { reads: Call[]; writes: Call[] } {
  return {
    reads: [
      ['GET', '/clients'],
      ['GET', `/clients/${ids.clientId}`],
      ['GET', `/clients/${ids.clientId}/properties`],
      ['GET', '/resource-servers'],
      ['GET', '/client-grants'],
      ['GET', '/organizations'],
      ['GET', '/actions/actions'],
      ['GET', '/keys/signing'],
      ['GET', '/logs'],
    ],
    writes: [
      ['POST', '/clients', { name: 'during-outage' }],
      ['PATCH', `/clients/${ids.clientId}`, { description: 'during outage' }],
      ['PUT', `/clients/${ids.clientId}/properties/tier`, { value: 'gold' }],
      ['POST', '/resource-servers', { identifier: 'https://during-outage.example.com' }],
      ['POST', '/organizations', { name: 'during-outage' }],
      [
        'POST',
        '/actions/actions',
        {
          name: 'during-outage',
          code: 'exports.onExecuteCredentialsExchange = async () => {};',
          supported_triggers: [{ id: 'credentials-exchange' }],
        },
      ],
      ['DELETE', `/clients/${ids.clientId}`],
    ],
  };
}

function assertUnavailable(response: Pick<WireResponse, 'status' | 'body' | 'headers'>, what: string): void {
  assert.deepEqual(
    { status: response.status, retryAfter: response.headers.get('retry-after'), body: response.body },
    {
      status: 503,
      retryAfter: '5',
      body: {
        statusCode: 503,
        error: 'Service Unavailable',
        message: 'The database is unavailable; try again shortly',
        errorCode: 'temporarily_unavailable',
      },
    },
    what,
  );
  assert.equal(response.headers.get('content-type'), 'application/json; charset=utf-8', what);
}

/** A token for the client, verified against the JWKS as it is served now. */
async function verifiedToken(m: RunningMinter, client: { clientId: string; clientSecret: string }, audience: string) {
  const { access_token } = await getToken(m.baseUrl, client, audience);
  const jwks = (await (await fetch(`${m.baseUrl}/.well-known/jwks.json`)).json()) as JSONWebKeySet;
  const { payload } = await jwtVerify(access_token, createLocalJWKSet(jwks), { issuer: m.issuer, audience });
  return payload;
}

describe(
  'database outage (postgres, through a TCP proxy): management 503 with Retry-After, tokens go on',
  { skip: skipWithoutPostgres },
  () => {
    let proxy: TcpProxy;
    let m: RunningMinter;
    let client: Awaited<ReturnType<typeof provision>>;
    before(async () => {
      const target = new URL(postgresUrl!);
      proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
      m = await startMinter({
        storage: 'postgres',
        databaseUrlVia: (url) => Object.assign(new URL(url), { hostname: '127.0.0.1', port: String(proxy.port) }),
      });
      client = await provision(m);
    });
    after(async () => {
      proxy?.restore();
      await m?.close();
      await proxy?.close();
    });

    test('cut: every read and write is 503 with Retry-After: 5; /oauth/token still issues verifiable tokens', async () => {
      assert.equal((await m.api('GET', '/clients')).status, 200);
      assert.ok(proxy.accepted > 0, 'Minter reaches PostgreSQL through the proxy');
      await m.adminToken();
      proxy.cut();
      const { reads, writes } = managementCalls(client);
      for (const [method, path, body] of [...reads, ...writes]) {
        assertUnavailable(await m.api(method, path, body), `${method} ${path}`);
      }
      const payload = await verifiedToken(m, client, client.identifier);
      assert.equal(payload.sub, client.clientId);
      // The admin token too: the management API's own audience comes from the snapshot as well.
      const admin = await getToken(m.baseUrl, m.admin, `${m.issuer}/api/v2/`);
      assert.equal(admin.token_type, 'Bearer');
    });

    test('restored: writes succeed again (no restart), and the new client gets tokens', async () => {
      proxy.restore();
      const created = await m.api('POST', '/clients', { name: 'after-outage' });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const grant = await m.api('POST', '/client-grants', {
        client_id: created.body.client_id,
        audience: client.identifier,
        scope: ['read:things'],
      });
      assert.equal(grant.status, 201, JSON.stringify(grant.body));
      const payload = await verifiedToken(
        m,
        { clientId: created.body.client_id, clientSecret: created.body.client_secret },
        client.identifier,
      );
      assert.equal(payload.scope, 'read:things');
      const names = ((await m.api('GET', '/clients')).body as Array<{ name: string }>).map((c) => c.name);
      assert.ok(!names.includes('during-outage'), 'no write of the outage was half done');
      assert.ok(names.includes('after-outage'));
    });
  },
);

describe('database outage (pglite, its worker thread dies): management 503 with Retry-After, tokens go on', () => {
  let m: RunningMinter;
  let client: Awaited<ReturnType<typeof provision>>;
  before(async () => {
    m = await startMinter({ storage: 'pglite' });
    client = await provision(m);
  });
  after(() => m?.close());

  test('worker gone: every read and write is 503 with Retry-After: 5; /oauth/token still issues verifiable tokens', async () => {
    await m.adminToken();
    const pglite = m.minter.database.pglite;
    assert.ok(pglite, 'embedded PGlite runs in a worker');
    await pglite.worker.terminate();
    const { reads, writes } = managementCalls(client);
    for (const [method, path, body] of [...reads, ...writes]) {
      assertUnavailable(await m.api(method, path, body), `${method} ${path}`);
    }
    const payload = await verifiedToken(m, client, client.identifier);
    assert.equal(payload.sub, client.clientId);
  });

  test('after a restart on the same data directory, writes succeed and nothing of the outage was written', async () => {
    await m.restart();
    const created = await m.api('POST', '/clients', { name: 'after-outage' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const names = ((await m.api('GET', '/clients')).body as Array<{ name: string }>).map((c) => c.name);
    assert.ok(!names.includes('during-outage'));
    assert.ok(names.includes('after-outage'));
    assert.equal((await verifiedToken(m, client, client.identifier)).sub, client.clientId);
  });
});
