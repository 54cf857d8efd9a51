/**
 * The audit log cannot be turned off from outside (issue 11, finding 2). PostgreSQL's jsonb refuses `\u0000` and
 * unpaired UTF-16 surrogates; one unauthenticated request carrying either (or an action printing one) used to make
 * every later log batch fail until restart. Every string that reaches a record is now made storable (NUL and lone
 * surrogates become U+FFFD, counted in the record's `details.replaced_unstorable_characters`), so the hostile
 * requests leave readable records and the normal tokens after them are logged within the flush interval. Run through
 * the real server on PGlite and on PostgreSQL.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { decodeJwt } from 'jose';
import { bind, deployAction } from '../helpers/actions.js';
import { getToken, postToken, provision, startMinter, type RunningMinter, type Storage } from '../helpers/minter.js';
import { skipWithoutPostgres } from '../helpers/postgres.js';

/** How long the test waits for a record at most (ms): many flush intervals (50 ms here), not a timing claim. */
const PATIENCE_MS = 5000;

/** The action prints NUL and a lone surrogate and names a claim with a NUL, for clients whose metadata asks. */
const HOSTILE_ACTION = String.raw`
exports.onExecuteCredentialsExchange = async (event, api) => {
  if (event.client.metadata.hostile !== 'yes') return;
  console.log('a\u0000b');
  console.log('lone \ud800 high, lone \udc00 low');
  api.accessToken.setCustomClaim('https://example.com/n\u0000l', 'v\u0000');
};`;

