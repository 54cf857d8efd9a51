/**
 * The synchronous fast path (version-isolate.ts): an action that only computes runs on the main thread within a
 * slice; one that outruns the slice is stopped and run again off the main thread within the chain budget.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { watchEventLoop } from '../helpers/event-loop.js';
import { auth0Action, only, request, withEngine } from './engine-helpers.js';

const handler = (body: string) => `exports.onExecuteCredentialsExchange = async (event, api) => { ${body} };`;
const SET_CLAIM = handler("api.accessToken.setCustomClaim('https://example.com/tier', event.client.metadata.tier);");

/** Counts its runs in the action cache (kept by the host, so a stopped run still counts), then spins for `ms`. */
const countingSpinner = (ms: number) =>
  handler(`
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
  test('a warm action that only computes answers without a turn of the event loop', async () => {
    await withEngine({}, async (engine) => {
      engine.setBindings([auth0Action(SET_CLAIM)]);
      await engine.run(request()); // creates the isolate (asynchronous)
      let turned = false;
      const immediate = setImmediate(() => (turned = true));
      const result = await engine.run(request());
      clearImmediate(immediate);
      assert.equal(turned, false, 'the chain waited for the event loop: it did not take the synchronous path');
      assert.deepEqual(result.claims, { 'https://example.com/tier': 'gold' });
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
        auth0Action(handler("await new Promise((r) => setTimeout(r, 5)); api.accessToken.setCustomClaim('https://example.com/n', event.transaction.requested_scopes.length);")),
      ]);
      for (let i = 0; i < 3; i++) {
        const result = await engine.run(request());
        assert.deepEqual(result.claims, { 'https://example.com/n': 1 });
      }
    });
  });
});
