/**
 * Host resources an action may hold (issue 11, finding 4): timers live in the isolate and end with their execution;
 * pending timers, pending fetches and console lines are capped per execution and per isolate, and every refusal is
 * counted in the execution record (`refused_calls`). Node semantics kept where they matter: timers fire in due order,
 * each followed by its own microtasks.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { auth0Action, fakeHost, only, request, ROOMY_SLICE, withEngine } from './engine-helpers.js';

const handler = (body: string) => `exports.onExecuteCredentialsExchange = async (event, api) => { ${body} };`;

/** A host whose fetch answers every URL after `ms`, and the URLs it was asked for. */
function slowHost(ms: number) {
  const fetched: string[] = [];
  const host = fakeHost({
    fetch: async (url) => {
      fetched.push(url);
      await sleep(ms);
      return { status: 200, statusText: 'OK', headers: {}, body: url };
    },
  });
  return { host, fetched };
}

describe('Timers are kept in the isolate and end with their execution', () => {
  test('timers fire in due order, each followed by its own microtasks, as in Node', async () => {
    const body = `const order = [];
  setTimeout(() => { order.push('a'); Promise.resolve().then(() => order.push('a-micro')); }, 10);
  setTimeout(() => order.push('b'), 10);
  setTimeout(() => order.push('c'), 5);
  const cleared = setTimeout(() => order.push('cleared'), 1);
  clearTimeout(cleared);
  await new Promise((resolve) => setTimeout(resolve, 30));
  api.accessToken.setCustomClaim('https://t/order', order);`;
    await withEngine({}, async (engine) => {
      engine.setBindings([auth0Action(handler(body))]);
      assert.deepEqual((await engine.run(request())).claims, { 'https://t/order': ['c', 'a', 'a-micro', 'b'] });
    });
  });

  test('a timer still pending when its execution ends never runs', async () => {
    const { host, fetched } = slowHost(0);
    await withEngine({ host }, async (engine) => {
      engine.setBindings([auth0Action(handler(`setTimeout(() => fetch('https://late.example.com/'), 20);`))]);
      assert.equal(only(await engine.run(request())).status, 'ok');
      await sleep(150);
      assert.deepEqual(fetched, []);
      // And the isolate is back on the fast path: nothing of that execution is left out.
      assert.equal(only(await engine.run(request())).status, 'ok');
    });
  });

  test('past maxTimers pending in one execution, setTimeout throws and the record counts the refusals', async () => {
    const body = `let refused = 0, message;
  for (let i = 0; i < 150; i++) { try { setTimeout(() => {}, 60000); } catch (e) { refused++; message = e.name + ': ' + e.message; } }
  api.accessToken.setCustomClaim('https://t/timers', { refused, message });`;
    await withEngine({}, async (engine) => {
      engine.setBindings([auth0Action(handler(body))]);
      const result = await engine.run(request());
      assert.deepEqual(result.claims, {
        'https://t/timers': {
          refused: 50,
          message: 'RangeError: setTimeout refused: an execution may have at most 100 timers pending',
        },
      });
      assert.deepEqual(only(result).refused_calls, { setTimeout: 50 });
    });
  });

  test('an action that does not catch the refusal fails with it, and says so in its record', async () => {
    await withEngine({ maxTimers: 10 }, async (engine) => {
      engine.setBindings([auth0Action(handler('for (let i = 0; i < 100000; i++) setTimeout(() => {}, 1000 + i);'))]);
      const action = only(await engine.run(request()));
      assert.equal(action.status, 'runtime');
      assert.deepEqual(action.error, {
        id: 'runtime_error',
        msg: 'RangeError: setTimeout refused: an execution may have at most 10 timers pending',
      });
      assert.deepEqual(action.refused_calls, { setTimeout: 1 });
    });
  });

  test('timers of all executions on one isolate are capped together (maxTimersPerIsolate)', async () => {
    // Each execution wants 6 timers; the second one runs on the same isolate while the first one's are pending.
    const body = `const wait = new Promise((resolve) => setTimeout(resolve, 200));
  const got = [];
  for (let i = 0; i < 5; i++) { try { setTimeout(() => {}, 5000); got.push('ok'); } catch (e) { got.push(e.message); } }
  await wait;
  api.accessToken.setCustomClaim('https://t/got', got);`;
    await withEngine({ maxTimers: 6, maxTimersPerIsolate: 10, maxIsolatesPerClient: 1 }, async (engine) => {
      engine.setBindings([auth0Action(handler(body))]);
      const [first, second] = await Promise.all([engine.run(request()), engine.run(request())]);
      const refusal = 'setTimeout refused: at most 10 timers may be pending on one isolate of an action version';
      assert.deepEqual(first.claims, { 'https://t/got': ['ok', 'ok', 'ok', 'ok', 'ok'] });
      assert.deepEqual(second.claims, { 'https://t/got': ['ok', 'ok', 'ok', refusal, refusal] });
      assert.equal(only(first).refused_calls, undefined);
      assert.deepEqual(only(second).refused_calls, { setTimeout: 2 });
    });
  });

  test('an execution stopped for time keeps its count of refused calls', async () => {
    const body = `for (let i = 0; i < 150; i++) { try { setTimeout(() => {}, 60000); } catch {} } for (;;) {}`;
    // 1.5 s: the budget covers creating the isolate, which can take longer than 300 ms with every core busy.
    await withEngine({ chainTimeoutMs: 1500 }, async (engine) => {
      engine.setBindings([auth0Action(handler(body))]);
      const action = only(await engine.run(request()));
      assert.equal(action.status, 'timeout');
      assert.deepEqual(action.refused_calls, { setTimeout: 50 });
    });
  });
});

