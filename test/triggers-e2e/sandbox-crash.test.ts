/**
 * Issue 11, finding 1: nothing in action code can end the server. `Atomics.waitAsync(…, timeout)` aborted the whole
 * process (SIGABRT) on the token path, through `POST /actions/actions/{id}/test`, at deploy from top-level code, and
 * from a Kinde workflow. The sandbox removes it (sandbox-hardening.ts): each way now fails cleanly with a record that
 * says why, and the server keeps answering.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { bind, deployAction, requestToken } from '../helpers/actions.js';
import { provision, startMinter, type RunningMinter } from '../helpers/minter.js';

type Client = Awaited<ReturnType<typeof provision>>;

const ATOMICS_WAIT_ASYNC = 'Atomics.waitAsync(new Int32Array(new SharedArrayBuffer(16)), 0, 0, 10);';

async function lastExecution(m: RunningMinter, client: Client, type = 'feccft') {
  const logs = await m.api('GET', `/logs?type=${type}&client_id=${client.clientId}&per_page=1`);
  assert.equal(logs.status, 200);
  const execution = await m.api('GET', `/actions/executions/${logs.body[0].execution_id}`);
  return execution.body.results as Array<{ status: string; error?: { id: string; msg: string }; version_id: string }>;
}

/** The server still answers: health, discovery, and a token for a client no action touches. */
async function assertServing(m: RunningMinter, innocent: Client): Promise<void> {
  assert.equal((await fetch(`${m.baseUrl}/health`)).status, 200);
  assert.equal((await fetch(`${m.baseUrl}/.well-known/openid-configuration`)).status, 200);
  const token = await requestToken(m, innocent);
  assert.equal(token.status, 200, JSON.stringify(token.body));
}

describe('Atomics.waitAsync and friends are gone: every way of reaching them fails cleanly', () => {
  let m: RunningMinter;
  let hostile: Client;
  let innocent: Client;
  before(async () => {
    m = await startMinter({ env: { MINTER_ACTIONS_TIMEOUT_MS: '3000' } });
    hostile = await provision(m);
    innocent = await provision(m);
  });
  after(() => m?.close());

  test('on the token path: server_error, the record says Atomics is not defined', async () => {
    const id = await deployAction(m, {
      name: 'wait-async',
      code: `exports.onExecuteCredentialsExchange = async (event, api) => {
  if (event.client.client_id !== ${JSON.stringify(hostile.clientId)}) return;
  ${ATOMICS_WAIT_ASYNC}
};`,
    });
    await bind(m, 'credentials-exchange', [id]);
    for (let i = 0; i < 3; i++) {
      const denied = await requestToken(m, hostile);
      assert.deepEqual(denied, { status: 500, body: { error: 'server_error', error_description: 'A token trigger failed; see the execution record in the logs' } });
    }
    const [result] = await lastExecution(m, hostile);
    assert.equal(result!.status, 'runtime');
    assert.deepEqual(result!.error, { id: 'runtime_error', msg: 'ReferenceError: Atomics is not defined' });
    await assertServing(m, innocent);
    await bind(m, 'credentials-exchange', []);
  });

  test('the platform globals have no SharedArrayBuffer, Atomics, WebAssembly or FinalizationRegistry', async () => {
    const id = await deployAction(m, {
      name: 'globals',
      code: `exports.onExecuteCredentialsExchange = async (event, api) => {
  api.accessToken.setCustomClaim('https://t/removed', [typeof SharedArrayBuffer, typeof Atomics, typeof WebAssembly,
    typeof FinalizationRegistry, String(Error.prepareStackTrace), Object.getOwnPropertyNames(globalThis).filter((n) => /Atomics|Shared|Assembly|Finalization/.test(n)).length]);
};`,
    });
    await bind(m, 'credentials-exchange', [id]);
    const issued = await requestToken(m, hostile);
    assert.equal(issued.status, 200);
    const claims = JSON.parse(Buffer.from(issued.body.access_token.split('.')[1], 'base64url').toString());
    assert.deepEqual(claims['https://t/removed'], ['undefined', 'undefined', 'undefined', 'undefined', 'undefined', 0]);
    await bind(m, 'credentials-exchange', []);
  });

  test('through POST /actions/actions/{id}/test: a runtime failure in the payload, the server goes on', async () => {
    const created = await m.api('POST', '/actions/actions', {
      name: 'wait-async-test',
      supported_triggers: [{ id: 'credentials-exchange', version: 'v2' }],
      code: `exports.onExecuteCredentialsExchange = async () => { ${ATOMICS_WAIT_ASYNC} };`,
    });
    assert.equal(created.status, 201);
    const run = await m.api('POST', `/actions/actions/${created.body.id}/test`, { payload: {} });
    assert.equal(run.status, 200);
    assert.equal(run.body.payload.status, 'runtime');
    assert.deepEqual(run.body.payload.error, { id: 'runtime_error', msg: 'ReferenceError: Atomics is not defined' });
    await assertServing(m, innocent);
  });

  test('at the top level, at deploy: 400 build_failed', async () => {
    const created = await m.api('POST', '/actions/actions', {
      name: 'wait-async-top',
      supported_triggers: [{ id: 'credentials-exchange', version: 'v2' }],
      code: `${ATOMICS_WAIT_ASYNC}\nexports.onExecuteCredentialsExchange = async () => {};`,
      deploy: true,
    });
    assert.equal(created.status, 400);
    assert.equal(created.body.errorCode, 'build_failed');
    assert.match(created.body.message, /The module failed while loading: Atomics is not defined/);
    await assertServing(m, innocent);
  });

  test('from a Kinde workflow: server_error, the record says why', async () => {
    const id = await deployAction(m, {
      name: 'wait-async-kinde',
      trigger: 'm2m:token_generation',
      code: `import { onM2MTokenGeneratedEvent, WorkflowSettings, WorkflowTrigger } from '@kinde/infrastructure';
export const workflowSettings: WorkflowSettings = { id: 'waitAsync', trigger: WorkflowTrigger.M2MTokenGeneration, bindings: {} };
export default async function Workflow(event: onM2MTokenGeneratedEvent) {
  if (event.context.application.clientId !== ${JSON.stringify(hostile.clientId)}) return;
  ${ATOMICS_WAIT_ASYNC}
}`,
    });
    await bind(m, 'm2m:token_generation', [id]);
    const denied = await requestToken(m, hostile);
    assert.deepEqual(denied, { status: 500, body: { error: 'server_error', error_description: 'A token trigger failed; see the execution record in the logs' } });
    const [result] = await lastExecution(m, hostile);
    assert.deepEqual(result!.error, { id: 'runtime_error', msg: 'ReferenceError: Atomics is not defined' });
    await assertServing(m, innocent);
    await bind(m, 'm2m:token_generation', []);
  });
});