for (const storage of ['pglite', 'postgres'] as Storage[]) {
  describe(
    `the audit log survives hostile strings (${storage})`,
    { skip: storage === 'postgres' && skipWithoutPostgres },
    () => {
      let m: RunningMinter;
      let normal: Awaited<ReturnType<typeof provision>>;
      let hostile: Awaited<ReturnType<typeof provision>>;

      before(async () => {
        m = await startMinter({ storage });
        normal = await provision(m);
        hostile = await provision(m, { metadata: { hostile: 'yes' } });
        await bind(m, 'credentials-exchange', [await deployAction(m, { name: 'prints-nul', code: HOSTILE_ACTION })]);
      });
      after(() => m?.close());

      /** The records of `query`, waiting until `ready` holds for them or {@link PATIENCE_MS} has passed. */
      async function logsWhen(query: string, ready: (records: any[]) => boolean): Promise<any[]> {
        const until = Date.now() + PATIENCE_MS;
        for (;;) {
          const response = await m.api('GET', `/logs?${query}&per_page=100`);
          assert.equal(response.status, 200, JSON.stringify(response.body));
          if (ready(response.body) || Date.now() > until) return response.body;
          await sleep(50);
        }
      }

      test('NUL, lone surrogates and an action printing them: their records are stored readable, normal tokens after them logged', async () => {
        const valid = {
          grant_type: 'client_credentials',
          client_id: normal.clientId,
          client_secret: normal.clientSecret,
          audience: normal.identifier,
        };
        // Unauthenticated, form-encoded NUL in grant_type.
        const nulGrant = await postToken(
          m.baseUrl,
          `grant_type=client_credentials%00&client_id=${normal.clientId}&client_secret=x`,
        );
        assert.equal(nulGrant.status, 400);
        assert.equal(nulGrant.body.error, 'unsupported_grant_type');
        // Unauthenticated, JSON with an unpaired high surrogate as client_id.
        const surrogateId = await postToken(
          m.baseUrl,
          '{"grant_type":"client_credentials","client_id":"evil\\ud800","client_secret":"x"}',
          {
            contentType: 'application/json',
          },
        );
        assert.equal(surrogateId.status, 401);
        // Authenticated, an unpaired low surrogate in the audience.
        const surrogateAudience = await postToken(
          m.baseUrl,
          JSON.stringify({ ...valid, audience: 'https://api.example.com/\udc00' }),
          {
            contentType: 'application/json',
          },
        );
        assert.equal(surrogateAudience.status, 403);
        // Not a NUL: a backslash followed by "u0000", kept exactly as sent.
        const backslash = await postToken(m.baseUrl, { ...valid, client_id: 'literal\\u0000', client_secret: 'x' });
        assert.equal(backslash.status, 401);
        // The action prints NUL and lone surrogates for the hostile client; its token is still issued.
        const hostileToken = await getToken(m.baseUrl, hostile, hostile.identifier);

        const jtis = new Set<string>();
        for (let i = 0; i < 3; i++)
          jtis.add(String(decodeJwt((await getToken(m.baseUrl, normal, normal.identifier)).access_token).jti));

        const seccft = await logsWhen(
          `type=seccft&client_id=${normal.clientId}`,
          (records) => records.length >= jtis.size,
        );
        assert.deepEqual(
          new Set(seccft.map((r) => r.details.jti)),
          jtis,
          'the normal tokens after the hostile requests are logged',
        );

        const failures = await logsWhen('type=feccft', (records) => records.length >= 4);
        const byClient = (id: string) => failures.filter((r) => r.client_id === id);
        const [nul] = failures.filter((r) => r.details.error === 'unsupported_grant_type');
        assert.equal(
          nul?.description,
          'Grant type "client_credentials\ufffd" is not supported; use client_credentials',
        );
        assert.equal(nul?.details.replaced_unstorable_characters, 1);
        const [surrogate] = byClient('evil\ufffd');
        assert.equal(surrogate?.details.error, 'invalid_client');
        assert.equal(surrogate?.details.replaced_unstorable_characters, 1);
        const [audience] = failures.filter((r) => r.audience === 'https://api.example.com/\ufffd');
        assert.equal(audience?.description, 'Service not found: https://api.example.com/\ufffd');
        assert.equal(
          audience?.details.replaced_unstorable_characters,
          2,
          'the audience and the description that quotes it',
        );
        const [literal] = byClient('literal\\u0000');
        assert.equal(literal?.details.error, 'invalid_client', 'an escaped backslash is text, not a NUL');
        assert.equal(literal?.details.replaced_unstorable_characters, undefined);

        const [record] = await logsWhen(`type=seccft&client_id=${hostile.clientId}`, (records) => records.length === 1);
        assert.equal(record?.details.jti, decodeJwt(hostileToken.access_token).jti);
        assert.ok(Number(record?.details.replaced_unstorable_characters) >= 4, JSON.stringify(record?.details));
        const execution = await m.api('GET', `/actions/executions/${record.execution_id}`);
        assert.equal(execution.status, 200);
        const [result] = execution.body.results;
        assert.deepEqual(
          result.logs.map((l: { message: string }) => l.message),
          ['a\ufffdb', 'lone \ufffd high, lone \ufffd low'],
        );
        assert.deepEqual(result.claims_set, ['https://example.com/n\ufffdl']);

        const metrics = await (await fetch(`${m.baseUrl}/metrics`)).text();
        assert.match(metrics, /^minter_log_records_rejected_total 0$/m, 'nothing left for the database to refuse');
      });

      test('an attacker repeating the NUL request does not hold the log: every normal token in between is logged', async () => {
        const jtis = new Set<string>();
        for (let i = 0; i < 5; i++) {
          assert.equal((await postToken(m.baseUrl, 'grant_type=%00&client_id=%00&audience=%ED%A0%80')).status, 400);
          jtis.add(String(decodeJwt((await getToken(m.baseUrl, normal, normal.identifier)).access_token).jti));
        }
        const records = await logsWhen(`type=seccft&client_id=${normal.clientId}`, (rs) =>
          [...jtis].every((jti) => rs.some((r) => r.details.jti === jti)),
        );
        const logged = new Set(records.map((r) => r.details.jti));
        assert.deepEqual(
          [...jtis].filter((jti) => !logged.has(jti)),
          [],
        );
      });
    },
  );
}
