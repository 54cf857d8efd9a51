/**
 * `classifyDatabaseError`: what each driver's failure means to a management request. The outage kinds are taken
 * from real failures of node-postgres (a refused port, a server that accepts and never answers, a connection reset
 * mid-query; PGlite's dead worker is in test/management/database-outage.test.ts); the SQLSTATE kinds from errors
 * shaped as both drivers give them (`code`, `constraint`).
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, test } from 'node:test';
import pg from 'pg';
import { classifyDatabaseError } from '../../src/store/database-errors.js';
import { freeLoopbackPort } from '../helpers/minter.js';
import { postgresUrl, skipWithoutPostgres } from '../helpers/postgres.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';

/** The error a promise rejects with. */
async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

describe('classifyDatabaseError', () => {
  test('node-postgres: a refused port is unavailable (ECONNREFUSED)', async () => {
    const port = await freeLoopbackPort();
    const pool = new pg.Pool({ host: '127.0.0.1', port, user: 'x', connectionTimeoutMillis: 2000 });
    const error = await failureOf(pool.query('select 1'));
    await pool.end();
    assert.deepEqual(classifyDatabaseError(error), { kind: 'unavailable', code: 'ECONNREFUSED' });
  });

  test('node-postgres: a server that accepts and never answers is unavailable once the connect timeout passes', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    const pool = new pg.Pool({ host: '127.0.0.1', port, user: 'x', connectionTimeoutMillis: 200 });
    const error = await failureOf(pool.query('select 1'));
    await pool.end().catch(() => undefined);
    silent.close();
    silent.unref();
    assert.equal(classifyDatabaseError(error)?.kind, 'unavailable', String(error));
  });

  test('node-postgres: a connection reset under a query is unavailable', { skip: skipWithoutPostgres }, async () => {
    const target = new URL(postgresUrl!);
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const client = new pg.Client({
      connectionString: Object.assign(new URL(postgresUrl!), {
        hostname: '127.0.0.1',
        port: String(proxy.port),
      }).toString(),
    });
    client.on('error', () => undefined);
    await client.connect();
    const pending = failureOf(client.query('select pg_sleep(5)'));
    proxy.cut();
    const error = await pending;
    await proxy.close();
    assert.equal(classifyDatabaseError(error)?.kind, 'unavailable', String(error));
  });

  test('PostgreSQL refusals: 23505 duplicate with its constraint, 23503 missing reference, 22xxx/54xxx invalid data', async () => {
    const sqlstate = (code: string, constraint?: string) =>
      Object.assign(new Error('refused'), { code, ...(constraint && { constraint }) });
    assert.deepEqual(classifyDatabaseError(sqlstate('23505', 'organizations_name_key')), {
      kind: 'duplicate',
      constraint: 'organizations_name_key',
    });
    assert.deepEqual(classifyDatabaseError(sqlstate('23503', 'client_grants_client_id_fkey')), {
      kind: 'missing_reference',
      constraint: 'client_grants_client_id_fkey',
    });
    for (const code of ['22021', '22P05', '22P02', '22003', '22008', '23502', '23514', '54000']) {
      assert.deepEqual(classifyDatabaseError(sqlstate(code)), { kind: 'invalid_data', code }, code);
    }
    for (const code of ['08006', '08003', '57P01', '57P03', '53300', '53100', '58030']) {
      assert.deepEqual(classifyDatabaseError(sqlstate(code)), { kind: 'unavailable', code }, code);
    }
    // A bug (an undefined table, a syntax error) is none of these: it stays a 500.
    for (const code of ['42P01', '42601', '40001'])
      assert.equal(classifyDatabaseError(sqlstate(code)), undefined, code);
    assert.equal(classifyDatabaseError(new TypeError('x is undefined')), undefined);
    assert.equal(classifyDatabaseError('not an error'), undefined);
  });
});
