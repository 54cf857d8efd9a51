/**
 * Issue 11, "nothing in action code can end the process", defence in depth (docs/security.md, "quarantine"): a
 * version whose prewarm or first run killed its process is quarantined. Minter runs as its own process (`npm
 * start`); the test-only MINTER_TEST_CRASH_ON_ACTION_NAME makes the engine abort the process the action runs in
 * (SIGABRT, as a native crash in action code would) at that action's prewarm or first run.
 *
 * Inline (MINTER_ACTIONS_ISOLATION=inline) that is the server: restarted without the variable, it must start, answer
 * the version's requests with `server_error` and an execution record that says it is quarantined, since when and why,
 * show the quarantine in the management API, and run again once the operator lifts it or deploys a new version. A
 * process killed while idle, or stopped cleanly, quarantines nothing. In the sandbox process (the default) the server
 * goes on and quarantines the version at once.
 */
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { CRASH_GUARD_FILE, parseJournal } from '../../src/triggers/runtime/crash-guard.js';
import {
  callApi,
  childMinterSetup,
  getToken,
  postToken,
  spawnMinter,
  type ChildMinterSetup,
  type MinterProcess,
  type Storage,
  type WireResponse,
} from '../helpers/minter.js';

const admin = { clientId: 'quarantine-admin', clientSecret: 'quarantine-admin-secret-0123456789' };
const identifier = 'https://quarantine.example.com';
const storages: Storage[] = process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

/** One Minter data dir / database, restarted with different environments. */
class Deployment {
  proc!: MinterProcess;
  client!: { clientId: string; clientSecret: string };
  constructor(readonly setup: ChildMinterSetup) {}

  get issuer(): string {
    return this.setup.env.MINTER_ISSUER!;
  }

  async start(extra: Record<string, string> = {}): Promise<void> {
    this.proc = await spawnMinter({ ...this.setup.env, ...extra });
    this.setup.running.push(this.proc);
  }

  async api(method: string, path: string, body?: unknown): Promise<WireResponse> {
    const token = (await getToken(this.proc.baseUrl, admin, `${this.issuer}/api/v2/`)).access_token;
    return callApi(this.proc.baseUrl, token, method, path, body);
  }

  /** An API, a client granted it, and an action that stamps its name into the token, deployed (not bound). */
  async provision(actionName: string): Promise<string> {
    assert.equal(
      (await this.api('POST', '/resource-servers', { identifier, name: 'Q', signing_alg: 'ES256' })).status,
      201,
    );
    const client = await this.api('POST', '/clients', { name: 'svc' });
    assert.equal(client.status, 201, client.text);
    this.client = { clientId: client.body.client_id, clientSecret: client.body.client_secret };
    const grant = await this.api('POST', '/client-grants', {
      client_id: this.client.clientId,
      audience: identifier,
      scope: [],
    });
    assert.equal(grant.status, 201, grant.text);
    const action = await this.api('POST', '/actions/actions', {
      name: actionName,
      supported_triggers: [{ id: 'credentials-exchange', version: 'v2' }],
      code: stampCode('v1'),
      deploy: true,
    });
    assert.equal(action.status, 201, action.text);
    return action.body.id as string;
  }

  /** Binds the action; the server may die while answering (a crash at prewarm). */
  bind(actionId: string): Promise<WireResponse> {
    return this.api('PATCH', '/actions/triggers/credentials-exchange/bindings', {
      bindings: [{ ref: { type: 'action_id', value: actionId } }],
    });
  }

  token(): Promise<WireResponse> {
    return postToken(this.proc.baseUrl, {
      grant_type: 'client_credentials',
      client_id: this.client.clientId,
      client_secret: this.client.clientSecret,
      audience: identifier,
    });
  }

  /** The claims of a token that verifies against the server's JWKS. */
  async verified(response: WireResponse): Promise<Record<string, unknown>> {
    assert.equal(response.status, 200, response.text);
    const jwks = createRemoteJWKSet(new URL(`${this.proc.baseUrl}/.well-known/jwks.json`));
    return (await jwtVerify(response.body.access_token, jwks, { issuer: this.issuer, audience: identifier })).payload;
  }

  /** The execution record of the client's last failed token request, through the logs API. */
  async lastFailedExecution(): Promise<{
    results: Array<{ status: string; version_id: string; error?: { id: string; msg: string } }>;
  }> {
    const logs = await this.api('GET', `/logs?type=feccft&client_id=${this.client.clientId}&per_page=1`);
    assert.equal(logs.status, 200, logs.text);
    assert.ok(logs.body[0]?.execution_id, `an execution id in ${logs.text}`);
    const execution = await this.api('GET', `/actions/executions/${logs.body[0].execution_id}`);
    assert.equal(execution.status, 200, execution.text);
    return execution.body;
  }

