/**
 * A PostgreSQL outage under token traffic (issue 11, finding 6: every failed log flush printed a stack trace, 1,019
 * lines in a 15 s outage). Minter runs as its own process and reaches PostgreSQL through a TCP proxy the test cuts
 * for `OUTAGE_MS` while tokens keep being issued: the log writer says so in one line without a stack, retries on
 * its timer only, says when writes succeed again, and every acknowledged token's record is written afterwards.
 * Set MINTER_TEST_OUTAGE_MS to measure a longer outage. Needs DATABASE_URL.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import {
  childMinterSetup,
  getToken,
  postToken,
  spawnMinter,
  type ChildMinterSetup,
  type MinterProcess,
} from '../helpers/minter.js';
import { skipWithoutPostgres } from '../helpers/postgres.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

const OUTAGE_MS = Number(process.env.MINTER_TEST_OUTAGE_MS ?? 3000);

describe('a PostgreSQL outage under token traffic', { skip: skipWithoutPostgres }, () => {
  const admin = { clientId: 'outage-admin', clientSecret: 'outage-admin-secret-0123456789abcdef' };
  let setup: ChildMinterSetup;
  let proxy: TcpProxy;
  let minter: MinterProcess;

  before(async () => {
    setup = await childMinterSetup('postgres', admin);
    const url = new URL(setup.env.DATABASE_URL!);
    proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    // The default flush interval; the configuration poll out of the way (the log writer is what is measured).
    minter = await spawnMinter({
      ...setup.env,
      DATABASE_URL: url.toString(),
      MINTER_LOG_LEVEL: 'info',
      MINTER_CONFIG_POLL_MS: '600000',
    });
    setup.running.push(minter);
  });
  after(async () => {
    await setup?.cleanup();
    await proxy?.close();
  });

  const timeout = OUTAGE_MS + 120_000;
  test(
    `a ${OUTAGE_MS} ms outage: one error line without a stack, one when writes resume, every acknowledged token's record written`,
    { timeout },
    async () => {
      const audience = `${setup.env.MINTER_ISSUER}/api/v2/`;
      const form = {
        grant_type: 'client_credentials',
        client_id: admin.clientId,
        client_secret: admin.clientSecret,
        audience,
      };
      let issued = 0;
      let failed = 0;
      let running = true;
      const traffic = Array.from({ length: 4 }, async () => {
        while (running) {
          try {
            const response = await postToken(minter.baseUrl, form);
            if (response.status === 200) issued++;
            else failed++;
          } catch {
            failed++;
            return;
          }
        }
      });
      let issuedDuringOutage: number;
      let linesBefore: number;
      try {
        await sleep(500);
        linesBefore = minter.output().stdout.split('\n').length;
        proxy.cut();
        await sleep(OUTAGE_MS);
        issuedDuringOutage = issued;
        proxy.restore();
        const until = Date.now() + 30_000;
        while (!minter.output().stdout.includes('batch writes succeed again') && Date.now() < until) await sleep(100);
      } finally {
        running = false;
        await Promise.all(traffic);
      }

      const lines = minter
        .output()
        .stdout.split('\n')
        .slice(linesBefore - 1)
        .filter((l) => l.trim() !== '');
      const writerLines = lines.filter((l) => l.includes('"writer":"logs"'));
      const stacks = lines.filter((l) => l.includes('"stack"'));
      const frames = stacks.reduce((n, l) => n + l.split('\\n    at ').length - 1, 0);
      process.stdout.write(
        `# outage ${OUTAGE_MS} ms: ${issuedDuringOutage} tokens issued by its end, ${failed} failed; ${lines.length} log lines, ` +
          `${stacks.length} with a stack trace (${frames} frames); first: ${lines[0]}\n`,
      );
      assert.equal(failed, 0, 'tokens never wait for, or fail with, the database');
      assert.equal(writerLines.filter((l) => l.includes('batch write failed; will retry')).length, 1);
      assert.equal(writerLines.filter((l) => l.includes('batch writes succeed again')).length, 1);
      assert.equal(lines.filter((l) => l.includes('"stack"')).length, 0, 'no stack trace');
      assert.equal(minter.output().stderr, '');

      const token = (await getToken(minter.baseUrl, admin, audience)).access_token;
      const total = async () => {
        const response = await fetch(
          `${minter.baseUrl}/api/v2/logs?type=seccft&client_id=${admin.clientId}&include_totals=true&per_page=1`,
          {
            headers: { authorization: `Bearer ${token}` },
          },
        );
        return ((await response.json()) as { total: number }).total;
      };
      // Every token acknowledged before, during and after the outage, plus the one just taken to ask.
      const deadline = Date.now() + 10_000;
      while ((await total()) < issued + 1 && Date.now() < deadline) await sleep(200);
      assert.equal(await total(), issued + 1);
    },
  );
});
