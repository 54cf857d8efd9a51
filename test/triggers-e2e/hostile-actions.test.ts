/**
 * Hostile trigger code is contained (issue: token triggers, "Done when"). Each action misbehaves only for one
 * client; while it does, the server keeps answering: discovery and a well-behaved client get their answers, and
 * afterwards the same action serves that client normally. Budgets are short here (1 s chain, 32 MB isolates).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { bind, claimsOf, deployAction, requestToken } from '../helpers/actions.js';
import { provision, startMinter, type RunningMinter } from '../helpers/minter.js';

type Client = Awaited<ReturnType<typeof provision>>;

const CASES: Array<{
  name: string;
  body: string;
  status: number;
  check?: (m: RunningMinter, hostile: Client, body: any) => Promise<void>;
}> = [
  { name: 'infinite loop', body: 'while (true) {}', status: 500 },
  { name: 'infinite loop after an await', body: 'await Promise.resolve(); for (;;) {}', status: 500 },
  {
    name: 'allocation bomb',
    body: 'const hog = []; for (;;) hog.push(new Array(1e6).fill(Math.random()));',
    status: 500,
  },
  // A literal require('fs') fails the deploy (issue 13); a computed name gets as far as the token path.
  {
    name: "require('fs') by a computed name",
    body: "require(['f', 's'].join('')).readFileSync('/etc/passwd', 'utf8');",
    status: 500,
  },
  { name: 'process.exit', body: 'process.exit(1);', status: 500 },
  {
    name: "this.constructor.constructor('return process')()",
    body: "this.constructor.constructor('return process')().exit(1);",
    status: 500,
  },
  { name: 'a promise that never resolves', body: 'await new Promise(() => {});', status: 500 },
  {
    name: 'a loop that logs first',
    body: "console.log('about to spin for', event.client.client_id); for (;;) {}",
    status: 500,
    async check(m, hostile) {
      // The execution record keeps what the action printed before it was stopped: the first thing to debug with.
      const logs = await m.api('GET', `/logs?type=feccft&client_id=${hostile.clientId}&per_page=1`);
      const execution = await m.api('GET', `/actions/executions/${logs.body[0].execution_id}`);
      const result = execution.body.results[0];
      assert.equal(result.status, 'timeout');
      assert.deepEqual(result.logs, [{ level: 'log', message: `about to spin for ${hostile.clientId}` }]);
    },
  },
  {
    name: 'claims named sub and aud',
    body: 'api.accessToken.setCustomClaim("sub", "admin"); api.accessToken.setCustomClaim("aud", "https://other.example.com");',
    status: 200,
    async check(m, hostile, body) {
      const claims = claimsOf(body.access_token);
      assert.equal(claims.sub, hostile.clientId);
      assert.equal(claims.aud, hostile.identifier);
      const refused = await lastExecution(m, hostile);
      assert.deepEqual(refused.map((r: any) => r.name).sort(), ['aud', 'sub']);
    },
  },
  {
    name: 'a 1 MB claim',
    body: 'api.accessToken.setCustomClaim("https://example.com/huge", "x".repeat(1024 * 1024));',
    status: 200,
    async check(m, hostile, body) {
      assert.equal(claimsOf(body.access_token)['https://example.com/huge'], undefined);
      const refused = await lastExecution(m, hostile);
      assert.equal(refused.length, 1);
      assert.equal(refused[0]!.name, 'https://example.com/huge');
      assert.match(refused[0]!.reason, /100 KB|102400|size/i);
    },
  },
];

/** The execution record of a client's last failed request, to explain an unexpected failure. */
async function whyFailed(m: RunningMinter, client: Client): Promise<string> {
  const logs = await m.api('GET', `/logs?type=feccft&client_id=${client.clientId}&per_page=1`);
  const id = logs.body[0]?.execution_id;
  return id ? JSON.stringify((await m.api('GET', `/actions/executions/${id}`)).body.results) : 'no execution record';
}

async function lastExecution(m: RunningMinter, client: Client) {
  const logs = await m.api('GET', `/logs?type=seccft&client_id=${client.clientId}&per_page=1`);
  const execution = await m.api('GET', `/actions/executions/${logs.body[0].execution_id}`);
  return execution.body.results[0].refused_claims as Array<{ name: string; reason: string }>;
}

describe('hostile trigger code is contained and the server keeps serving', () => {
  let m: RunningMinter;
  let hostile: Client;
  let innocent: Client;
  before(async () => {
    m = await startMinter({ env: { MINTER_ACTIONS_TIMEOUT_MS: '1000', MINTER_ACTIONS_MEMORY_MB: '32' } });
    hostile = await provision(m);
    innocent = await provision(m);
  });
  after(() => m?.close());

  for (const [index, c] of CASES.entries()) {
    test(`${c.name}`, async () => {
      const code = `exports.onExecuteCredentialsExchange = async (event, api) => {
  if (event.client.client_id === ${JSON.stringify(hostile.clientId)}) { ${c.body} }
  api.accessToken.setCustomClaim("https://example.com/ok", true);
};`;
      const id = await deployAction(m, { name: `hostile-${index}`, code });
      await bind(m, 'credentials-exchange', [id]);

      const started = Date.now();
      const attack = requestToken(m, hostile);
      // While the hostile request runs: the event loop answers at once, and an innocent client gets its token.
      const discovery = await fetch(`${m.baseUrl}/.well-known/openid-configuration`);
      assert.equal(discovery.status, 200);
      const during = await requestToken(m, innocent);
      assert.equal(during.status, 200, during.status === 200 ? '' : await whyFailed(m, innocent));
      assert.equal(claimsOf(during.body.access_token)['https://example.com/ok'], true);

      const { status, body } = await attack;
      assert.equal(status, c.status, JSON.stringify(body));
      assert.ok(Date.now() - started < 5000, 'contained within the chain budget');
      if (status === 500) assert.deepEqual(Object.keys(body).sort(), ['error', 'error_description']);
      if (c.check) await c.check(m, hostile, body);

      const afterwards = await requestToken(m, innocent);
      assert.equal(afterwards.status, 200, afterwards.status === 200 ? '' : await whyFailed(m, innocent));
    });
  }
});
