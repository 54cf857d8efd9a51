/**
 * The PostgreSQL connection dropped under Minter's feet (the CI failure of 2026-12-02: a log outage test saw the
 * server end mid-outage). pg reports a dropped connection as an 'error' event on the client while it is checked out of
 * the pool; with no listener that event is an uncaught exception that ends the process. Here the database is reached
 * through a TCP proxy that resets every connection while one is checked out inside a transaction and another sits
 * idle: the process goes on, the statement in flight fails with its own error, and once the route is back the next
 * query succeeds on a fresh connection. Needs DATABASE_URL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { openDatabase, type OpenedDatabase } from '../../src/store/database.js';
import { createTestDatabase, skipWithoutPostgres, type TestDatabase } from '../helpers/postgres.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

describe('a dropped PostgreSQL connection', { skip: skipWithoutPostgres }, () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let opened: OpenedDatabase;
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown) => uncaught.push(error);

  before(async () => {
    database = await createTestDatabase();
    const url = new URL(database.url);
    proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    opened = await openDatabase({ databaseUrl: url.toString(), dataDir: '' });
    // The test runner turns an uncaught exception into a failure of whatever test runs; catching it here names it.
    process.prependListener('uncaughtException', onUncaught);
  });
  after(async () => {
    process.removeListener('uncaughtException', onUncaught);
    await opened?.close().catch(() => undefined);
    await proxy?.close();
    await database?.drop();
  });

  test('while checked out and while idle: the process goes on, the statement fails, the next one succeeds', async () => {
    // One connection left idle in the pool, one checked out in an open transaction.
    await sql`select 1`.execute(opened.db);
    let releaseTransaction!: () => void;
    const inTransaction = new Promise<void>((resolve) => (releaseTransaction = resolve));
    let transactionError: unknown;
    const transaction = opened.db
      .transaction()
      .execute(async (trx) => {
        await sql`select 1`.execute(trx);
        releaseTransaction();
        // Between two statements of the transaction: the connection is checked out and has no query in flight.
        await new Promise((resolve) => setTimeout(resolve, 200));
        await sql`select 2`.execute(trx);
      })
      .catch((error: unknown) => (transactionError = error));
    await inTransaction;
    proxy.cut();
    await transaction;
    // The socket's 'close' arrives after the reset; give the 'error' and 'end' events their turns.
    await new Promise((resolve) => setTimeout(resolve, 100));

    assert.deepEqual(uncaught, [], 'no uncaught exception');
    assert.ok(transactionError instanceof Error, 'the transaction fails with its own error');
    proxy.restore();
    const { rows } = await sql<{ n: number }>`select 3 as n`.execute(opened.db);
    assert.deepEqual(rows, [{ n: 3 }]);
  });
});
