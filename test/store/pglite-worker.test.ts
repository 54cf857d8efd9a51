/**
 * Embedded PGlite in its worker thread, for real: rows reach the main thread exactly as in-process PGlite returns
 * them (every column type of the schema, Date, jsonb, bytea), errors keep PGlite's message and `code`, a
 * transaction keeps the one connection, the main thread's event loop keeps turning while PGlite works, a dead
 * worker fails every query instead of hanging, and `close()` lets the process exit.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CompiledQuery, Kysely, PostgresDialect, sql } from 'kysely';
import { PGlite } from '@electric-sql/pglite';
import { openDatabase, type OpenedDatabase } from '../../src/store/database.js';
import { insertSerializedLogs, serializeLogRecord, type LogRecord } from '../../src/store/logs.js';
import { pgliteWorkerPool } from '../../src/store/pglite-pool.js';
import type { Database } from '../../src/store/schema.js';
import { putSetting } from '../../src/store/settings.js';
import { watchEventLoop } from '../helpers/event-loop.js';
import { seedPgliteDataDir } from '../helpers/minter.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function freshDataDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await seedPgliteDataDir(dir);
  return dir;
}

/** Every table of the schema, read whole. */
const TABLES = [
  'clients',
  'resource_servers',
  'client_grants',
  'signing_keys',
  'logs',
  'settings',
  'actions',
  'action_versions',
  'trigger_bindings',
  'kysely_migration',
];

/** Queries whose answers are compared between the worker and in-process PGlite. */
const PROBES: Array<[string, unknown[]]> = [
  [
    `select $1::timestamptz as ts, '2026-01-02 03:04:05.678+02'::timestamptz as ts_literal, null::timestamptz as ts_null,
       '2026-01-02'::date as d, $2::int4 as i4, 9007199254740993::int8 as i8, 1.5::float8 as f8, 12.34::numeric as num,
       $3::boolean as b, $4::text as t, array['a', 'b']::text[] as arr, null as n`,
    [new Date('2026-11-23T11:07:37.215Z'), 42, true, 'héllo'],
  ],
  [
    `select $1::jsonb as obj, $2::jsonb as arr, '"s"'::jsonb as str, '1.5'::jsonb as num, 'null'::jsonb as jnull,
       '{"deep": {"list": [1, {"x": null}]}}'::json as plain_json`,
    [JSON.stringify({ a: 1, b: [true, null, 'x'], c: { d: 'é' } }), JSON.stringify([1, 'two'])],
  ],
  [`select $1::bytea as bytes, '\\x00ff10'::bytea as literal, ''::bytea as empty`, [new Uint8Array([0, 1, 254, 255])]],
];

function logRecord(i: number): LogRecord {
  return {
    log_id: `log_${String(i).padStart(8, '0')}`,
    date: new Date(Date.UTC(2026, 10, 23, 11, 0, i)),
    type: 'seccft',
    description: 'Client Credentials for Access Token',
    client_id: 'client-1',
    client_name: 'svc',
    audience: 'https://api.example.com',
    scope: 'read:things',
    ip: '127.0.0.1',
    user_agent: null,
    hostname: 'localhost',
    execution_id: i % 2 ? `exe_${i}` : null,
    execution: i % 2 ? { trigger_id: 'credentials-exchange', status: 'final', results: [{ claims: { n: i } }] } : null,
    details: { kid: 'k1', jti: `jti-${i}`, nested: { list: [1, 'two', null] } },
  };
}

