/**
 * Fairness between clients inside the engine (issue 11, finding 3; src/triggers/runtime/version-isolate.ts,
 * "Fairness"): one client's stuck requests hold at most its share of a version's isolates, another client's
 * requests never queue behind them, a client that keeps outrunning its slice leaves the others on the synchronous
 * path, and past MINTER_ACTIONS_MAX_ISOLATES a client with no isolate waits and fails within its own budget.
 * Assertions are on outcomes and their order, not on timings.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { createTriggerEngine } from '../../src/triggers/engine.js';
import { auth0Action, fakeHost, only, request, withEngine } from './engine-helpers.js';

type Engine = ReturnType<typeof createTriggerEngine>;
const handler = (body: string) => `exports.onExecuteCredentialsExchange = async (event, api) => { ${body} };`;
const of = (client: string) => request({ client: { client_id: client, name: client, metadata: {} } });
/** Loops for client A only; every other client gets its claim. */
const LOOP_FOR_A = handler(`if (event.client.client_id === 'A') for (;;) {}
  api.accessToken.setCustomClaim('https://t/client', event.client.client_id);`);

/** Whether `engine.run` answered within the turn of the event loop it was asked in (the synchronous path). */
async function answeredSynchronously(engine: Engine, client: string): Promise<boolean> {
  let done = false;
  const running = engine.run(of(client)).then(() => (done = true));
  for (let i = 0; i < 1000 && !done; i++) await null;
  await new Promise((resolve) => setImmediate(resolve));
  const synchronous = done;
  await running;
  return synchronous;
}

describe("One client's stuck requests do not hold up another client", () => {
  test('more stuck requests of A than the version has isolates: B is answered before any of them ends', async () => {
    await withEngine({ maxIsolatesPerVersion: 2, chainTimeoutMs: 1500 }, async (engine) => {
      engine.setBindings([auth0Action(LOOP_FOR_A)]);
      await engine.run(of('B'));
      const ended: string[] = [];
      const stuck = Array.from({ length: 4 }, (_, i) =>
        engine.run(of('A')).then((result) => (ended.push(`A${i}`), result)),
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
      for (let i = 0; i < 5; i++) {
        const served = await engine.run(of('B'));
        ended.push('B');
        assert.deepEqual(served.claims, { 'https://t/client': 'B' });
      }
      for (const result of await Promise.all(stuck)) {
        assert.equal(only(result).status, 'timeout');
        assert.match(only(result).error?.msg ?? '', /did not finish in time/);
      }
      assert.deepEqual(ended.slice(0, 5), ['B', 'B', 'B', 'B', 'B']);
    });
  });

  test('a client that keeps outrunning its slice turns slow alone: another client keeps the synchronous path', async () => {
    // 1 s of CPU: far past the 5 ms slice even when a loaded machine wakes isolated-vm's timer thread late.
    const code =
      handler(`if (event.client.client_id === 'A') { const until = Date.now() + 1000; while (Date.now() < until) {} }
  api.accessToken.setCustomClaim('https://t/client', event.client.client_id);`);
    await withEngine({ syncSliceMs: 5, chainTimeoutMs: 5000 }, async (engine) => {
      engine.setBindings([auth0Action(code)]);
      assert.equal(only(await engine.run(of('A'))).status, 'ok'); // three slices outrun: A is slow
      await engine.run(of('B')); // a fresh isolate for B (A's runs retired theirs)
      assert.equal(await answeredSynchronously(engine, 'A'), false, 'A should run off the main thread');
      // A busy machine may take B's 5 ms slice away once (B's call then runs again off the main thread, without
      // counting against B, whose CPU stayed within the slice): B keeps the path if one of three calls takes it.
      let bSynchronous = false;
      for (let i = 0; i < 3 && !bSynchronous; i++) bSynchronous = await answeredSynchronously(engine, 'B');
      assert.equal(bSynchronous, true, 'B should keep the synchronous path');
    });
  });
});

describe('Code no request owns cannot hold an isolate', () => {
  test('a loop in the continuation of a fetch left unawaited is stopped, and requests go elsewhere meanwhile', async () => {
    let answer: (() => void) | undefined;
    const host = fakeHost({
      fetch: (url) =>
        url.endsWith('/orphan')
          ? new Promise((resolve) => (answer = () => resolve({ status: 200, statusText: 'OK', headers: {}, body: '' })))
          : Promise.reject(new Error('no network')),
    });
    const code =
      handler(`if (event.client.client_id === 'A') fetch('https://idp.example.com/orphan').then(() => { for (;;) {} });
  api.accessToken.setCustomClaim('https://t/client', event.client.client_id);`);
    await withEngine({ host }, async (engine) => {
      engine.setBindings([auth0Action(code)]);
      assert.deepEqual((await engine.run(of('A'))).claims, { 'https://t/client': 'A' });
      for (let i = 0; i < 50 && answer === undefined; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      answer!(); // the continuation now spins on the isolate A's request left behind
      await new Promise((resolve) => setTimeout(resolve, 100));
      for (let i = 0; i < 5; i++) assert.deepEqual((await engine.run(of('B'))).claims, { 'https://t/client': 'B' });
      // Within a second or two the spinning isolate is disposed: the process stops burning a core.
      let spinning = true;
      for (let i = 0; i < 10 && spinning; i++) {
        const before = process.cpuUsage();
        await new Promise((resolve) => setTimeout(resolve, 500));
        const { user, system } = process.cpuUsage(before);
        spinning = (user + system) / 1000 > 250;
      }
      assert.equal(spinning, false, 'the loop still runs');
      assert.deepEqual((await engine.run(of('A'))).claims, { 'https://t/client': 'A' });
    });
  });
});

describe('MINTER_ACTIONS_MAX_ISOLATES bounds the isolates of every version together', () => {
  test('past it, a client with no isolate of its own waits, and fails within its own budget', async () => {
    // Chain [first, second], 3 isolates in all. C spends 500 ms in `first`; meanwhile A, arriving 100 ms after C, takes
    // a second isolate of `first` (the third in all) and then holds `second`'s only one until A's own deadline, which
    // comes 100 ms after C's. So C finds no isolate of `second` free and no room for another before its deadline.
    const first = auth0Action(
      handler(`if (event.client.client_id === 'C') await new Promise((resolve) => setTimeout(resolve, 500));`),
    );
    const second = auth0Action(
      handler(`if (event.client.client_id === 'A') await new Promise(() => {});
  api.accessToken.setCustomClaim('https://t/client', event.client.client_id);`),
    );
    await withEngine(
      { maxIsolates: 3, maxIsolatesPerVersion: 2, chainTimeoutMs: 1000, syncSliceMs: 0 },
      async (engine) => {
        engine.setBindings([first, second]);
        await engine.run(of('Z')); // one isolate per version
        const c = engine.run(of('C'));
        await new Promise((resolve) => setTimeout(resolve, 100));
        const a = engine.run(of('A'));
        const cAction = (await c).results[1]!;
        assert.equal(cAction.status, 'timeout');
        assert.equal(
          cAction.error?.msg,
          "No isolate was free for the action in time: the client's own were stuck, or MINTER_ACTIONS_MAX_ISOLATES were in use",
        );
        assert.equal((await a).results[1]?.status, 'timeout');
        // Once A lets go, C is served again.
        assert.deepEqual((await engine.run(of('C'))).claims, { 'https://t/client': 'C' });
      },
    );
  });
});