describe('Fetches out at once are capped per execution and per isolate', () => {
  const fetchAll = (
    n: number,
  ) => `const results = await Promise.allSettled(Array.from({ length: ${n} }, (_, i) => fetch('https://api.example.com/' + i)));
  const refused = results.filter((r) => r.status === 'rejected').map((r) => r.reason.message);
  api.accessToken.setCustomClaim('https://t/fetch', { ok: results.length - refused.length, refused: [...new Set(refused)] });`;

  // The host answers each fetch after 1 s: every fetch of the action is asked while the first ones are still out, even
  // when a busy machine delays the later ones (with 30 ms, a fetch answered before the last was asked freed a place).
  test('past maxFetches, fetch rejects at once and the host is not asked', async () => {
    const { host, fetched } = slowHost(1000);
    // A run that outran a 10 ms slice on a busy machine is run again, and its fetches with it: not the subject here.
    await withEngine({ host, ...ROOMY_SLICE }, async (engine) => {
      engine.setBindings([auth0Action(handler(fetchAll(25)))]);
      const result = await engine.run(request());
      assert.deepEqual(result.claims, {
        'https://t/fetch': { ok: 20, refused: ['fetch refused: an execution may have at most 20 fetches pending'] },
      });
      assert.deepEqual(only(result).refused_calls, { fetch: 5 });
      assert.equal(fetched.length, 20);
    });
  });

  test('past maxFetchesPerIsolate, the host answers a refusal without making the request', async () => {
    const { host, fetched } = slowHost(1000);
    await withEngine({ host, maxFetchesPerIsolate: 3, ...ROOMY_SLICE }, async (engine) => {
      engine.setBindings([auth0Action(handler(fetchAll(5)))]);
      const result = await engine.run(request());
      assert.deepEqual(result.claims, {
        'https://t/fetch': {
          ok: 3,
          refused: ['fetch refused: at most 3 fetches may be pending on one isolate of an action version'],
        },
      });
      assert.deepEqual(only(result).refused_calls, { fetch: 2 });
      assert.equal(fetched.length, 3);
    });
  });
});

describe('Console output is capped in lines as well as bytes', () => {
  test('past 1000 lines in one execution (empty ones cost no bytes), lines are dropped and counted', async () => {
    await withEngine({}, async (engine) => {
      engine.setBindings([auth0Action(handler(`for (let i = 0; i < 1500; i++) console.log('');`))]);
      const action = only(await engine.run(request()));
      assert.equal(action.logs.length, 1000);
      assert.equal(action.logs_truncated, true);
      assert.deepEqual(action.refused_calls, { console: 500 });
    });
  });

  test('an action within every cap has no refused_calls in its record', async () => {
    await withEngine({}, async (engine) => {
      engine.setBindings([auth0Action(handler(`console.log('hi'); await new Promise((r) => setTimeout(r, 1));`))]);
      const action = only(await engine.run(request()));
      assert.equal(action.status, 'ok');
      assert.equal('refused_calls' in action, false);
    });
  });
});