/** Puts a row in every table, with every column set where it can be. */
async function fill(db: Kysely<Database>): Promise<void> {
  const at = new Date('2026-11-23T10:00:00.000Z');
  await db
    .insertInto('clients')
    .values({
      client_id: 'client-1',
      name: 'svc',
      description: 'd',
      app_type: 'non_interactive',
      client_metadata: JSON.stringify({ k: 'v' }),
      properties: JSON.stringify({}),
      secret_hash: 'h',
      token_endpoint_auth_method: 'client_secret_post',
      grant_types: JSON.stringify(['client_credentials']),
      is_system: false,
      created_at: at,
      updated_at: at,
    })
    .execute();
  await db
    .insertInto('resource_servers')
    .values({
      id: 'rs-1',
      identifier: 'https://api.example.com',
      name: 'API',
      scopes: JSON.stringify([{ value: 'read:things', description: '' }]),
      token_lifetime: 3600,
      signing_alg: 'ES256',
      token_dialect: 'rfc9068',
      is_system: false,
    })
    .execute();
  await db
    .insertInto('client_grants')
    .values({
      id: 'cg-1',
      client_id: 'client-1',
      audience: 'https://api.example.com',
      scope: JSON.stringify(['read:things']),
      organization_usage: null,
      allow_any_organization: false,
      is_system: false,
    })
    .execute();
  await db
    .insertInto('signing_keys')
    .values({
      kid: 'k1',
      alg: 'ES256',
      status: 'previous',
      private_key: 'sealed',
      public_jwk: JSON.stringify({ kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }),
      thumbprint: 't',
      created_at: at,
      current_since: at,
      current_until: new Date('2026-11-23T10:30:00.123Z'),
      publish_until: new Date('2026-11-24T10:30:00.000Z'),
      revoked_at: null,
    })
    .execute();
  await insertSerializedLogs(db, [logRecord(1), logRecord(2)].map(serializeLogRecord));
  await putSetting(db, 'probe', { nested: [1, 'two', { three: true }], at: at.toISOString() });
  await db
    .insertInto('actions')
    .values({
      id: 'act-1',
      name: 'a',
      trigger_id: 'credentials-exchange',
      code: 'exports.x = 1',
      files: JSON.stringify({}),
      entry_path: null,
      runtime: 'node22',
      dependencies: JSON.stringify([{ name: 'lodash', version: '4' }]),
      secrets: 'sealed',
      secret_names: JSON.stringify([{ name: 'S', updated_at: at.toISOString() }]),
      deployed_version_id: 'ver-1',
    })
    .execute();
  await db
    .insertInto('action_versions')
    .values({
      id: 'ver-1',
      action_id: 'act-1',
      number: 1,
      code: 'exports.x = 1',
      files: JSON.stringify({}),
      entry_path: null,
      compiled: 'exports.x = 1',
      runtime: 'node22',
      secrets: 'sealed',
      settings: JSON.stringify({ bindings: ['m2m'] }),
    })
    .execute();
  await db
    .insertInto('trigger_bindings')
    .values({ id: 'tb-1', trigger_id: 'credentials-exchange', action_id: 'act-1', display_name: 'a', position: 0 })
    .execute();
}

const errorFields = (error: any) => ({
  isError: error instanceof Error,
  message: error.message,
  code: error.code,
  severity: error.severity,
  detail: error.detail,
  constraint: error.constraint,
  table: error.table,
});

