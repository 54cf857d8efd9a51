/**
 * The synchronous fast path (runtime/version-isolate.ts): an action that only computes runs on the main thread within a
 * slice; one that outruns the slice is stopped and run again off the main thread within the chain budget.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { watchEventLoop } from '../helpers/event-loop.js';
import { auth0Action, fakeHost, only, request, ROOMY_SLICE, withEngine } from './engine-helpers.js';

const handler = (body: string) => `exports.onExecuteCredentialsExchange = async (event, api) => { ${body} };`;
const SET_CLAIM = handler("api.accessToken.setCustomClaim('https://example.com/tier', event.client.metadata.tier);");

/** Counts its runs in the action cache (kept by the host, so a stopped run still counts), then spins for `ms`. */
/** Spins for `ms` and counts its runs in the host's cache; a `warm-up` client's request only creates the isolate. */
const countingSpinner = (ms: number) =>
  handler(`
    if (event.client.client_id === 'warm-up') return;
    const runs = Number(api.cache.get('runs')?.value ?? 0) + 1;
    api.cache.set('runs', String(runs));
    const until = Date.now() + ${ms};
    while (Date.now() < until) {}
    api.accessToken.setCustomClaim('https://example.com/runs', runs);
  `);

/** The longest gap between ticks of a 2 ms interval while `body` runs, in ms. */
async function longestStall(body: () => Promise<unknown>): Promise<number> {
  const loop = watchEventLoop(2);
  try {
    await body();
  } finally {
    loop.stop();
  }
  return loop.longestMs;
}

