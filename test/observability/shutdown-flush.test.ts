/**
 * DESIGN: "Writes that follow a token (its log record, the execution record) are batched off the request path,
 * and flushed on shutdown." Minter runs as its own process (`npm start`'s command) with a flush interval long
 * enough that nothing is written on its own; SIGTERM must exit 0 after writing every buffered record, and the
 * next start must show them all. Run on PGlite and on PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decodeJwt } from 'jose';
import {
  callApi,
  childMinterSetup,
  getToken,
  spawnMinter,
  type ChildMinterSetup,
  type Storage,
} from '../helpers/minter.js';
import { skipWithoutPostgres } from '../helpers/postgres.js';

const N = 25;

for (const storage of ['pglite', 'postgres'] as Storage[]) {
  describe(
    `log records survive a graceful shutdown (${storage})`,
    { skip: storage === 'postgres' && skipWithoutPostgres },
    () => {
      let setup: ChildMinterSetup;
      let env: Record<string, string>;
      const admin = { clientId: 'shutdown-admin', clientSecret: 'shutdown-admin-secret-0123456789' };

      before(async () => {
        // Nothing is written on its own: no timer flush in this test's lifetime, no batch fills up.
        setup = await childMinterSetup(storage, admin, { MINTER_LOG_FLUSH_MS: '60000', MINTER_LOG_BATCH_SIZE: '500' });
        env = setup.env;
      });
      after(() => setup.cleanup());

      test(`SIGTERM exits 0 after writing all ${N} buffered seccft records; the next start shows them`, async () => {
        const first = await spawnMinter(env);
        setup.running.push(first);
        const audience = `${env.MINTER_ISSUER}/api/v2/`;
        const jtis = new Set<string>();
        for (let i = 0; i < N; i++) {
          const { access_token } = await getToken(first.baseUrl, admin, audience);
          jtis.add(String(decodeJwt(access_token).jti));
        }
        const { code, signal } = await first.stop('SIGTERM');
        assert.deepEqual({ code, signal }, { code: 0, signal: null }, first.output().stderr);

        const second = await spawnMinter(env);
        setup.running.push(second);
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
    },
  );
}