describe('PGlite in a worker thread', () => {
  const dirs: string[] = [];
  after(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  test('rows, parameters and errors reach the main thread exactly as in-process PGlite gives them', async () => {
    const dataDir = await freshDataDir('minter-pglite-worker-');
    dirs.push(dataDir);
    const FAILING = [
      `insert into clients (client_id, name, secret_hash) values ('client-1', 'again', 'h')`,
      `insert into client_grants (id, client_id, audience) values ('cg-2', 'nobody', 'x')`,
      `select * from no_such_table`,
      `selec 1`,
    ];

    // Through the worker: migrations, a row in every table, then everything read back.
    const opened = await openDatabase({ dataDir });
    const viaWorker: unknown[] = [];
    const workerErrors: unknown[] = [];
    try {
      await fill(opened.db);
      for (const table of TABLES)
        viaWorker.push((await sql.raw(`select * from ${table} order by 1`).execute(opened.db)).rows);
      for (const [text, parameters] of PROBES)
        viaWorker.push((await opened.db.executeQuery(CompiledQuery.raw(text, parameters))).rows);
      for (const text of FAILING)
        workerErrors.push(
          await sql
            .raw(text)
            .execute(opened.db)
            .then(() => 'no error', errorFields),
        );
    } finally {
      await opened.close();
    }

    // The same files, opened by PGlite on this thread as Minter used to.
    const lite = await PGlite.create(join(dataDir, 'pglite'));
    const inProcess: unknown[] = [];
    const localErrors: unknown[] = [];
    try {
      for (const table of TABLES) inProcess.push((await lite.query(`select * from ${table} order by 1`)).rows);
      for (const [text, parameters] of PROBES) inProcess.push((await lite.query(text, parameters)).rows);
      for (const text of FAILING) localErrors.push(await lite.query(text).then(() => 'no error', errorFields));
    } finally {
      await lite.close();
    }

    // deepStrictEqual compares prototypes too: a Date stays a Date, a Uint8Array a Uint8Array, JSON plain objects.
    assert.deepStrictEqual(viaWorker, inProcess);
    const [clients, , , keys, logs] = viaWorker as any[][];
    assert.ok(clients![0].created_at instanceof Date);
    assert.deepStrictEqual(clients![0].client_metadata, { k: 'v' });
    assert.ok(keys![0].publish_until instanceof Date);
    assert.deepStrictEqual(logs![0].execution, {
      trigger_id: 'credentials-exchange',
      status: 'final',
      results: [{ claims: { n: 1 } }],
    });
    const bytes = (viaWorker.at(-1) as any[])[0];
    assert.deepStrictEqual(bytes.bytes, new Uint8Array([0, 1, 254, 255]));

    assert.deepStrictEqual(workerErrors, localErrors);
    assert.deepEqual(
      (workerErrors as any[]).map((e) => [e.isError, e.code]),
      [
        [true, '23505'],
        [true, '23503'],
        [true, '42P01'],
        [true, '42601'],
      ],
    );
    assert.equal((workerErrors[0] as any).message, 'duplicate key value violates unique constraint "clients_pkey"');
    assert.equal((workerErrors[0] as any).constraint, 'clients_pkey');
  });

  describe('one opened database', () => {
    let opened: OpenedDatabase;
    before(async () => {
      const dataDir = await freshDataDir('minter-pglite-worker-');
      dirs.push(dataDir);
      opened = await openDatabase({ dataDir });
    });
    after(() => opened?.close());

    test('a transaction keeps the one connection: other queries wait for it, and a rollback undoes its writes', async () => {
      const order: string[] = [];
      let outside: Promise<unknown> | undefined;
      await assert.rejects(
        opened.db.transaction().execute(async (trx) => {
          await putSetting(trx, 'in-transaction', 1);
          outside = sql`select count(*)::int as n from settings where key = 'in-transaction'`
            .execute(opened.db)
            .then((r) => {
              order.push('outside');
              return r.rows[0];
            });
          await sleep(50);
          order.push('transaction');
          throw new Error('roll back');
        }),
        /roll back/,
      );
      assert.deepEqual(await outside, { n: 0 });
      assert.deepEqual(order, ['transaction', 'outside']);
    });

    test('a parameter the structured clone cannot copy fails its query, and the connection goes on working', async () => {
      await assert.rejects(
        opened.db.executeQuery(CompiledQuery.raw('select $1::text as f', [() => 1])),
        /could not be cloned/,
      );
      assert.deepEqual((await sql<{ one: number }>`select 1 as one`.execute(opened.db)).rows, [{ one: 1 }]);
    });

    test('the event loop keeps turning while PGlite works: a 500-row log batch and a 300 ms pg_sleep', async () => {
      const loop = watchEventLoop(5);
      try {
        await sql`select pg_sleep(0.3)`.execute(opened.db);
        // On the main thread a pg_sleep blocks the loop for its whole length: not one tick would run.
        assert.ok(loop.ticks >= 20, `only ${loop.ticks} ticks of a 5 ms timer during a 300 ms pg_sleep`);
        assert.ok(loop.longestMs < 250, `the event loop stalled for ${loop.longestMs.toFixed(1)} ms`);
        await insertSerializedLogs(
          opened.db,
          Array.from({ length: 500 }, (_, i) => serializeLogRecord(logRecord(1000 + i))),
        );
        const { rows } = await sql<{
          n: number;
        }>`select count(*)::int as n from logs where log_id >= 'log_00001000'`.execute(opened.db);
        assert.equal(rows[0]!.n, 500);
      } finally {
        loop.stop();
      }
    });
  });

  test(
    'the worker thread lowers its own priority (nice 19 by default), and only its own',
    { skip: process.platform !== 'linux' && 'a nice value is per thread on Linux only' },
    async () => {
      /** Nice value of every thread of this process, from /proc (field 19 of stat, after the command name). */
      const niceByThread = async () => {
        const tids = await readdir('/proc/self/task');
        const entries = await Promise.all(
          tids.map(async (tid) => {
            const stat = await readFile(`/proc/self/task/${tid}/stat`, 'utf8').catch(() => '');
            const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
            return [tid, Number(fields[16])] as const;
          }),
        );
        return new Map(entries.filter(([, nice]) => Number.isInteger(nice)));
      };
      const own = getPriority();
      for (const [asked, expected] of [
        [undefined, 19],
        [5, 5],
        [0, own],
      ] as const) {
        const dataDir = await freshDataDir('minter-pglite-nice-');
        dirs.push(dataDir);
        const before = await niceByThread();
        const pool = await pgliteWorkerPool(join(dataDir, 'pglite'), asked);
        try {
          assert.equal(pool.nice, expected, `asked ${String(asked)}`);
          const after = await niceByThread();
          const newAtExpected = [...after].filter(([tid, nice]) => !before.has(tid) && nice === expected);
          if (expected !== own) {
            assert.equal(newAtExpected.length, 1, `one new thread at nice ${expected}: ${JSON.stringify([...after])}`);
          }
          assert.equal(after.get(String(process.pid)), own, 'the main thread keeps its priority');
          for (const [tid, nice] of before)
            if (after.has(tid)) assert.equal(after.get(tid), nice, `thread ${tid} untouched`);
        } finally {
          await pool.end();
        }
      }
    },
  );

  test('a worker that dies fails the queries under way and every later one, and close() still resolves', async () => {
    const dataDir = await freshDataDir('minter-pglite-worker-');
    dirs.push(dataDir);
    const pool = await pgliteWorkerPool(join(dataDir, 'pglite'));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    const started = Date.now();
    const pending = sql`select pg_sleep(5)`.execute(db);
    await sleep(100);
    await pool.worker.terminate();
    await assert.rejects(pending, /PGlite worker exited unexpectedly \(exit code 1\)/);
    assert.ok(Date.now() - started < 3000, 'the pending query waited for the sleep instead of failing at once');
    await assert.rejects(sql`select 1`.execute(db), /PGlite worker exited unexpectedly/);
    await db.destroy();
  });

  test('after close(), queries fail with "closed" and PGlite has released its files', async () => {
    const dataDir = await freshDataDir('minter-pglite-worker-');
    dirs.push(dataDir);
    const first = await openDatabase({ dataDir });
    await putSetting(first.db, 'kept', true);
    await first.close();
    await assert.rejects(sql`select 1`.execute(first.db), /closed|destroyed/);
    const second = await openDatabase({ dataDir });
    try {
      assert.deepEqual((await sql`select value from settings where key = 'kept'`.execute(second.db)).rows, [
        { value: true },
      ]);
    } finally {
      await second.close();
    }
  });

  test('a new, empty data directory is initialised (by a worker that then ends), opened again, and keeps what is written', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'minter-pglite-worker-'));
    dirs.push(dataDir);
    const first = await openDatabase({ dataDir });
    try {
      assert.match(
        await readFile(join(dataDir, 'pglite', 'PG_VERSION'), 'utf8'),
        /^\d+\n$/,
        'initdb made it a PostgreSQL data directory',
      );
      await putSetting(first.db, 'kept', 'from the first open');
    } finally {
      await first.close();
    }
    const second = await openDatabase({ dataDir });
    try {
      assert.deepEqual((await sql`select value from settings where key = 'kept'`.execute(second.db)).rows, [
        { value: 'from the first open' },
      ]);
    } finally {
      await second.close();
    }
  });

  test('a data directory PGlite cannot open rejects openDatabase with its error', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'minter-pglite-worker-'));
    dirs.push(dataDir);
    await mkdir(join(dataDir, 'pglite'));
    await writeFile(join(dataDir, 'pglite', 'PG_VERSION'), 'not a version\n');
    await assert.rejects(
      openDatabase({ dataDir }),
      (error: Error) => error instanceof Error && error.message.length > 0,
    );
  });

  for (const closing of [true, false]) {
    test(`a script's top-level await survives a query in flight, and the process exits by itself ${closing ? 'after close()' : 'without close()'}`, async () => {
      const dataDir = await freshDataDir('minter-pglite-worker-');
      dirs.push(dataDir);
      const database = new URL('../../src/store/database.js', import.meta.url).href;
      const script = `
        const { openDatabase } = await import(${JSON.stringify(database)});
        const { sql } = await import('kysely');
        const opened = await openDatabase({ dataDir: ${JSON.stringify(dataDir)} });
        const { rows } = await sql\`select pg_sleep(0.2), 41 + 1 as answer\`.execute(opened.db);
        console.log('answer', rows[0].answer);
        ${closing ? 'await opened.close(); console.log("closed");' : ''}
      `;
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
        cwd: fileURLToPath(new URL('../../..', import.meta.url)),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk));
      child.stderr.on('data', (chunk: Buffer) => (err += chunk));
      const timeout = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
        child.on('exit', (c, s) => resolve([c, s])),
      );
      clearTimeout(timeout);
      assert.deepEqual(
        { code, signal, out: out.trim().split('\n') },
        { code: 0, signal: null, out: closing ? ['answer 42', 'closed'] : ['answer 42'] },
        err,
      );
    });
  }
});
