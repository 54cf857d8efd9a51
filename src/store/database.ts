/**
 * Opens the one storage Minter has: embedded PGlite under the data directory, or PostgreSQL from DATABASE_URL.
 * Both speak the same SQL; migrations run before anything else touches the database. PGlite runs in a worker
 * thread (`pglite-pool.ts`, `pglite-worker.ts`), never on the thread that serves requests.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Kysely, Migrator, PostgresDialect } from 'kysely';
import type { Database } from './schema.js';
import { migrationProvider } from './migrations/index.js';
import { pgliteWorkerPool, type PgliteWorkerPool } from './pglite-pool.js';

export type Db = Kysely<Database>;

/** How long a PostgreSQL query waits to get a connection (to open one, or for one of the pool's 10), in ms. */
export const CONNECT_TIMEOUT_MS = 10_000;

export interface OpenedDatabase {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** Embedded PGlite's worker pool (diagnostics and tests); undefined on PostgreSQL. */
  pglite?: PgliteWorkerPool;
  close(): Promise<void>;
}

/** Opens and migrates the database. */
export async function openDatabase(options: {
  databaseUrl?: string;
  dataDir: string;
  pgliteNice?: number;
}): Promise<OpenedDatabase> {
  let dialect: PostgresDialect;
  let kind: OpenedDatabase['kind'];
  let pglite: PgliteWorkerPool | undefined;
  if (options.databaseUrl) {
    const pg = await import('pg');
    // timestamptz → Date and jsonb → objects are pg's defaults; int8 stays a string, and Minter stores none.
    // connectionTimeoutMillis bounds both opening a connection and waiting for a free one: a database that does not
    // answer (a dropped route, a full pool) fails the request in 10 s, a 503 (error-handler.ts), instead of holding it.
    const pool = new pg.default.Pool({
      connectionString: options.databaseUrl,
      max: 10,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    });
    // A connection the server or the network drops (a restart, a terminated backend, a reset) is reported as an
    // 'error' event: on the pool while the connection is idle, on the client itself while it is checked out (pg-pool
    // removes its own listener on acquire, and pg emits 'error' even when a query in flight also receives it).
    // Without a listener either is an uncaught exception that ends the process, so both are listened to: the query
    // in flight fails with its own error, and the pool drops the connection on release and opens a new one.
    pool.on('error', () => {});
    pool.on('connect', (client) => client.on('error', () => {}));
    dialect = new PostgresDialect({ pool });
    kind = 'postgres';
  } else {
    const dir = join(options.dataDir, 'pglite');
    await mkdir(dir, { recursive: true });
    // PGlite parses timestamptz → Date and jsonb → objects in the worker; the structured clone keeps both.
    pglite = await pgliteWorkerPool(dir, options.pgliteNice);
    dialect = new PostgresDialect({ pool: pglite });
    kind = 'pglite';
  }
  const db = new Kysely<Database>({ dialect });
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    await db.destroy();
    throw new Error(
      `database migration ${failed?.migrationName ?? ''} failed: ${String((error as Error)?.message ?? error)}`,
    );
  }
  return { db, kind, ...(pglite && { pglite }), close: () => db.destroy() };
}
