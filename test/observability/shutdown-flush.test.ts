/**
 * DESIGN: "Writes that follow a token (its log record, the execution record) are batched off the request path,
 * and flushed on shutdown." Minter runs as its own process (`npm start`'s command) with a flush interval long
 * enough that nothing is written on its own; SIGTERM must exit 0 after writing every buffered record, and the
 * next start must show them all. Run on PGlite and on PostgreSQL.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { decodeJwt } from 'jose';
import {
  callApi,
  freeLoopbackPort,
  getToken,
  seedPgliteDataDir,
  spawnMinter,
  type MinterProcess,
  type Storage,
} from '../helpers/minter.js';
import { createTestDatabase, skipWithoutPostgres, type TestDatabase } from '../helpers/postgres.js';

const N = 25;

for (const storage of ['pglite', 'postgres'] as Storage[]) {
  describe(`log records survive a graceful shutdown (${storage})`, { skip: storage === 'postgres' && skipWithoutPostgres }, () => {
    let dataDir: string;
    let database: TestDatabase | undefined;
    let env: Record<string, string>;
    const running: MinterProcess[] = [];
    const admin = { clientId: 'shutdown-admin', clientSecret: 'shutdown-admin-secret-0123456789' };

    before(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'minter-shutdown-'));
      if (storage === 'postgres') database = await createTestDatabase();
      else await seedPgliteDataDir(dataDir);
      const port = String(await freeLoopbackPort());
      env = {
        PORT: port,
        MINTER_ISSUER: `http://127.0.0.1:${port}`,
        MINTER_DATA_DIR: dataDir,
        MINTER_ADMIN_CLIENT_ID: admin.clientId,
        MINTER_ADMIN_CLIENT_SECRET: admin.clientSecret,
        // Nothing is written on its own: no timer flush in this test's lifetime, no batch fills up.
        MINTER_LOG_FLUSH_MS: '60000',
        MINTER_LOG_BATCH_SIZE: '500',
        ...(database && { DATABASE_URL: database.url }),
      };
    });
    after(async () => {
      for (const p of running) await p.stop('SIGKILL');
      await database?.drop();
      await rm(dataDir, { recursive: true, force: true });
    });

    test(`SIGTERM exits 0 after writing all ${N} buffered seccft records; the next start shows them`, async () => {
      const first = await spawnMinter(env);
      running.push(first);
      const audience = `${env.MINTER_ISSUER}/api/v2/`;
      const jtis = new Set<string>();
      for (let i = 0; i < N; i++) {
        const { access_token } = await getToken(first.baseUrl, admin, audience);
        jtis.add(String(decodeJwt(access_token).jti));
      }
      const { code, signal } = await first.stop('SIGTERM');
      assert.deepEqual({ code, signal }, { code: 0, signal: null }, first.output().stderr);

      const second = await spawnMinter(env);
      running.push(second);
      const { access_token } = await getToken(second.baseUrl, admin, audience);
      const response = await callApi<Array<{ type: string; client_id: string; details: { jti?: string } }>>(
        second.baseUrl,
        access_token,
        'GET',
        `/logs?type=seccft&client_id=${admin.clientId}&per_page=100`,
      );
      assert.equal(response.status, 200, response.text);
      const written = response.body.map((r) => String(r.details.jti)).filter((jti) => jtis.has(jti));
      assert.equal(written.length, N, `${written.length} of ${N} records written before exit`);
      assert.equal(new Set(written).size, N, 'each exactly once');
      assert.deepEqual((await second.stop('SIGTERM')).code, 0);
    });
  });
}
