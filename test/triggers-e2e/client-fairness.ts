/**
 * Fairness between clients (issue 11, finding 3): an action that is stuck for the requests of one client — a loop, a
 * catastrophic regular expression on a request field, a memory bomb — must not starve another client of the same
 * action version. Client A keeps 4 requests in flight against it while client B sends 30 requests a second for 10 s:
 * B gets no error and a p99 under 250 ms, and every request of A still ends with a clear failure and its execution
 * record. Minter runs as its own process (64 MB isolates; a 5 s chain budget, so that A's stuck requests end, and are
 * sent again, within the 10 s).
 *
 * The 250 ms target is judged when other work left the machine alone during the window (at most 0.25 cores of it,
 * from /proc); otherwise the figure is reported, and B must still never have waited for A (p99 under 2 s, where
 * before the fix every request of B waited for A's loop until its deadline, or failed).
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { bind, claimsOf, deployAction, TRIGGER_FAILED } from '../helpers/actions.js';
import { provision } from '../helpers/minter.js';
import {
  DISTURBED_CORES,
  keepInFlight,
  paced,
  quantile,
  startLoadServer,
  tokenRequest,
  withDisturbance,
  type Client,
  type Exchange,
  type LoadServer,
} from './load-harness.js';

const RATE = 30;
const SECONDS = 10;
const STUCK = 4;
const P99_MS = 250;
/** B's p99 bound on a machine busy with other work: far below the chain budget A's requests are stopped at. */
const NOT_QUEUED_MS = 2000;

interface Variant {
  name: string;
  /** The action's code when the request comes from client A. */
  body: string;
  /** What client A sends besides the grant. */
  extra?: Record<string, string>;
  /** The execution record's status for A's requests. */
  status: 'timeout' | 'oom';
}

const VARIANTS: Variant[] = [
  { name: 'an infinite loop', body: 'for (;;) {}', status: 'timeout' },
  {
    name: 'a catastrophic regular expression on a request field',
    body: 'if (/^(a|aa)+$/.test(event.request.body.note)) api.access.deny("invalid_request", "no");',
    extra: { note: `${'a'.repeat(80)}!` },
    status: 'timeout',
  },
  {
    name: 'a memory bomb',
    body: 'const hoard = []; for (;;) hoard.push(new Array(1e6).fill(Math.random()));',
    status: 'oom',
  },
];

/** Every execution record of `client`'s failed token requests (`feccft` log records), oldest first. */
async function failedExecutions(server: LoadServer, client: Client): Promise<any[]> {
  const records: any[] = [];
  for (let page = 0; ; page++) {
    const logs = await server.api('GET', `/logs?type=feccft&client_id=${client.clientId}&per_page=100&page=${page}`);
    assert.equal(logs.status, 200);
    records.push(...logs.body);
    if (logs.body.length < 100) break;
  }
  return Promise.all(
    records.map(async (record) => (await server.api('GET', `/actions/executions/${record.execution_id}`)).body),
  );
}

const summary = (answers: Exchange[]) =>
  `${answers.length} requests, p50 ${quantile(
    answers.map((a) => a.ms),
    0.5,
  ).toFixed(1)} ms, ` +
  `p99 ${quantile(
    answers.map((a) => a.ms),
    0.99,
  ).toFixed(1)} ms, max ${Math.max(...answers.map((a) => a.ms)).toFixed(1)} ms`;

/** Registers the suite (run from actions-under-load.test.ts). */
export function clientFairness(): void {
  describe("one client's stuck requests do not starve another client of the same action", () => {
    let server: LoadServer;
    let a: Client;
    let b: Client;
    before(async () => {
      server = await startLoadServer({ MINTER_ACTIONS_TIMEOUT_MS: '5000' });
      a = await provision(server);
      b = await provision(server);
    });
    after(() => server?.cleanup());

    for (const [index, variant] of VARIANTS.entries()) {
      test(`${variant.name}: ${STUCK} of A's requests in flight, B at ${RATE}/s for ${SECONDS} s gets no error and p99 < ${P99_MS} ms`, async (t) => {
        const code = `exports.onExecuteCredentialsExchange = async (event, api) => {
    if (event.client.client_id === ${JSON.stringify(a.clientId)}) { ${variant.body} }
    api.accessToken.setCustomClaim('https://example.com/served', event.client.client_id);
  };`;
        await bind(server, 'credentials-exchange', [await deployAction(server, { name: `fairness-${index}`, code })]);
        for (let i = 0; i < 5; i++) assert.equal((await tokenRequest(server.baseUrl, b)).status, 200);
        const earlier = new Set((await failedExecutions(server, a)).map((execution) => execution.id));

        const windowEnds = sleep(SECONDS * 1000);
        const attack = keepInFlight(STUCK, windowEnds, () => tokenRequest(server.baseUrl, a, variant.extra));
        await sleep(200); // A's requests are running before B starts
        const { result: served, otherCores } = await withDisturbance(server.pid, () =>
          paced(RATE, SECONDS, (due) => tokenRequest(server.baseUrl, b, {}, due)),
        );
        const attacks = await attack;

        const failures = served.filter((answer) => answer.status !== 200);
        const p99 = quantile(
          served.map((x) => x.ms),
          0.99,
        );
        t.diagnostic(
          `B: ${summary(served)}; other work on the machine: ${otherCores.toFixed(2)} cores; ` +
            `A: ${attacks.length} requests, the longest ${Math.max(...attacks.map((x) => x.ms)).toFixed(0)} ms`,
        );
        assert.deepEqual(failures.slice(0, 3), [], `${failures.length} of B's ${served.length} requests failed`);
        for (const answer of served)
          assert.equal(claimsOf(answer.body.access_token)['https://example.com/served'], b.clientId);
        assert.ok(p99 < NOT_QUEUED_MS, `B waited for A: ${summary(served)}`);
        if (otherCores <= DISTURBED_CORES) assert.ok(p99 < P99_MS, `B: ${summary(served)}`);
        else
          t.diagnostic(
            `${otherCores.toFixed(2)} cores of other work: the ${P99_MS} ms target is not judged on this run`,
          );

        // Every request of A failed plainly, and says why in its execution record.
        for (const answer of attacks) {
          assert.deepEqual({ status: answer.status, body: answer.body }, TRIGGER_FAILED);
        }
        let fresh: any[] = [];
        for (let i = 0; i < 100 && fresh.length < attacks.length; i++) {
          await sleep(100);
          fresh = (await failedExecutions(server, a)).filter((execution) => !earlier.has(execution.id));
        }
        assert.equal(fresh.length, attacks.length, 'one execution record per request of A');
        for (const execution of fresh) {
          const [result] = execution.results;
          assert.equal(result.status, variant.status, JSON.stringify(result));
          // A stuck one ran out of time; one past A's share may have waited for A's own isolate until its deadline.
          const expected =
            variant.status === 'oom' ? /memory/ : /did not finish in time|No isolate was free for the action in time/;
          assert.match(result.error.msg, expected);
        }
      });
    }
  });
}
