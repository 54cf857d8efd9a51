/**
 * Issue 11, defence in depth: a version whose loading ends the sandbox process is quarantined. Its top-level code runs
 * fine in the deploy-time check, then makes V8 end the sandbox process each time it loads — the crash loop the issue
 * found, which only deleting rows by hand ended. Minter runs as `npm start` runs it (its own process): the server goes
 * on, the version is quarantined at once, its requests fail with `server_error` and a record that says why, the
 * management API shows it, a restart keeps it, lifting the quarantine loads the version again (and quarantines it
 * again, since it still crashes), and deploying a fixed version recovers.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
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
/**
 * Top-level code that passes the deploy-time check (where `fetch` does not exist) and, where the action really runs,
 * makes V8 end the process (`invalid array length`: sort copies the array-like into a list 2³²−1 long).
 */
const CRASHES_WHILE_LOADING = `if (typeof fetch === 'function') Array.prototype.sort.call({ length: 2 ** 32 - 1 });
exports.onExecuteCredentialsExchange = async (event, api) => {};`;
const FIXED = `exports.onExecuteCredentialsExchange = async (event, api) => { api.accessToken.setCustomClaim('https://t/fixed', true); };`;

const storages: Storage[] = process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

for (const storage of storages) {
  describe(`quarantine of a version that ends the sandbox process while it loads (${storage})`, () => {
    let setup: ChildMinterSetup;
    after(() => setup?.cleanup());

    test('the server goes on, the version is quarantined, its requests say why; restart, lift, redeploy', { timeout: 180_000 }, async () => {
      setup = await childMinterSetup(storage, admin, { MINTER_ACTIONS_TIMEOUT_MS: '10000', MINTER_LOG_FLUSH_MS: '50' });
      let server: MinterProcess = await spawnMinter(setup.env);
      setup.running.push(server);
      const issuer = setup.env.MINTER_ISSUER!;
      let token = (await getToken(server.baseUrl, admin, `${issuer}/api/v2/`)).access_token;
      const api = async (method: string, path: string, body?: unknown) => callApi(server.baseUrl, token, method, path, body);

      // An API and a client with a grant.
      const audience = 'https://quarantine.example.com';
      assert.equal((await api('POST', '/resource-servers', { identifier: audience, name: 'Q', scopes: [] })).status, 201);
      const client = (await api('POST', '/clients', { name: 'svc' })).body as { client_id: string; client_secret: string };
      assert.equal((await api('POST', '/client-grants', { client_id: client.client_id, audience, scope: [] })).status, 201);
      const tokenRequest = () =>
        postToken(server.baseUrl, { grant_type: 'client_credentials', client_id: client.client_id, client_secret: client.client_secret, audience });

      // Deploy passes: the check does not crash. Binding loads it where it runs, and the sandbox process ends.
      const created = await api('POST', '/actions/actions', {
        name: 'crashes-while-loading',
        supported_triggers: [{ id: 'credentials-exchange', version: 'v2' }],
        code: CRASHES_WHILE_LOADING,
        deploy: true,
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const actionId = created.body.id as string;
      const bound = await api('PATCH', '/actions/triggers/credentials-exchange/bindings', { bindings: [{ ref: { type: 'action_id', value: actionId } }] });
      assert.equal(bound.status, 200);

      const first = await quarantineOf(api, actionId).catch((error: Error) => {
        throw new Error(`${error.message}; server output: ${server.output().stdout.slice(-3000)} ${server.output().stderr.slice(-2000)}`);
      });
      assert.equal(first.reason, 'the sandbox process ended (signal SIGABRT) while this version was loading');
      const versionId = first.versionId;

      // The server process is the one that started, and answers.
      assert.equal(server.output().stdout.includes('the sandbox process was lost'), true);
      assert.equal(server.output().stdout.includes('action version quarantined'), true);
      assert.equal((await fetch(`${server.baseUrl}/health`)).status, 200);
      await assertRefusedAsQuarantined(api, tokenRequest, client.client_id, 'loading');

      // The versions list shows it too (Auth0's version object, plus Minter's `quarantine`).
      const versions = await api('GET', `/actions/actions/${actionId}/versions`);
      assert.equal(versions.body.versions[0].id, versionId);
      assert.equal(versions.body.versions[0].status, 'built');
      assert.equal(versions.body.versions[0].quarantine.reason, first.reason);

      // A restart keeps the quarantine: the server starts, nothing crashes, the requests still say why.
      assert.deepEqual(await server.stop('SIGTERM'), { code: 0, signal: null });
      server = await spawnMinter(setup.env);
      setup.running.push(server);
      token = (await getToken(server.baseUrl, admin, `${issuer}/api/v2/`)).access_token;
      assert.equal((await quarantineOf(api, actionId)).reason, first.reason);
      await assertRefusedAsQuarantined(api, tokenRequest, client.client_id, 'loading');
      assert.equal(server.output().stdout.includes('the sandbox process was lost'), false);

      // Lifting loads the version again: it still crashes, and is quarantined again.
      const lifted = await api('DELETE', `/actions/actions/${actionId}/versions/${versionId}/quarantine`);
      assert.equal(lifted.status, 204);
      const again = await quarantineOf(api, actionId);
      assert.equal(again.versionId, versionId);
      assert.notEqual(again.quarantinedAt, first.quarantinedAt);
      assert.equal((await api('DELETE', `/actions/actions/${actionId}/versions/not-a-version/quarantine`)).status, 404);

      // Deploying a fixed version recovers.
      assert.equal((await api('PATCH', `/actions/actions/${actionId}`, { code: FIXED })).status, 200);
      assert.equal((await api('POST', `/actions/actions/${actionId}/deploy`)).status, 201);
      const issued = await tokenRequest();
      assert.equal(issued.status, 200, issued.text);
      assert.equal(JSON.parse(Buffer.from(issued.body.access_token.split('.')[1], 'base64url').toString())['https://t/fixed'], true);
    });
  });
}

type Api = (method: string, path: string, body?: unknown) => Promise<WireResponse>;

/** The deployed version's quarantine, once the server has stored it. */
async function quarantineOf(api: Api, actionId: string): Promise<{ versionId: string; reason: string; quarantinedAt: string }> {
  for (let i = 0; i < 300; i++) {
    const action = await api('GET', `/actions/actions/${actionId}`);
    const version = action.body.deployed_version;
    if (version?.quarantine) return { versionId: version.id, reason: version.quarantine.reason, quarantinedAt: version.quarantine.quarantined_at };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`action ${actionId} was not quarantined`);
}

/** A token request fails with server_error and its execution record says the version is quarantined. */
async function assertRefusedAsQuarantined(api: Api, tokenRequest: () => ReturnType<typeof postToken>, clientId: string, phase: string) {
  const refused = await tokenRequest();
  assert.deepEqual(
    { status: refused.status, body: refused.body },
    { status: 500, body: { error: 'server_error', error_description: 'A token trigger failed; see the execution record in the logs' } },
  );
  let execution: any;
  for (let i = 0; i < 50 && execution === undefined; i++) {
    const logs = await api('GET', `/logs?type=feccft&client_id=${clientId}&per_page=1`);
    if (logs.body[0]?.execution_id) execution = (await api('GET', `/actions/executions/${logs.body[0].execution_id}`)).body;
    else await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const [result] = execution.results;
  assert.equal(result.status, 'runtime');
  assert.equal(
    result.error.msg,
    `This action version is quarantined: the sandbox process ended (signal SIGABRT) while this version was ${phase}. ` +
      'Deploy a new version, roll back, or lift the quarantine (DELETE /api/v2/actions/actions/{id}/versions/{versionId}/quarantine).',
  );
}