describe('Synchronous fast path', () => {
  /**
   * Whether `engine.run` answered within the turn of the event loop it started in, i.e. on the synchronous path: its
   * batch runs from `setImmediate`, in this turn's check phase, before an immediate queued after it; an asynchronous
   * call's answer needs the poll phase of a later turn.
   */
  async function answeredSynchronously(engine: Parameters<Parameters<typeof withEngine>[1]>[0]): Promise<boolean> {
    let done = false;
    const running = engine.run(request()).then(() => (done = true));
    for (let i = 0; i < 1000 && !done; i++) await null;
    await new Promise((resolve) => setImmediate(resolve));
    const synchronous = done;
    await running;
    return synchronous;
  }

  test('a warm action that only computes answers within the turn of the event loop it was asked in', async () => {
    await withEngine(ROOMY_SLICE, async (engine) => {
      engine.setBindings([auth0Action(SET_CLAIM)]);
      await engine.run(request()); // creates the isolate (asynchronous)
      assert.equal(
        await answeredSynchronously(engine),
        true,
        'the chain waited for a later turn: it did not take the synchronous path',
      );
      assert.deepEqual((await engine.run(request())).claims, { 'https://example.com/tier': 'gold' });
    });
  });

  /** Polls until `check` holds, for up to a second (the quiet probe runs on the isolate's thread). */
  async function eventually(check: () => Promise<boolean>): Promise<boolean> {
    for (let i = 0; i < 50; i++) {
      if (await check()) return true;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return false;
  }

  test('an action that fetches only on a cache miss is back on the synchronous path once the fetch is answered', async () => {
    let fetches = 0;
    const host = fakeHost({
      fetch: async () => {
        fetches++;
        return { status: 200, statusText: 'OK', headers: {}, body: 'token-1' };
      },
    });
    const code = handler(`
      let token = api.cache.get('token')?.value;
      if (token === undefined) {
        token = await (await fetch('https://idp.example.com/token')).text();
        api.cache.set('token', token);
      }
      api.accessToken.setCustomClaim('https://example.com/upstream', token);`);
    await withEngine({ host, ...ROOMY_SLICE }, async (engine) => {
      engine.setBindings([auth0Action(code)]);
      const first = await engine.run(request());
      assert.deepEqual(first.claims, { 'https://example.com/upstream': 'token-1' });
      assert.equal(fetches, 1);
      assert.ok(
        await eventually(() => answeredSynchronously(engine)),
        'the isolate stayed asynchronous after its fetch was answered',
      );
      const later = await engine.run(request());
      assert.deepEqual(later.claims, { 'https://example.com/upstream': 'token-1' });
      assert.equal(fetches, 1);
    });
  });

  test('an isolate with an unawaited fetch still out takes no request; the others keep the synchronous path', async () => {
    let answer: (() => void) | undefined;
    const fetched: string[] = [];
    const host = fakeHost({
      fetch: (url) => {
        fetched.push(url);
        const response = { status: 200, statusText: 'OK', headers: {}, body: 'late' };
        return url.endsWith('/slow')
          ? new Promise((resolve) => (answer = () => resolve(response)))
          : Promise.resolve(response);
      },
    });
    // The first run leaves a fetch out; its continuation, once answered, fetches again (the host sees it).
    const code = handler(`
      if (api.cache.get('armed') === undefined) {
        api.cache.set('armed', '1');
        fetch('https://idp.example.com/slow').then(() => fetch('https://idp.example.com/after'));
      }
      api.accessToken.setCustomClaim('https://example.com/ok', true);`);
    await withEngine({ host, ...ROOMY_SLICE }, async (engine) => {
      engine.setBindings([auth0Action(code)]);
      await engine.run(request()); // creates the first isolate and leaves the fetch out there
      assert.ok(await eventually(async () => answer !== undefined), 'the fetch went out');
      await engine.run(request()); // a second isolate: the first one's fetch may resume code at any time
      for (let i = 0; i < 5; i++) {
        assert.equal(await answeredSynchronously(engine), true, 'the other isolate did not take the synchronous path');
      }
      answer!();
      assert.ok(
        await eventually(async () => fetched.includes('https://idp.example.com/after')),
        'the continuation ran',
      );
      assert.deepEqual((await engine.run(request())).claims, { 'https://example.com/ok': true });
    });
  });

  test('syncSliceMs 0 runs every call off the main thread: a 300 ms computation leaves the event loop free', async () => {
    await withEngine({ syncSliceMs: 0 }, async (engine) => {
      engine.setBindings([auth0Action(countingSpinner(300))]);
      await engine.run(request()); // creates the isolate
      let claims: unknown;
      const stall = await longestStall(async () => {
        claims = (await engine.run(request())).claims;
      });
      assert.deepEqual(claims, { 'https://example.com/runs': 2 });
      assert.ok(stall < 150, `the event loop stalled for ${stall.toFixed(1)} ms`);
    });
  });

  test('an action that outruns the slice is run again off the main thread and finishes within the budget', async () => {
    await withEngine({ syncSliceMs: 5, chainTimeoutMs: 5_000 }, async (engine) => {
      engine.setBindings([auth0Action(countingSpinner(40))]);
      // A request that finds the isolate still being created runs off the main thread (with every core busy, the
      // creation can outlast the binding by long): the counted request comes once it is warm.
      await engine.run(request({ client: { client_id: 'warm-up', name: 'warm-up', metadata: {} } }));
      const first = await engine.run(request());
      assert.equal(first.denial, undefined);
      assert.equal(only(first).status, 'ok');
      // Three runs were stopped after 5 ms (one could be a GC pause; three in a row make the version slow), then the
      // request ran off the main thread: four runs counted, one token.
      assert.deepEqual(first.claims, { 'https://example.com/runs': 4 });
      // The version now runs asynchronously: one run per request.
      const second = await engine.run(request());
      assert.deepEqual(second.claims, { 'https://example.com/runs': 5 });
    });
  });

  test('an infinite loop blocks the main thread for a few slices, then times out off it', async () => {
    await withEngine({ syncSliceMs: 20, chainTimeoutMs: 1_500 }, async (engine) => {
      engine.setBindings([auth0Action(handler('for (;;) {}'))]);
      let result: Awaited<ReturnType<typeof engine.run>> | undefined;
      const stall = await longestStall(async () => {
        result = await engine.run(request());
      });
      assert.equal(only(result!).status, 'timeout');
      // Without the slice the loop would hold the main thread for the whole 1.5 s budget.
      assert.ok(stall < 500, `the event loop stalled for ${stall.toFixed(1)} ms`);
    });
  });

  test('an action that awaits a timer finishes, and the next calls are still correct', async () => {
    await withEngine({}, async (engine) => {
      engine.setBindings([
        auth0Action(
          handler(
            "await new Promise((r) => setTimeout(r, 5)); api.accessToken.setCustomClaim('https://example.com/n', event.transaction.requested_scopes.length);",
          ),
        ),
      ]);
      for (let i = 0; i < 3; i++) {
        const result = await engine.run(request());
        assert.deepEqual(result.claims, { 'https://example.com/n': 1 });
      }
    });
  });
});
