/**
 * Lets Kysely's PostgreSQL dialect drive an embedded PGlite database. PGlite is one connection, so `connect()`
 * hands it out to one caller at a time (a transaction keeps it until `release()`).
 */
import type { PGlite } from '@electric-sql/pglite';
import type { PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';

const COMMANDS = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE', 'SELECT']);

/** A pool of one over a PGlite instance. */
export function pglitePool(db: PGlite): PostgresPool {
  let queue: Promise<void> = Promise.resolve();
  return {
    async connect(): Promise<PostgresPoolClient> {
      let release!: () => void;
      const previous = queue;
      queue = new Promise<void>((resolve) => (release = resolve));
      await previous;
      const client = {
        async query<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>> {
          const result = await db.query<R>(sql, parameters as unknown[]);
          const verb = sql.trimStart().slice(0, 6).toUpperCase();
          const command = (COMMANDS.has(verb) ? verb : 'SELECT') as PostgresQueryResult<R>['command'];
          return { command, rowCount: result.affectedRows ?? result.rows.length, rows: result.rows };
        },
        release,
      };
      return client as PostgresPoolClient;
    },
    async end() {
      await db.close();
    },
  };
}
