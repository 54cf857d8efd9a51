import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { auth0Action, fakeHost, kindeAction, only, request, withEngine } from './engine-helpers.js';

const handler = (body: string) => `exports.onExecuteCredentialsExchange = async (event, api) => { ${body} };`;

describe('Console output is captured per action (Auth0 notes §3.5)', () => {
  test('console.log/info/warn/error/debug are recorded with their level, formatted like Node', async () => {
    const body = `console.log('plain', 42, true, null, undefined);
  console.info('%s has %d items', 'cart', 3);
  console.warn({ a: [1, 'two'], b: { c: null } });
  console.error(new TypeError('bad'));
  console.debug('id=%j', { id: 7 });`;
    await withEngine({}, async (engine) => {
      engine.setBindings([auth0Action(handler(body))]);
      const logs = only(await engine.run(request())).logs;
      assert.deepEqual(logs.slice(0, 3), [
        { level: 'log', message: 'plain 42 true null undefined' },
        { level: 'info', message: 'cart has 3 items' },
        { level: 'warn', message: '{"a":[1,"two"],"b":{"c":null}}' },
      ]);
      assert.equal(logs[3]?.level, 'error');
      assert.match(logs[3]?.message ?? '', /^TypeError: bad\n {4}at /);
      assert.deepEqual(logs[4], { level: 'debug', message: 'id={"id":7}' });
      assert.equal(logs.length, 5);
    });
  });

  test('output past maxLogBytesPerAction is cut at a character boundary and logs_truncated is set', async () => {
    await withEngine({ maxLogBytesPerAction: 10 }, async (engine) => {
      engine.setBindings([auth0Action(handler(`console.log('12345'); console.log('éééé'); console.log('never');`))]);
      const action = only(await engine.run(request()));
      assert.deepEqual(action.logs, [
        { level: 'log', message: '12345' },
        { level: 'log', message: 'éé' },
      ]);
      assert.equal(action.logs_truncated, true);
    });
  });

  test('the default bound is 4096 bytes per action', async () => {
    await withEngine({}, async (engine) => {
      engine.setBindings([auth0Action(handler(`for (let i = 0; i < 100; i++) console.log('x'.repeat(100));`))]);
      const action = only(await engine.run(request()));
      assert.equal(
        action.logs.reduce((n, l) => n + Buffer.byteLength(l.message), 0),
        4096,
      );
      assert.equal(action.logs_truncated, true);
    });
  });

  test('each action and each request gets its own logs; output after the handler ended is dropped', async () => {
    const code = handler(
      `console.log('run ' + event.request.ip); Promise.resolve().then(() => Promise.resolve()).then(() => console.log('late'));`,
    );
    const other = handler(`console.log('second action');`);
    await withEngine({}, async (engine) => {
      engine.setBindings([auth0Action(code), auth0Action(other)]);
      const first = await engine.run(request());
      assert.deepEqual(
        first.results.map((r) => r.logs),
        [[{ level: 'log', message: 'run 203.0.113.7' }], [{ level: 'log', message: 'second action' }]],
      );
      const second = await engine.run(request({ request: { ...request().request, ip: '198.51.100.1' } }));
      assert.deepEqual(second.results[0]?.logs, [{ level: 'log', message: 'run 198.51.100.1' }]);
    });
  });

  describe('an action stopped for time keeps what it printed before', () => {
    // The budget covers creating the isolate too, which took up to ~600 ms with every core busy (300 ms was not enough
    // for the action to print anything before it ran out).
    const BUDGET_MS = 1500;
    for (const [name, body, sliceMs] of [
      ['a synchronous loop (stopped on the main thread, run again off it, stopped there)', 'for (;;) {}', 10],
      ['a loop after an await, off the main thread only', 'await null; for (;;) {}', 0],
      ['a promise that never settles', 'await new Promise(() => {});', 10],
    ] as const) {
      test(name, async () => {
        await withEngine({ chainTimeoutMs: BUDGET_MS, syncSliceMs: sliceMs }, async (engine) => {
          engine.setBindings([
            auth0Action(handler(`console.log('started', event.request.ip); console.warn('%d%% sure', 99); ${body}`)),
          ]);
          const action = only(await engine.run(request()));
          assert.equal(action.status, 'timeout');
          assert.deepEqual(action.logs, [
            { level: 'log', message: 'started 203.0.113.7' },
            { level: 'warn', message: '99% sure' },
          ]);
          assert.equal(action.logs_truncated, false);
        });
      });
    }

    test('the bound still applies, and a Kinde workflow gets the same', async () => {
      await withEngine({ chainTimeoutMs: BUDGET_MS, maxLogBytesPerAction: 8 }, async (engine) => {
        const code = `module.exports = { default: async () => { console.log('1234'); console.log('56789'); for (;;) {} } };`;
        engine.setBindings([kindeAction(code, [])]);
        const action = only(await engine.run(request()));
        assert.equal(action.status, 'timeout');
        assert.deepEqual(action.logs, [
          { level: 'log', message: '1234' },
          { level: 'log', message: '5678' },
        ]);
        assert.equal(action.logs_truncated, true);
      });
    });
  });

  test('concurrent requests on one isolate keep their own lines across awaited fetches', async () => {
    const host = fakeHost({
      fetch: async (url) => {
        await sleep(url.endsWith('/slow') ? 60 : 5);
        return { status: 200, statusText: 'OK', headers: {}, body: url };
      },
    });
    const code = handler(`const tag = event.request.ip;
  console.log(tag + ' before');
  const res = await fetch('http://127.0.0.1:1/' + (tag === 'A' ? 'slow' : 'fast'));
  console.log(tag + ' after ' + (await res.text()));`);
    await withEngine({ host }, async (engine) => {
      engine.setBindings([auth0Action(code)]);
      const run = (ip: string) => engine.run(request({ request: { ...request().request, ip } }));
      const [a, b] = await Promise.all([run('A'), run('B')]);
      assert.deepEqual(
        only(a).logs.map((l) => l.message),
        ['A before', 'A after http://127.0.0.1:1/slow'],
      );
      assert.deepEqual(
        only(b).logs.map((l) => l.message),
        ['B before', 'B after http://127.0.0.1:1/fast'],
      );
    });
  });
});
