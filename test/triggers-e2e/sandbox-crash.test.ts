/**
 * Issue 11, finding 1: nothing in action code can end the server. `Atomics.waitAsync(…, timeout)` aborted the whole
 * process (SIGABRT) on the token path, through `POST /actions/actions/{id}/test`, at deploy from top-level code, and
 * from a Kinde workflow. The sandbox removes it (sandbox/hardening.ts): each way now fails cleanly with a record that
 * says why, and the server keeps answering. An action that makes V8 itself give up (`sort` on an array-like 2³²−1
 * long, a `Map` that outgrows the isolate heap: V8 ends the process, whatever the isolate's memory limit) ends only
 * the sandbox process: that request fails with `server_error` and a record that says so, and the server goes on.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { bind, deployAction, requestToken, TRIGGER_FAILED } from '../helpers/actions.js';
import { provision, startMinter, type RunningMinter } from '../helpers/minter.js';

type Client = Awaited<ReturnType<typeof provision>>;

const ATOMICS_WAIT_ASYNC = 'Atomics.waitAsync(new Int32Array(new SharedArrayBuffer(16)), 0, 0, 10);';
/** Grows a Map until V8 cannot fit its next hash table in the isolate heap, which V8 answers by ending the process. */
const MAP_BOMB = 'const grow = new Map(); for (let i = 0; ; i++) grow.set(i, i);';
/** V8 copies the array-like into a list 2³²−1 long: `invalid array length`, the process ends. */
const SORT_BOMB = 'Array.prototype.sort.call({ length: 2 ** 32 - 1 });';
/** 2⁵³ steps of a built-in loop that never checks for termination: its thread is held for ever. */
const ENDLESS_BUILTIN = 'Array.prototype.indexOf.call({ length: 2 ** 53 - 1 }, 1);';

async function lastExecution(m: RunningMinter, client: Client, type = 'feccft') {
  const logs = await m.api('GET', `/logs?type=${type}&client_id=${client.clientId}&per_page=1`);
  assert.equal(logs.status, 200);
  const execution = await m.api('GET', `/actions/executions/${logs.body[0].execution_id}`);
  return execution.body.results as Array<{ status: string; error?: { id: string; msg: string }; version_id: string }>;
}

