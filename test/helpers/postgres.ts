/**
 * A fresh PostgreSQL database per test file, on the server DATABASE_URL names; dropped at the end.
 * Without DATABASE_URL the PostgreSQL variants of the tests are skipped (and reported as such).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const postgresUrl = process.env.DATABASE_URL;

/** `skip` option for node:test when PostgreSQL is not available. */
export const skipWithoutPostgres = postgresUrl ? false : 'DATABASE_URL is not set';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  if (!postgresUrl) throw new Error('DATABASE_URL is not set');
  const name = `minter_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(postgresUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: postgresUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}