  /** Waits until the crash guard's journal holds no open entry (its clearing lines are written asynchronously). */
  async journalSettled(): Promise<void> {
    const file = join(this.setup.env.MINTER_DATA_DIR!, CRASH_GUARD_FILE);
    for (let i = 0; i < 200; i++) {
      if (parseJournal(await readFile(file, 'utf8').catch(() => '')).length === 0) return;
      await sleep(25);
    }
    assert.fail(`the crash guard journal still has open entries: ${await readFile(file, 'utf8')}`);
  }
}

const stampCode = (stamp: string) => `exports.onExecuteCredentialsExchange = async (event, api) => {
  api.accessToken.setCustomClaim('https://q.example.com/stamp', '${stamp}');
};`;

for (const storage of storages) {
  describe(
    `inline: a version that kills the process is quarantined at the next start (${storage})`,
    { timeout: 300_000 },
    () => {
      test('crash at prewarm: the restarted server quarantines it, says why, and runs it again once lifted', async () => {
        const d = new Deployment(
          await childMinterSetup(storage, admin, { MINTER_LOG_FLUSH_MS: '50', MINTER_ACTIONS_ISOLATION: 'inline' }),
        );
        try {
          await d.start({ MINTER_TEST_CRASH_ON_ACTION_NAME: 'crasher' });
          const actionId = await d.provision('crasher');
          const versionId = (await d.api('GET', `/actions/actions/${actionId}`)).body.deployed_version.id as string;
          // Binding prewarms the version: the process aborts before it answers.
          await assert.rejects(d.bind(actionId));
          assert.deepEqual(await d.proc.exited, { code: null, signal: 'SIGABRT' });

          const crashedAt = Date.now();
          await d.start();
          assert.match(d.proc.output().stdout, new RegExp(`"version_id":"${versionId}".*action version quarantined`));

          // The version's requests fail closed (an action may be the one refusing tokens) with a clear record.
          const refused = await d.token();
          assert.equal(refused.status, 500, refused.text);
          assert.equal(refused.body.error, 'server_error');
          assert.match(refused.body.error_description, /^A token trigger failed/, 'no internal detail for the client');
          const execution = await d.lastFailedExecution();
          assert.equal(execution.results.length, 1);
          const [result] = execution.results;
          assert.equal(result!.status, 'runtime');
          assert.equal(result!.version_id, versionId);
          assert.equal(result!.error?.id, 'runtime_error');
          assert.match(
            result!.error!.msg,
            new RegExp(`^Version ${versionId} of action "crasher" is quarantined since \\S+Z: `),
          );
          assert.match(
            result!.error!.msg,
            /A Minter process ended while it was loading this version \(prewarm\), begun at \S+Z/,
          );
          assert.ok(
            result!.error!.msg.includes(`DELETE /api/v2/actions/actions/${actionId}/versions/${versionId}/quarantine`),
          );

          // The management API shows it on the action's deployed version and in the versions list.
          const action = await d.api('GET', `/actions/actions/${actionId}`);
          const quarantine = action.body.deployed_version.quarantine;
          assert.match(quarantine.reason, /loading this version \(prewarm\)/);
          assert.ok(Date.parse(quarantine.quarantined_at) <= crashedAt, 'quarantined as of the prewarm that died');
          assert.equal(quarantine.lift, `DELETE /api/v2/actions/actions/${actionId}/versions/${versionId}/quarantine`);
          assert.equal(action.body.status, 'built', "Auth0's fields are unchanged");
          const versions = await d.api('GET', `/actions/actions/${actionId}/versions`);
          assert.deepEqual(versions.body.versions[0].quarantine, quarantine);

          // Lifting is a route of the management API's OpenAPI document, needs update:actions and a version that exists.
          const doc = (await (await fetch(`${d.proc.baseUrl}/api/v2/openapi.json`)).json()) as {
            paths: Record<string, object>;
          };
          assert.deepEqual(Object.keys(doc.paths['/actions/actions/{id}/versions/{versionId}/quarantine'] ?? {}), [
            'delete',
          ]);
          const readOnly = await d.api('POST', '/clients', { name: 'reader', app_type: 'non_interactive' });
          await d.api('POST', '/client-grants', {
            client_id: readOnly.body.client_id,
            audience: `${d.issuer}/api/v2/`,
            scope: ['read:actions'],
          });
          const readToken = (
            await getToken(
              d.proc.baseUrl,
              { clientId: readOnly.body.client_id, clientSecret: readOnly.body.client_secret },
              `${d.issuer}/api/v2/`,
            )
          ).access_token;
          const forbidden = await callApi(
            d.proc.baseUrl,
            readToken,
            'DELETE',
            `/actions/actions/${actionId}/versions/${versionId}/quarantine`,
          );
          assert.equal(forbidden.status, 403, forbidden.text);
          const missing = await d.api(
            'DELETE',
            `/actions/actions/${actionId}/versions/00000000-0000-4000-8000-000000000000/quarantine`,
          );
          assert.equal(missing.status, 404, missing.text);
          assert.equal(
            (await d.api('DELETE', `/actions/actions/${actionId}/versions/${versionId}/quarantine`)).status,
            204,
          );
          assert.equal(
            (await d.api('DELETE', `/actions/actions/${actionId}/versions/${versionId}/quarantine`)).status,
            204,
            'idempotent',
          );
          const lifted = await d.api('GET', `/actions/actions/${actionId}/versions/${versionId}`);
          assert.equal(lifted.body.quarantine, undefined);
          assert.equal((await d.verified(await d.token()))['https://q.example.com/stamp'], 'v1');
        } finally {
          await d.setup.cleanup();
        }
      });

      test('crash at first run: quarantined at restart; deploying a new version recovers; an idle kill -9 quarantines nothing', async () => {
        const d = new Deployment(
          await childMinterSetup(storage, admin, { MINTER_LOG_FLUSH_MS: '50', MINTER_ACTIONS_ISOLATION: 'inline' }),
        );
        try {
          await d.start({
            MINTER_TEST_CRASH_ON_ACTION_NAME: 'first-run-crasher',
            MINTER_TEST_CRASH_PHASE: 'first_run',
          });
          const actionId = await d.provision('first-run-crasher');
          assert.equal((await d.bind(actionId)).status, 200, 'the prewarm survives');
          await assert.rejects(d.token(), 'the first run aborts the process before it answers');
          assert.deepEqual(await d.proc.exited, { code: null, signal: 'SIGABRT' });

          await d.start();
          const refused = await d.token();
          assert.equal(refused.status, 500, refused.text);
          const [result] = (await d.lastFailedExecution()).results;
          assert.match(result!.error!.msg, /quarantined since .*running this version for the first time/);
          const oldVersion = result!.version_id;

          // The operator deploys a fixed version: it runs at once; the old one stays quarantined in the list.
          const patched = await d.api('PATCH', `/actions/actions/${actionId}`, { code: stampCode('v2') });
          assert.equal(patched.status, 200, patched.text);
          const deployed = await d.api('POST', `/actions/actions/${actionId}/deploy`);
          assert.equal(deployed.status, 201, deployed.text);
          assert.equal(deployed.body.quarantine, undefined);
          assert.equal((await d.verified(await d.token()))['https://q.example.com/stamp'], 'v2');
          const versions = (await d.api('GET', `/actions/actions/${actionId}/versions`)).body.versions as Array<{
            id: string;
            quarantine?: unknown;
          }>;
          assert.deepEqual(
            versions.map((v) => [v.id, v.quarantine !== undefined]),
            [
              [deployed.body.id, false],
              [oldVersion, true],
            ],
          );

          // Killed while idle (prewarm and first run long over): nothing was under way, nothing is quarantined.
          await d.journalSettled();
          assert.deepEqual(await d.proc.stop('SIGKILL'), { code: null, signal: 'SIGKILL' });
          await d.start();
          assert.equal((await d.verified(await d.token()))['https://q.example.com/stamp'], 'v2');
          // Stopped cleanly and started again: nothing is quarantined either.
          assert.deepEqual(await d.proc.stop('SIGTERM'), { code: 0, signal: null });
          await d.start();
          assert.doesNotMatch(d.proc.output().stdout, /quarantined/);
          assert.equal((await d.verified(await d.token()))['https://q.example.com/stamp'], 'v2');
        } finally {
          await d.setup.cleanup();
        }
      });
    },
  );
}

