/**
 * Token request records (`/api/v2/logs`, Auth0's log event shape): every token request leaves one — `seccft`
 * ("Success Exchange: Client Credentials for Access Token") or `feccft` (failed exchange) with the reason. Filters
 * as parameters or as `q` (`type:feccft AND client_id:…`), paging by `page`/`per_page` and by checkpoint
 * (`from` + `take`: Auth0 returns the records *newer* than `from`, ordered by log_id). Run on PGlite and on
 * PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import {
  assertManagementError,
  postToken,
  provision,
  startMinter,
  type RunningMinter,
  type Storage,
} from '../helpers/minter.js';
import { skipWithoutPostgres } from '../helpers/postgres.js';

interface LogView {
  log_id: string;
  date: string;
  type: string;
  description: string | null;
  client_id: string | null;
  client_name: string | null;
  audience: string | null;
  scope: string | null;
  ip: string | null;
  user_agent: string | null;
  hostname: string | null;
  execution_id: string | null;
  details: Record<string, unknown>;
}

const USER_AGENT = 'minter-tests/1.0';

for (const storage of ['pglite', 'postgres'] as Storage[]) {
  describe(`token request logs (${storage})`, { skip: storage === 'postgres' && skipWithoutPostgres }, () => {
    let m: RunningMinter;
    let app: Awaited<ReturnType<typeof provision>>;
    let token: string;
    const headers = { 'user-agent': USER_AGENT };

    before(async () => {
      m = await startMinter({ storage });
      app = await provision(m);
      // Oldest to newest: a success, a wrong secret, an unknown audience.
      const valid = {
        grant_type: 'client_credentials',
        client_id: app.clientId,
        client_secret: app.clientSecret,
        audience: app.identifier,
      };
      const ok = await postToken(m.baseUrl, valid, { headers });
      assert.equal(ok.status, 200);
      token = ok.body.access_token;
      assert.equal((await postToken(m.baseUrl, { ...valid, client_secret: 'wrong' }, { headers })).status, 401);
      assert.equal(
        (await postToken(m.baseUrl, { ...valid, audience: 'https://nowhere.example.com' }, { headers })).status,
        403,
      );
    });
    after(() => m?.close());

    const logs = async (query: string) => {
      const response = await m.api<LogView[]>('GET', `/logs?${query}`);
      assert.equal(response.status, 200, JSON.stringify(response.body));
      return response.body;
    };

    test('a successful request leaves a seccft record with client, API, scope, kid and jti', async () => {
      const records = await logs(`type=seccft&client_id=${app.clientId}`);
      assert.equal(records.length, 1);
      const { log_id, date, ...record } = records[0]!;
      assert.match(log_id, /^[0-9a-f]{32}$/);
      assert.ok(Math.abs(Date.parse(date) - Date.now()) < 60_000);
      assert.deepEqual(record, {
        type: 'seccft',
        description: 'Client Credentials for Access Token',
        client_id: app.clientId,
        client_name: 'svc',
        audience: app.identifier,
        scope: 'read:things write:things',
        ip: '127.0.0.1',
        user_agent: USER_AGENT,
        hostname: '127.0.0.1',
        execution_id: null,
        details: { kid: decodeProtectedHeader(token).kid, jti: decodeJwt(token).jti },
      });
      assert.deepEqual(
        (await m.api('GET', `/logs/${log_id}`)).body,
        records[0],
        'GET /logs/{id} answers the same record',
      );
    });

    test('a failed request leaves a feccft record with the reason in description and details.error', async () => {
      const records = await logs(`type=feccft&client_id=${app.clientId}`);
      assert.deepEqual(
        records.map(({ log_id: _, date: __, ...rest }) => rest),
        [
          {
            type: 'feccft',
            description: 'Service not found: https://nowhere.example.com',
            client_id: app.clientId,
            client_name: 'svc',
            audience: 'https://nowhere.example.com',
            scope: null,
            ip: '127.0.0.1',
            user_agent: USER_AGENT,
            hostname: '127.0.0.1',
            execution_id: null,
            details: { error: 'access_denied', status: 403 },
          },
          {
            type: 'feccft',
            description: 'Client authentication failed',
            client_id: app.clientId,
            client_name: null,
            audience: app.identifier,
            scope: null,
            ip: '127.0.0.1',
            user_agent: USER_AGENT,
            hostname: '127.0.0.1',
            execution_id: null,
            // The client got "Client authentication failed" alone; the operator reads which check failed.
            details: { error: 'invalid_client', status: 401, reason: 'wrong client_secret' },
          },
        ],
        'newest first',
      );
    });

    test('a request refused before its parameters are read (malformed JSON, a body over 16 KB) leaves a feccft record too', async () => {
      const agents = { json: `${USER_AGENT} malformed-json`, large: `${USER_AGENT} too-large` };
      assert.equal(
        (
          await postToken(m.baseUrl, '{"grant_type":', {
            contentType: 'application/json',
            headers: { 'user-agent': agents.json },
          })
        ).status,
        400,
      );
      const large = { grant_type: 'client_credentials', padding: 'x'.repeat(20 * 1024) };
      assert.equal((await postToken(m.baseUrl, large, { headers: { 'user-agent': agents.large } })).status, 400);
      const failures = await logs('type=feccft&per_page=100');
      for (const [agent, description] of [
        [agents.json, 'The request body is not valid JSON'],
        [agents.large, 'The request body is too large'],
      ] as const) {
        const record = failures.find((r) => r.user_agent === agent);
        assert.ok(record, `no feccft record for the request with user-agent "${agent}"`);
        assert.deepEqual(
          { description: record.description, client_id: record.client_id, details: record.details },
          { description, client_id: null, details: { error: 'invalid_request', status: 400 } },
        );
      }
    });

    test('q "type:feccft AND client_id:…" filters like the parameters; values may be quoted', async () => {
      const byParams = await logs(`type=feccft&client_id=${app.clientId}`);
      assert.deepEqual(await logs(`q=${encodeURIComponent(`type:feccft AND client_id:${app.clientId}`)}`), byParams);
      assert.deepEqual(await logs(`q=${encodeURIComponent(`type:"feccft" client_id:"${app.clientId}"`)}`), byParams);
    });

    test('q with a field Minter does not filter on is 400 naming the field', async () => {
      assertManagementError(
        await m.api('GET', `/logs?q=${encodeURIComponent('user_id:abc')}`),
        400,
        'Bad Request',
        'q: unknown field "user_id"; use type, client_id, audience, ip, execution_id',
        'invalid_query_string',
      );
      assertManagementError(
        await m.api('GET', `/logs?q=${encodeURIComponent('type:seccft OR type:feccft')}`),
        400,
        'Bad Request',
        'q: cannot read "OR type:feccft"; write field:value terms joined by AND',
        'invalid_query_string',
      );
    });

    test('page/per_page page through the records newest first; include_totals adds start, limit, length, total', async () => {
      const all = await logs(`client_id=${app.clientId}`);
      assert.equal(all.length, 3);
      assert.deepEqual(await logs(`client_id=${app.clientId}&per_page=2&page=0`), all.slice(0, 2));
      assert.deepEqual(await logs(`client_id=${app.clientId}&per_page=2&page=1`), all.slice(2));
      const totals = (await m.api('GET', `/logs?client_id=${app.clientId}&per_page=2&page=1&include_totals=true`)).body;
      assert.deepEqual(totals, { start: 2, limit: 2, length: 1, total: 3, logs: all.slice(2) });
      assert.deepEqual(
        await logs(`client_id=${app.clientId}&sort=${encodeURIComponent('date:1')}`),
        [...all].reverse(),
      );
    });

    test('checkpoint: from=<log_id>&take=n answers the records newer than from, oldest first (Auth0 checkpoint paging)', async () => {
      const mine = (await logs(`client_id=${app.clientId}`)).reverse(); // oldest first
      const [first, second, third] = mine.map((r) => r.log_id);
      const page = await logs(`from=${first}&take=100`);
      const ids = page.map((r) => r.log_id);
      assert.deepEqual([...ids].sort(), ids, 'ordered by log_id, ascending');
      assert.ok(
        ids.every((id) => id > first!),
        'only records newer than the checkpoint',
      );
      assert.deepEqual(
        ids.filter((id) => id === second || id === third),
        [second, third],
      );
      assert.equal((await logs(`from=${first}&take=1`)).length, 1, 'take limits the page');
    });
  });
}
