/**
 * The log writer over a real database (PGlite and PostgreSQL), fed records that were NOT made storable — as a record
 * a future code path forgot to pass through serializeLogRecord would be: a NUL escape (jsonb: 22P05), a lone
 * surrogate (22P02), a date that is not one (22007). Each batch holding one is split until the record is alone; it is
 * replaced by a stand-in that keeps its id, date, type and client and says why; every other record is written, and
 * the writer goes on. A database that is closed is not a data error: nothing is split, dropped or stood in for.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyBaseLogger } from 'fastify';
import { BatchWriter } from '../../src/observability/batch-writer.js';
import { isDataError } from '../../src/store/data-errors.js';
import { openDatabase, type OpenedDatabase } from '../../src/store/database.js';
import {
  insertSerializedLogs,
  refusedLogStandIn,
  serializeLogRecord,
  type LogRecord,
  type SerializedLogRecord,
} from '../../src/store/logs.js';
import { seedPgliteDataDir, type Storage } from '../helpers/minter.js';
import { createTestDatabase, skipWithoutPostgres, type TestDatabase } from '../helpers/postgres.js';

const record = (i: number, fields: Partial<LogRecord> = {}): LogRecord => ({
  log_id: `split-${String(i).padStart(3, '0')}`,
  date: new Date(Date.UTC(2025, 0, 1, 0, 0, i)),
  type: 'seccft',
  description: 'Client Credentials for Access Token',
  client_id: `client-${i}`,
  client_name: 'svc',
  audience: 'https://api.example.com',
  scope: 'read:things',
  ip: '127.0.0.1',
  user_agent: 'tests',
  hostname: '127.0.0.1',
  execution_id: null,
  execution: null,
  details: { jti: `jti-${i}` },
  ...fields,
});

/** Records 0–39; 3, 17 and 30 as the database refuses them (JSON.stringify alone, not serializeLogRecord). */
const BAD: Record<number, { raw: string; code: string }> = {
  3: { raw: JSON.stringify(record(3, { description: 'a\u0000b' })), code: '22P05' },
  17: {
    raw: JSON.stringify(
      record(17, { execution: { trigger_id: 'credentials-exchange', status: 'final', results: ['\ud800'] } }),
    ),
    code: '22P02',
  },
  30: { raw: JSON.stringify({ ...record(30), date: 'not a date' }), code: '22007' },
};

function quietLogger() {
  const lines: unknown[][] = [];
  const keep = (...args: unknown[]) => lines.push(args);
  const noop = () => {};
  return {
    lines,
    logger: {
      error: keep,
      warn: keep,
      info: keep,
      debug: noop,
      trace: noop,
      fatal: noop,
      silent: noop,
      level: 'info',
    } as unknown as FastifyBaseLogger,
  };
}

for (const storage of ['pglite', 'postgres'] as Storage[]) {
  describe(
    `log batches split around refused records (${storage})`,
    { skip: storage === 'postgres' && skipWithoutPostgres },
    () => {
      let dataDir: string;
      let pg: TestDatabase | undefined;
      let database: OpenedDatabase;

      before(async () => {
        dataDir = await mkdtemp(join(tmpdir(), 'minter-split-'));
        if (storage === 'postgres') pg = await createTestDatabase();
        else await seedPgliteDataDir(dataDir);
        database = await openDatabase({ dataDir, ...(pg && { databaseUrl: pg.url }) });
      });
      after(async () => {
        await database?.close().catch(() => undefined);
        await pg?.drop();
        await rm(dataDir, { recursive: true, force: true });
      });

      test('3 refused records among 40: 37 written as they were, 3 stand-ins saying why, counted, one log line', async () => {
        const { lines, logger } = quietLogger();
        const writes: number[] = [];
        const writer = new BatchWriter<SerializedLogRecord>(
          'logs',
          (batch) => {
            writes.push(batch.length);
            return insertSerializedLogs(database.db, batch);
          },
          { batchSize: 16, flushMs: 60_000, maxBuffered: 1000, isDataError, standIn: refusedLogStandIn },
          logger,
        );
        for (let i = 0; i < 40; i++) writer.push(BAD[i]?.raw ?? serializeLogRecord(record(i)));
        await writer.flush();

        assert.deepEqual(writer.stats, { buffered: 0, dropped: 0, written: 40, rejected: 3 });
        // Each refused record costs its part log2(16) + 1 more writes, not one write per record.
        assert.ok(writes.length <= 3 + 3 * 10, `${writes.length} writes: ${writes.join(',')}`);
        const rows = await database.db
          .selectFrom('logs')
          .selectAll()
          .where('log_id', 'like', 'split-%')
          .orderBy('log_id')
          .execute();
        assert.equal(rows.length, 40);
        for (const [i, row] of rows.entries()) {
          const bad = BAD[i];
          if (bad === undefined) {
            assert.deepEqual(
              { ...row, date: row.date.toISOString() },
              { ...record(i), date: record(i).date.toISOString() },
            );
            continue;
          }
          assert.equal(row.description, 'Record refused by the database');
          assert.equal(row.type, 'seccft');
          assert.equal(row.client_id, `client-${i}`);
          assert.equal(row.audience, null);
          assert.equal((row.details as { refused: { code: string } }).refused.code, bad.code, `record ${i}`);
          if (i !== 30) assert.equal(row.date.toISOString(), record(i).date.toISOString(), 'the original date is kept');
        }
        const refusedLines = lines.filter(([, message]) => message === 'record refused by the database');
        assert.equal(refusedLines.length, 1, 'one line; the next refusals within FAILURE_REPORT_MS are counted');
        await writer.close();
      });

      test('a closed database is not a data error: nothing split, stood in for or dropped; all kept for the next attempt', async () => {
        const { logger } = quietLogger();
        const writes: number[] = [];
        const writer = new BatchWriter<SerializedLogRecord>(
          'logs',
          (batch) => {
            writes.push(batch.length);
            return insertSerializedLogs(database.db, batch);
          },
          { batchSize: 16, flushMs: 60_000, maxBuffered: 1000, isDataError, standIn: refusedLogStandIn },
          logger,
        );
        await database.close();
        for (let i = 100; i < 120; i++) writer.push(serializeLogRecord(record(i)));
        await writer.flush();
        // The 16th record started one attempt, the flush another; each stopped at its first part, unsplit.
        assert.deepEqual(writes, [16, 16]);
        assert.deepEqual(writer.stats, { buffered: 20, dropped: 0, written: 0, rejected: 0 });
      });
    },
  );
}