describe('in the sandbox process: the server goes on and quarantines the version at once', { timeout: 300_000 }, () => {
  /** Waits for the version's quarantine to show in the management API. */
  async function quarantineOf(
    d: Deployment,
    actionId: string,
    versionId: string,
  ): Promise<{ reason: string; quarantined_at: string }> {
    for (let i = 0; i < 200; i++) {
      const version = await d.api('GET', `/actions/actions/${actionId}/versions/${versionId}`);
      if (version.body.quarantine !== undefined) return version.body.quarantine;
      await sleep(50);
    }
    assert.fail(`version ${versionId} was not quarantined`);
  }

  test('crash at prewarm: quarantined, its requests fail closed; lifted, it crashes once more and is quarantined again', async () => {
    const d = new Deployment(await childMinterSetup('pglite', admin, { MINTER_LOG_FLUSH_MS: '50' }));
    try {
      await d.start({ MINTER_TEST_CRASH_ON_ACTION_NAME: 'crasher' });
      const actionId = await d.provision('crasher');
      const versionId = (await d.api('GET', `/actions/actions/${actionId}`)).body.deployed_version.id as string;
      // Binding prewarms the version in the sandbox process, which aborts; the server answers.
      assert.equal((await d.bind(actionId)).status, 200);
      const quarantine = await quarantineOf(d, actionId, versionId);
      assert.match(
        quarantine.reason,
        /^The sandbox process that runs actions ended \(signal SIGABRT\) at \S+Z while it was loading this version/,
      );
      assert.match(
        d.proc.output().stdout,
        new RegExp(`"version_id":"${versionId}".*action version quarantined: the sandbox process ended`),
      );

      const refused = await d.token();
      assert.equal(refused.status, 500, refused.text);
      const [result] = (await d.lastFailedExecution()).results;
      assert.equal(result!.version_id, versionId);
      assert.match(
        result!.error!.msg,
        new RegExp(`^Version ${versionId} of action "crasher" is quarantined since \\S+Z: The sandbox process`),
      );

      // Lifted while the cause is still there: one more crash, quarantined again, never a loop.
      assert.equal(
        (await d.api('DELETE', `/actions/actions/${actionId}/versions/${versionId}/quarantine`)).status,
        204,
      );
      const again = await quarantineOf(d, actionId, versionId);
      assert.ok(Date.parse(again.quarantined_at) >= Date.parse(quarantine.quarantined_at));
      // Once per sandbox process and binding: each token worker (MINTER_WORKERS, one per core here) has its own, and a
      // worker the quarantine reached before its prewarm did not crash at all. Never more: no loop.
      const metrics = await (await fetch(`${d.proc.baseUrl}/metrics`)).text();
      const crashed = Number(/^minter_sandbox_replaced_total\{reason="crashed"\} (\d+)$/m.exec(metrics)?.[1]);
      assert.ok(crashed >= 2 && crashed <= 2 * availableParallelism(), `${crashed} sandbox processes replaced`);

      // Unbound, tokens flow; the server never stopped.
      assert.equal(
        (await d.api('PATCH', '/actions/triggers/credentials-exchange/bindings', { bindings: [] })).status,
        200,
      );
      assert.equal((await d.token()).status, 200);
      assert.equal(d.proc.output().stderr.includes('SIGABRT'), false);
    } finally {
      await d.setup.cleanup();
    }
  });

  test('crash at first run: that request fails, the version is quarantined, the next request is refused with why', async () => {
    const d = new Deployment(await childMinterSetup('pglite', admin, { MINTER_LOG_FLUSH_MS: '50' }));
    try {
      await d.start({ MINTER_TEST_CRASH_ON_ACTION_NAME: 'first-run-crasher', MINTER_TEST_CRASH_PHASE: 'first_run' });
      const actionId = await d.provision('first-run-crasher');
      const versionId = (await d.api('GET', `/actions/actions/${actionId}`)).body.deployed_version.id as string;
      assert.equal((await d.bind(actionId)).status, 200, 'the prewarm survives');
      const lost = await d.token();
      assert.equal(lost.status, 500, lost.text);
      const [first] = (await d.lastFailedExecution()).results;
      assert.match(first!.error!.msg, /^The sandbox process ended \(signal SIGABRT\) while this request ran/);
      const quarantine = await quarantineOf(d, actionId, versionId);
      // The first request may come while the version is still loading (bind does not wait for the prewarm).
      assert.match(quarantine.reason, /while it was (running this version for the first time|loading this version)/);
      assert.equal((await d.token()).status, 500);
      const [second] = (await d.lastFailedExecution()).results;
      assert.match(second!.error!.msg, /is quarantined since/);
      // The server itself never stopped.
      assert.equal((await d.api('GET', '/clients?per_page=1')).status, 200);
      assert.equal(await Promise.race([d.proc.exited, sleep(100).then(() => 'running')]), 'running');
    } finally {
      await d.setup.cleanup();
    }
  });
});
