/**
 * Migrations: applied once, in order, and idempotent — opening the same storage again (a restart) applies
 * nothing twice and keeps the data; several instances starting together on one PostgreSQL database migrate it
 * once (Kysely's migration lock). Run on PGlite and on PostgreSQL.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { openDatabase } from '../../src/store/database.js';
import { migrationProvider } from '../../src/store/migrations/index.js';
import { getSetting, putSetting } from '../../src/store/settings.js';
import { seedPgliteDataDir, type Storage } from '../helpers/minter.js';
import { createTestDatabase, skipWithoutPostgres, type TestDatabase } from '../helpers/postgres.js';

for (const storage of ['pglite', 'postgres'] as Storage[]) {
  describe(`migrations (${storage})`, { skip: storage === 'postgres' && skipWithoutPostgres }, () => {
    let dataDir: string;
    let pg: TestDatabase | undefined;
    const open = () => openDatabase({ dataDir, ...(pg && { databaseUrl: pg.url }) });
    before(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'minter-migrations-'));
      if (storage === 'postgres') pg = await createTestDatabase();
      else await seedPgliteDataDir(dataDir);
    });
    after(async () => {
      await pg?.drop();
      await rm(dataDir, { recursive: true, force: true });
    });

    const applied = async (db: Awaited<ReturnType<typeof open>>['db']) =>
      (await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db)).rows.map(
        (r) => r.name,
      );

    test('a second open of the same storage applies nothing again and keeps the data', async () => {
      const expected = Object.keys(await migrationProvider.getMigrations()).sort();
      const first = await open();
      assert.deepEqual(await applied(first.db), expected);
      await putSetting(first.db, 'probe', { kept: true });
      await first.close();

      const second = await open();
      try {
        assert.deepEqual(await applied(second.db), expected);
        assert.deepEqual(await getSetting(second.db, 'probe'), { kept: true });
      } finally {
        await second.close();
      }
    });

    test(
      'several instances opening one PostgreSQL database at once migrate it once',
      { skip: storage === 'pglite' && 'PGlite is one process' },
      async () => {
        const fresh = await createTestDatabase();
        try {
          const opened = await Promise.all([1, 2, 3].map(() => openDatabase({ dataDir, databaseUrl: fresh.url })));
          try {
            const expected = Object.keys(await migrationProvider.getMigrations()).sort();
            assert.deepEqual(await applied(opened[0]!.db), expected);
          } finally {
            await Promise.all(opened.map((o) => o.close()));
          }
        } finally {
          await fresh.drop();
        }
      },
    );
  });
}
