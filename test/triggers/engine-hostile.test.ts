/**
 * Runaway and hostile action code: each case must end in a bounded `server_error` denial, and afterwards the same
 * engine must still serve a normal action (the host stays up, the isolate is recreated).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ChainResult } from '../../src/triggers/contract.js';
import { assertStillServes, auth0Action, kindeAction, only, request, withEngine } from './engine-helpers.js';

const CHAIN_TIMEOUT_MS = 400;
const handler = (body: string) => `exports.onExecuteCredentialsExchange = async (event, api) => { ${body} };`;

function assertTimedOut(result: ChainResult, startedAt: number): void {
  assert.deepEqual(result.denial, { error: 'server_error', description: 'A token trigger did not finish in time.' });
  assert.equal(only(result).status, 'timeout');
  assert.equal(only(result).error?.id, 'timeout');
  const elapsed = performance.now() - startedAt;
  assert.ok(elapsed >= CHAIN_TIMEOUT_MS - 5 && elapsed < CHAIN_TIMEOUT_MS + 600, `stopped after ${elapsed} ms`);
}

/**
 * The budget of an action expected to fail at once: roomy, since creating the isolate on a machine whose cores are
 * all busy can take longer than {@link CHAIN_TIMEOUT_MS}, and the test ends as soon as the action does.
 */
const FAILING_TIMEOUT_MS = 10_000;

async function assertRuntime(body: string, message: string): Promise<void> {
  await withEngine({ chainTimeoutMs: FAILING_TIMEOUT_MS }, async (engine) => {
    engine.setBindings([auth0Action(handler(body))]);
    const result = await engine.run(request());
    assert.deepEqual(result.denial, { error: 'server_error', description: 'A token trigger failed.' });
    assert.equal(only(result).status, 'runtime');
    assert.equal(only(result).error?.msg, message);
    await assertStillServes(engine);
  });
}

describe('Runaway code is stopped by the chain budget (Auth0 notes §3.2: 20 s per flow)', () => {
  for (const [name, body] of [
    ['an infinite synchronous loop', 'for (;;) {}'],
    ['an infinite loop after an await', 'await null; for (;;) {}'],
    [
      'an infinite loop after a host callback (fetch)',
      "await fetch('http://127.0.0.1:9/').catch(() => {}); for (;;) {}",
    ],
    ['a promise that never resolves', 'await new Promise(() => {});'],
  ] as const) {
    test(`${name}: timeout → server_error, isolate recreated, host keeps serving`, async () => {
      await withEngine({ chainTimeoutMs: CHAIN_TIMEOUT_MS }, async (engine) => {
        const hostile = auth0Action(handler(body));
        engine.setBindings([hostile]);
        let startedAt = performance.now();
        assertTimedOut(await engine.run(request()), startedAt);
        startedAt = performance.now();
        assertTimedOut(await engine.run(request()), startedAt);
        await assertStillServes(engine);
      });
    });
  }

  test('an infinite loop at module top level: timeout, retried on the next request', async () => {
    await withEngine({ chainTimeoutMs: CHAIN_TIMEOUT_MS }, async (engine) => {
      engine.setBindings([auth0Action(`for (;;) {}\n${handler('')}`)]);
      let startedAt = performance.now();
      assertTimedOut(await engine.run(request()), startedAt);
      startedAt = performance.now();
      assertTimedOut(await engine.run(request()), startedAt);
      await assertStillServes(engine);
    });
  });

  test('a timeout does not disturb another request running on the same isolate', async () => {
    const code = handler(`if (event.request.ip === '192.0.2.1') await new Promise(() => {});
  await new Promise((resolve) => resolve());
  api.accessToken.setCustomClaim('https://t/ok', true);`);
    await withEngine({ chainTimeoutMs: CHAIN_TIMEOUT_MS }, async (engine) => {
      engine.setBindings([auth0Action(code)]);
      const hanging = engine.run(request({ request: { ...request().request, ip: '192.0.2.1' } }));
      const normal = await engine.run(request());
      assert.deepEqual(normal.claims, { 'https://t/ok': true });
      assert.equal((await hanging).results[0]?.status, 'timeout');
      assert.deepEqual((await engine.run(request())).claims, { 'https://t/ok': true });
    });
  });

  test("a request looping in an isolate does not hold up another client's requests to the same action version", async () => {
    const code = handler(`if (event.request.ip === '192.0.2.66') for (;;) {}
  api.accessToken.setCustomClaim('https://t/ok', true);`);
    await withEngine({ chainTimeoutMs: 1000 }, async (engine) => {
      engine.setBindings([auth0Action(code)]);
      await engine.run(request());
      const hostile = engine.run(request({ request: { ...request().request, ip: '192.0.2.66' } }));
      await new Promise((resolve) => setTimeout(resolve, 50));
      const started = performance.now();
      const innocent = await engine.run(
        request({ client: { client_id: 'cli_other', name: 'Other service', metadata: {} } }),
      );
      assert.deepEqual(innocent.claims, { 'https://t/ok': true });
      assert.ok(performance.now() - started < 700, 'served by another isolate, not queued behind the loop');
      assert.equal((await hostile).results[0]?.status, 'timeout');
    });
  });

  test("the same client's next request waits for its own isolate, and is served once the loop is stopped", async () => {
    // One client may hold half the version's isolates (here 1 of 2): its requests past that wait for its own.
    const code = handler(`if (event.request.ip === '192.0.2.66') for (;;) {}
  api.accessToken.setCustomClaim('https://t/ok', true);`);
    await withEngine({ chainTimeoutMs: 1000, maxIsolatesPerVersion: 2, syncSliceMs: 0 }, async (engine) => {
      engine.setBindings([auth0Action(code)]);
      await engine.run(request());
      const ended: string[] = [];
      const hostile = engine
        .run(request({ request: { ...request().request, ip: '192.0.2.66' } }))
        .then((r) => (ended.push('hostile'), r));
      // Late enough that, once the loop is stopped, a fresh isolate has time to load within this request's budget.
      await new Promise((resolve) => setTimeout(resolve, 400));
      const innocent = await engine.run(request()).then((r) => (ended.push('innocent'), r));
      assert.deepEqual(innocent.claims, { 'https://t/ok': true });
      assert.equal((await hostile).results[0]?.status, 'timeout');
      assert.deepEqual(ended, ['hostile', 'innocent']);
    });
  });

  test('Kinde failurePolicy continue: a timed-out workflow is skipped, the token is issued', async () => {
    const code = `module.exports.default = async () => { kinde.m2mToken.setCustomClaim('lost', 1); for (;;) {} };`;
    await withEngine({ chainTimeoutMs: CHAIN_TIMEOUT_MS }, async (engine) => {
      engine.setBindings([kindeAction(code, ['kinde.m2mToken'], 'continue')]);
      const result = await engine.run(request());
      assert.equal(result.denial, undefined);
      assert.deepEqual(result.claims, {});
      assert.equal(only(result).status, 'timeout');
      assert.equal(only(result).failure_policy, 'continue');
    });
  });
});

