/**
 * Token workers (issue 16): Minter started as `npm start` starts it with MINTER_WORKERS=2 — a primary that owns the
 * store and the management API, two workers that answer the token endpoint. Every token request here goes on a
 * connection of its own, so the primary hands consecutive requests to different workers (node:cluster's round robin):
 * a worker that missed a change, or counted alone, fails the test.
 *
 * On PGlite without Redis (the workers ask the primary for quota counts and assertion ids), and on PostgreSQL with
 * Redis (they count in Redis, as separate instances do).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { SignJWT, createRemoteJWKSet, decodeJwt, exportSPKI, generateKeyPair, jwtVerify } from 'jose';
import { bind, claimsOf, deployAction } from '../helpers/actions.js';
import {
  callApi,
  childMinterSetup,
  getToken,
  provision,
  spawnMinter,
  type ChildMinterSetup,
  type MinterProcess,
  type Storage,
} from '../helpers/minter.js';
import { skipWithoutPostgres } from '../helpers/postgres.js';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** A token request on a connection of its own (no keep-alive): status and parsed body. */
function tokenOnNewConnection(
  baseUrl: string,
  form: Record<string, string>,
): Promise<{ status: number; body: Record<string, any>; headers: Record<string, unknown> }> {
  const body = new URLSearchParams(form).toString();
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${baseUrl}/oauth/token`,
      {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text), headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.setTimeout(15_000, () => req.destroy(new Error('no answer in 15 s')));
    req.end(body);
  });
}

/** A client_secret_post token request of `client` for its API. */
const formOf = (client: { clientId: string; clientSecret: string; identifier: string }) => ({
  grant_type: 'client_credentials',
  client_id: client.clientId,
  client_secret: client.clientSecret,
  audience: client.identifier,
});

/** Live processes whose parent is `pid` and whose command runs Minter's main.js: the token workers. */
function workerPids(pid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) !== pid || fields[0] === 'Z') continue;
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('main.js')) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found.sort((a, b) => a - b);
}

/** Whether `pid` still has a /proc entry (a zombie not yet waited for counts: its parent has not seen it end). */
const present = (pid: number) => {
  try {
    readFileSync(`/proc/${pid}/stat`);
    return true;
  } catch {
    return false;
  }
};

/** Whether `pid` runs (a zombie does not). */
const alive = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
};

/** Polls `check` every 100 ms until it holds, failing with `what` after `ms`. */
async function until(what: string, check: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** Waits out the last seconds of a UTC hour, so that a test's tokens fall in one hourly quota window. */
async function awayFromHourEnd(): Promise<void> {
  const left = 3_600_000 - (Date.now() % 3_600_000);
  if (left < 15_000) await sleep(left + 1000);
}

const TIMES = 8;

for (const storage of ['pglite', 'postgres'] as Storage[]) {
  const withRedis = storage === 'postgres';
  describe(
    `token workers (MINTER_WORKERS=2, ${storage}${withRedis ? ' and Redis' : ', counters in the primary'})`,
    {
      skip:
        (storage === 'postgres' && skipWithoutPostgres) ||
        (withRedis && !process.env.REDIS_URL && 'REDIS_URL is not set'),
    },
    () => {
      const admin = { clientId: 'workers-admin', clientSecret: 'workers-admin-secret-0123456789' };
      let setup: ChildMinterSetup;
      let minter: MinterProcess;
      let adminToken: string;
      const api = {
        api: async (method: string, path: string, body?: unknown) =>
          callApi(minter.baseUrl, adminToken, method, path, body),
      };
      const managementAudience = () => `${setup.env.MINTER_ISSUER}/api/v2/`;

      before(async () => {
        setup = await childMinterSetup(storage, admin, {
          MINTER_WORKERS: '2',
          ...(withRedis && { REDIS_URL: process.env.REDIS_URL! }),
        });
        minter = await spawnMinter(setup.env);
        setup.running.push(minter);
        adminToken = (await getToken(minter.baseUrl, admin, managementAudience())).access_token;
      });
      after(() => setup.cleanup());

      test('two workers answer tokens that verify against the JWKS; management goes through the primary', async () => {
        assert.equal(workerPids(minter.pid).length, 2, 'two token workers');
        assert.match(minter.output().stdout, /\(2 token workers\)/);
        const client = await provision(api);
        const jwks = createRemoteJWKSet(new URL(`${minter.baseUrl}/.well-known/jwks.json`));
        for (let i = 0; i < 4; i++) {
          const answer = await tokenOnNewConnection(minter.baseUrl, formOf(client));
          assert.equal(answer.status, 200, JSON.stringify(answer.body));
          const { payload } = await jwtVerify(answer.body.access_token, jwks, {
            issuer: setup.env.MINTER_ISSUER,
            audience: client.identifier,
          });
          assert.equal(payload.client_id, client.clientId);
        }
        const listed = await api.api('GET', '/clients?per_page=100');
        assert.equal(listed.status, 200);
        assert.ok(listed.body.some((c: { client_id: string }) => c.client_id === client.clientId));
        assert.equal((await fetch(`${minter.baseUrl}/health`)).status, 200);
      });

      test('a management write reaches every worker before its answer', async () => {
        const client = await provision(api);
        const form = formOf(client);
        // Right after the create's answer, on new connections: every worker knows the client.
        const issued = await Promise.all(
          Array.from({ length: TIMES }, () => tokenOnNewConnection(minter.baseUrl, form)),
        );
        assert.deepEqual(
          issued.map((a) => a.status),
          Array(TIMES).fill(200),
        );
        assert.equal((await api.api('DELETE', `/client-grants/${client.grantId}`)).status, 204);
        const refused = await Promise.all(
          Array.from({ length: TIMES }, () => tokenOnNewConnection(minter.baseUrl, form)),
        );
        assert.deepEqual(
          refused.map((a) => [a.status, a.body.error]),
          Array(TIMES).fill([403, 'access_denied']),
        );
      });

      test('a bound action runs in every worker', async () => {
        const client = await provision(api);
        const id = await deployAction(api, {
          name: `workers-claim-${randomUUID().slice(0, 8)}`,
          code: `exports.onExecuteCredentialsExchange = async (event, api) => {
  api.accessToken.setCustomClaim('https://example.com/worker-claim', 'set-' + event.client.client_id);
};`,
        });
        await bind(api, 'credentials-exchange', [id]);
        try {
          const answers = await Promise.all(
            Array.from({ length: TIMES }, () => tokenOnNewConnection(minter.baseUrl, formOf(client))),
          );
          for (const answer of answers) {
            assert.equal(answer.status, 200, JSON.stringify(answer.body));
            assert.equal(
              claimsOf(answer.body.access_token)['https://example.com/worker-claim'],
              `set-${client.clientId}`,
            );
          }
        } finally {
          await bind(api, 'credentials-exchange', []);
        }
      });

      test('a token quota is counted once across the workers', async () => {
        await awayFromHourEnd();
        const client = await provision(api);
        const patched = await api.api('PATCH', `/clients/${client.clientId}`, {
          token_quota: { client_credentials: { per_hour: 5, enforce: true } },
        });
        assert.equal(patched.status, 200, JSON.stringify(patched.body));
        const statuses: number[] = [];
        for (let i = 0; i < TIMES; i++) {
          const answer = await tokenOnNewConnection(minter.baseUrl, formOf(client));
          statuses.push(answer.status);
        }
        assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429, 429]);
      });

      test('a private_key_jwt assertion used on one worker is refused on the others', async () => {
        const client = await provision(api);
        const keys = await generateKeyPair('RS256', { extractable: true });
        const created = await api.api('POST', `/clients/${client.clientId}/credentials`, {
          credential_type: 'public_key',
          name: 'workers key',
          pem: await exportSPKI(keys.publicKey),
          alg: 'RS256',
        });
        assert.equal(created.status, 201, JSON.stringify(created.body));
        const now = Math.floor(Date.now() / 1000);
        const assertion = await new SignJWT({
          iss: client.clientId,
          sub: client.clientId,
          aud: `${setup.env.MINTER_ISSUER}/`,
          iat: now,
          exp: now + 60,
          jti: randomUUID(),
        })
          .setProtectedHeader({ alg: 'RS256' })
          .sign(keys.privateKey);
        const statuses: number[] = [];
        for (let i = 0; i < 4; i++) {
          const answer = await tokenOnNewConnection(minter.baseUrl, {
            grant_type: 'client_credentials',
            audience: client.identifier,
            client_assertion_type: ASSERTION_TYPE,
            client_assertion: assertion,
          });
          statuses.push(answer.status);
        }
        assert.deepEqual(statuses, [200, 401, 401, 401]);
      });

      test("every worker's log records are stored, and /metrics counts every worker's tokens", async () => {
        const issuedBefore = await issuedCount();
        const client = await provision(api);
        const jtis = new Set<string>();
        for (let i = 0; i < 20; i++) {
          const answer = await tokenOnNewConnection(minter.baseUrl, formOf(client));
          assert.equal(answer.status, 200);
          jtis.add(String(decodeJwt(answer.body.access_token).jti));
        }
        // Read at once: the primary has the workers send what they hold before it reads.
        const logs = await api.api('GET', `/logs?type=seccft&client_id=${client.clientId}&per_page=100`);
        assert.equal(logs.status, 200);
        const stored = (logs.body as Array<{ details: { jti?: string } }>).map((r) => String(r.details.jti));
        assert.deepEqual(new Set(stored), jtis);
        assert.equal((await issuedCount()) - issuedBefore, 20);
      });

      async function issuedCount(): Promise<number> {
        const text = await (await fetch(`${minter.baseUrl}/metrics`)).text();
        const line = /^minter_tokens_issued_total (\d+)/m.exec(text);
        assert.ok(line, 'minter_tokens_issued_total is served');
        return Number(line[1]);
      }

      test('a killed worker is replaced while the other goes on answering', async () => {
        const client = await provision(api);
        const form = formOf(client);
        const [victim, survivor] = workerPids(minter.pid);
        process.kill(victim!, 'SIGKILL');
        // Until the primary has waited for it, the primary may still hand it a connection (node:cluster's round robin
        // loses those: docs/workers.md); from then on new connections go to the live worker, then to its
        // replacement too, and none fails.
        await until('the primary to see the killed worker end', () => !present(victim!));
        const statuses: number[] = [];
        for (let i = 0; i < TIMES; i++) statuses.push((await tokenOnNewConnection(minter.baseUrl, form)).status);
        assert.deepEqual(statuses, Array(TIMES).fill(200));
        await until('a replacement worker', () => {
          const now = workerPids(minter.pid);
          return now.length === 2 && now.includes(survivor!) && !now.includes(victim!);
        });
        await until('the replacement to answer', async () => (await fetch(`${minter.baseUrl}/health`)).ok);
        const after = await Promise.all(
          Array.from({ length: TIMES }, () => tokenOnNewConnection(minter.baseUrl, form)),
        );
        assert.deepEqual(
          after.map((a) => a.status),
          Array(TIMES).fill(200),
        );
        assert.match(minter.output().stderr + minter.output().stdout, /token worker ended; starting another/);
      });

      test('SIGTERM: the workers finish, their records are written, the primary exits 0', async () => {
        const client = await provision(api);
        const jtis = new Set<string>();
        for (let i = 0; i < 10; i++) {
          const answer = await tokenOnNewConnection(minter.baseUrl, formOf(client));
          jtis.add(String(decodeJwt(answer.body.access_token).jti));
        }
        const workers = workerPids(minter.pid);
        const { code, signal } = await minter.stop('SIGTERM');
        assert.deepEqual({ code, signal }, { code: 0, signal: null }, minter.output().stderr);
        assert.deepEqual(workers.filter(alive), [], 'no worker outlives the primary');

        minter = await spawnMinter(setup.env);
        setup.running.push(minter);
        adminToken = (await getToken(minter.baseUrl, admin, managementAudience())).access_token;
        const logs = await api.api('GET', `/logs?type=seccft&client_id=${client.clientId}&per_page=100`);
        const stored = (logs.body as Array<{ details: { jti?: string } }>).map((r) => String(r.details.jti));
        assert.deepEqual(new Set(stored), jtis);
      });

      test('a primary killed with SIGKILL takes its workers with it', async () => {
        const workers = workerPids(minter.pid);
        assert.equal(workers.length, 2);
        await minter.stop('SIGKILL');
        await until('the workers to end', () => workers.every((pid) => !alive(pid)), 15_000);
      });
    },
  );
}

describe('MINTER_WORKERS', () => {
  test('one per core by default, 1 with inline isolation, and inline refuses several', async () => {
    const { loadConfig } = await import('../../src/config.js');
    const { availableParallelism } = await import('node:os');
    assert.equal(loadConfig({}).workers, availableParallelism());
    assert.equal(loadConfig({ MINTER_WORKERS: '3' }).workers, 3);
    assert.equal(loadConfig({ MINTER_ACTIONS_ISOLATION: 'inline' }).workers, 1);
    assert.throws(() => loadConfig({ MINTER_WORKERS: '0' }), /MINTER_WORKERS must be an integer from 1 to 256/);
    assert.throws(
      () => loadConfig({ MINTER_WORKERS: '2', MINTER_ACTIONS_ISOLATION: 'inline' }),
      /MINTER_WORKERS=2 needs actions in the sandbox process/,
    );
  });
});