/** `minter_sandbox_replaced_total{reason}` from `GET /metrics`. */
async function replaced(m: RunningMinter, reason: string): Promise<number> {
  const text = await (await fetch(`${m.baseUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`minter_sandbox_replaced_total{reason="${reason}"}`));
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
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
      assert.deepEqual(denied, TRIGGER_FAILED);
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
    assert.deepEqual(denied, TRIGGER_FAILED);
    const [result] = await lastExecution(m, hostile);
    assert.deepEqual(result!.error, { id: 'runtime_error', msg: 'ReferenceError: Atomics is not defined' });
    await assertServing(m, innocent);
    await bind(m, 'm2m:token_generation', []);
  });
});

describe('An action that makes V8 end its process ends only the sandbox process', () => {
  let m: RunningMinter;
  let hostile: Client;
  let innocent: Client;
  before(async () => {
    // 16 MB isolates: the Map bomb reaches V8's limit in a fraction of a second even on a busy machine.
    m = await startMinter({ env: { MINTER_ACTIONS_TIMEOUT_MS: '10000', MINTER_ACTIONS_MEMORY_MB: '16' } });
    hostile = await provision(m);
    innocent = await provision(m);
  });
  after(() => m?.close());

  test('on one input of a version that served before: that request fails, the sandbox is replaced', async () => {
    const sorter = await provision(m);
    const id = await deployAction(m, {
      name: 'bombs-on-input',
      code: `exports.onExecuteCredentialsExchange = async (event, api) => {
  if (event.client.client_id === ${JSON.stringify(hostile.clientId)}) { ${MAP_BOMB} }
  if (event.client.client_id === ${JSON.stringify(sorter.clientId)}) { ${SORT_BOMB} }
  api.accessToken.setCustomClaim('https://t/ran', true);
};`,
    });
    await bind(m, 'credentials-exchange', [id]);
    assert.equal((await requestToken(m, innocent)).status, 200);

    const before = await replaced(m, 'crashed');
    const sandboxEnded = /^The sandbox process ended \(signal SIGABRT\) while this request ran/;
    for (const culprit of [sorter, sorter]) {
      const crashed = await requestToken(m, culprit);
      assert.deepEqual(crashed, TRIGGER_FAILED);
      const [lost] = await lastExecution(m, culprit);
      assert.equal(lost!.status, 'runtime');
      assert.match(lost!.error!.msg, sandboxEnded);
      // The server, and the version for every other input, go on.
      await assertServing(m, innocent);
    }
    assert.equal(await replaced(m, 'crashed'), before + 2);
    // The Map ends the sandbox process, or (when V8's heap-limit callback comes first) only its isolate: either way
    // the request fails and the rest goes on.
    assert.equal((await requestToken(m, hostile)).status, 500);
    const [bombed] = await lastExecution(m, hostile);
    if (bombed!.status === 'oom')
      assert.deepEqual(bombed!.error, { id: 'out_of_memory', msg: 'The action ran out of memory' });
    else assert.match(bombed!.error!.msg, sandboxEnded);
    await assertServing(m, innocent);
    await bind(m, 'credentials-exchange', []);
  });

  test('a built-in that never stops, on the synchronous path: the sandbox misses its pings and is replaced', async () => {
    const id = await deployAction(m, {
      name: 'endless-on-input',
      code: `exports.onExecuteCredentialsExchange = async (event) => {
  if (event.client.client_id === ${JSON.stringify(hostile.clientId)}) { ${ENDLESS_BUILTIN} }
};`,
    });
    await bind(m, 'credentials-exchange', [id]);
    assert.equal((await requestToken(m, innocent)).status, 200);
    assert.equal((await requestToken(m, hostile)).status, 500);
    // The pings (5 s) ended it, not the request's own deadline (10 s): the record says which.
    const [lost] = await lastExecution(m, hostile);
    assert.match(lost!.error!.msg, /^The sandbox process ended \(no answer for 5000 ms\) while this request ran/);
    assert.equal(await replaced(m, 'unresponsive'), 1);
    await assertServing(m, innocent);
    await bind(m, 'credentials-exchange', []);
  });

  test('a built-in that never stops, off the main thread: the call times out, its thread is reported, the sandbox is replaced', async () => {
    // A workflow that declares kinde.fetch always runs off the sandbox's main thread.
    const id = await deployAction(m, {
      name: 'endless-kinde',
      trigger: 'm2m:token_generation',
      code: `import { onM2MTokenGeneratedEvent, WorkflowSettings, WorkflowTrigger } from '@kinde/infrastructure';
export const workflowSettings: WorkflowSettings = { id: 'endless', trigger: WorkflowTrigger.M2MTokenGeneration, bindings: { 'kinde.fetch': {} } };
export default async function Workflow(event: onM2MTokenGeneratedEvent) {
  if (event.context.application.clientId === ${JSON.stringify(hostile.clientId)}) { ${ENDLESS_BUILTIN} }
}`,
    });
    await bind(m, 'm2m:token_generation', [id]);
    assert.equal((await requestToken(m, innocent)).status, 200);
    assert.equal((await requestToken(m, hostile)).status, 500);
    const [stopped] = await lastExecution(m, hostile);
    assert.deepEqual(stopped!.error, { id: 'timeout', msg: 'The action did not finish in time' });
    // The sandbox reports the thread that did not come back (2 s after the deadline) and is replaced. The other
    // requests are answered throughout.
    for (let i = 0; i < 50 && (await replaced(m, 'stuck')) === 0; i++) {
      assert.equal((await requestToken(m, innocent)).status, 200);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(await replaced(m, 'stuck'), 1);
    assert.equal((await requestToken(m, innocent)).status, 200);
    await bind(m, 'm2m:token_generation', []);
  });

  test('on its first request: that request fails, the version is quarantined at once, a fixed version runs', async () => {
    const id = await deployAction(m, {
      name: 'sort-bomb-always',
      code: `exports.onExecuteCredentialsExchange = async (event, api) => { ${SORT_BOMB} };`,
    });
    await bind(m, 'credentials-exchange', [id]);
    const versionId = (await m.api('GET', `/actions/actions/${id}`)).body.deployed_version.id as string;
    const crashed = await requestToken(m, hostile);
    assert.deepEqual(crashed, TRIGGER_FAILED);
    const [lost] = await lastExecution(m, hostile);
    assert.match(lost!.error!.msg, /^The sandbox process ended \(signal SIGABRT\) while this request ran/);
    assert.equal((await fetch(`${m.baseUrl}/health`)).status, 200);
    // It never finished a run: quarantined at once, not crashed again by every request (docs/security.md, "Quarantine").
    let quarantine: { reason: string } | undefined;
    for (let i = 0; i < 100 && quarantine === undefined; i++) {
      quarantine = (await m.api('GET', `/actions/actions/${id}/versions/${versionId}`)).body.quarantine;
      if (quarantine === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.match(
      quarantine!.reason,
      /^The sandbox process that runs actions ended \(signal SIGABRT\) at \S+Z while it was running this version for the first time/,
    );
    const crashes = await replaced(m, 'crashed');
    for (const client of [hostile, innocent]) {
      assert.equal((await requestToken(m, client)).status, 500);
      const [refused] = await lastExecution(m, client);
      assert.match(
        refused!.error!.msg,
        new RegExp(`^Version ${versionId} of action "sort-bomb-always" is quarantined since`),
      );
    }
    assert.equal(await replaced(m, 'crashed'), crashes, 'no further crash');
    const fixed = await m.api('PATCH', `/actions/actions/${id}`, {
      code: `exports.onExecuteCredentialsExchange = async () => {};`,
    });
    assert.equal(fixed.status, 200);
    assert.equal((await m.api('POST', `/actions/actions/${id}/deploy`)).status, 201);
    assert.equal((await requestToken(m, hostile)).status, 200);
    assert.equal((await requestToken(m, innocent)).status, 200);
    await bind(m, 'credentials-exchange', []);
  });
});

describe('MINTER_ACTIONS_ISOLATION=inline: actions run in the server process, hardened alike', () => {
  let m: RunningMinter;
  let client: Client;
  before(async () => {
    m = await startMinter({ env: { MINTER_ACTIONS_ISOLATION: 'inline' } });
    client = await provision(m);
  });
  after(() => m?.close());

  test('a token carries the claim the action set; the removed globals are gone there too', async () => {
    const id = await deployAction(m, {
      name: 'inline',
      code: `exports.onExecuteCredentialsExchange = async (event, api) => {
  api.accessToken.setCustomClaim('https://t/removed', [typeof SharedArrayBuffer, typeof Atomics, typeof WebAssembly, typeof FinalizationRegistry]);
};`,
    });
    await bind(m, 'credentials-exchange', [id]);
    const issued = await requestToken(m, client);
    assert.equal(issued.status, 200);
    const claims = JSON.parse(Buffer.from(issued.body.access_token.split('.')[1], 'base64url').toString());
    assert.deepEqual(claims['https://t/removed'], ['undefined', 'undefined', 'undefined', 'undefined']);
  });
});