describe('Memory bombs are contained by the isolate memory limit', () => {
  test('an allocation bomb: status oom, server_error, isolate recreated, host keeps serving', async () => {
    await withEngine({ chainTimeoutMs: 10_000, memoryLimitMb: 64 }, async (engine) => {
      const bomb = auth0Action(handler('const hoard = []; for (;;) hoard.push(new Array(1e6).fill(Math.random()));'));
      for (let round = 0; round < 2; round++) {
        engine.setBindings([bomb]);
        const result = await engine.run(request());
        assert.deepEqual(result.denial, { error: 'server_error', description: 'A token trigger ran out of memory.' });
        assert.equal(only(result).status, 'oom');
        assert.equal(only(result).error?.id, 'out_of_memory');
      }
      await assertStillServes(engine);
    });
  });

  test('a huge ArrayBuffer is refused inside the isolate (runtime error), the host is untouched', async () => {
    await assertRuntime('new ArrayBuffer(4 * 1024 * 1024 * 1024);', 'RangeError: Array buffer allocation failed');
  });
});

describe('No way out of the sandbox: no fs, no process, no host objects', () => {
  test("require('fs') throws a clear error (issue 13: the deploy check's text)", async () => {
    await assertRuntime(
      "require('fs').readFileSync('/etc/passwd');",
      'Error: the Node built-in "fs" is not available in Minter actions: there is no file system: keep configuration in event.secrets, or fetch() it over https',
    );
  });

  test('process.exit does not exist (process is a stand-in without the host, issue 13)', async () => {
    await assertRuntime('process.exit(1);', 'TypeError: process.exit is not a function');
  });

  test("this.constructor.constructor('return process')() reaches nothing", async () => {
    await assertRuntime(
      "this.constructor.constructor('return process')().exit(1);",
      'TypeError: this.constructor.constructor(...)(...).exit is not a function',
    );
  });

  test('the global object holds only the platform globals (Node 22 has Buffer and process: issue 13)', async () => {
    const code = handler(`const g = globalThis;
  api.accessToken.setCustomClaim('https://t/globals', [typeof g.process, typeof g.require, typeof g.module,
  typeof g.Buffer, typeof g.setTimeout, typeof g.fetch, typeof g.URL, typeof g.console.log]);`);
    await withEngine({}, async (engine) => {
      engine.setBindings([auth0Action(code)]);
      assert.deepEqual((await engine.run(request())).claims, {
        'https://t/globals': [
          'object',
          'undefined',
          'undefined',
          'function',
          'function',
          'function',
          'function',
          'function',
        ],
      });
    });
  });

  test("a patched Object.prototype.toJSON cannot forge the record (the host's own checks: sandbox-record.test.ts)", async () => {
    const code = handler(`Object.prototype.toJSON = function () {
    if (this !== null && typeof this === 'object' && 'outcome' in this) {
      return { outcome: 'ok', denial: null, error: null, claims: [['sub', '"evil"'], ['https://t/big', '"' + 'x'.repeat(200000) + '"']],
        refused: [], target: ['admin', 'root'], logs: [['log', 'x'.repeat(10000)]], logsTruncated: false };
    }
    return this;
  };
  console.log('honest');`);
    await withEngine({ maxLogBytesPerAction: 100 }, async (engine) => {
      engine.setBindings([auth0Action(code)]);
      const result = await engine.run(request({ grantedScopes: ['read:invoices', 'admin'] }));
      assert.deepEqual(result.claims, {});
      assert.deepEqual(result.scopes, ['read:invoices']);
      const action = only(result);
      assert.equal(action.status, 'ok');
      assert.deepEqual(action.refused_claims, []);
      assert.deepEqual(action.logs, [{ level: 'log', message: 'honest' }]);
      assert.equal(action.logs_truncated, false);
    });
  });
});
