/**
 * Batches (runtime/version-isolate.ts): the requests that reach an action in one turn of the event loop run in one
 * synchronous call, one after another. Each must still run alone (its own claims and console), and no request may
 * be held up, or run twice, because of another one in its batch.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ChainResult, TriggerRequest } from '../../src/triggers/contract.js';
import { auth0Action, fakeHost, only, request, ROOMY_SLICE, withEngine } from './engine-helpers.js';

const handler = (body: string) => `exports.onExecuteCredentialsExchange = async (event, api) => { ${body} };`;

/** A request from a client whose `metadata.tier` is `tier`: the actions below branch on it. */
const asTier = (tier: string): TriggerRequest =>
  request({ client: { client_id: `cli_${tier}`, name: tier, metadata: { tier } } });

const tiers = (n: number) => Array.from({ length: n }, (_, i) => `t${i}`);

/** Runs `requests` in the same turn, and notes the order in which they were answered. */
function together(engine: { run(r: TriggerRequest): Promise<ChainResult> }, requests: TriggerRequest[]) {
  const answered: string[] = [];
  const results = requests.map((r) =>
    engine.run(r).then((result) => {
      answered.push(String(r.client.metadata.tier));
      return result;
    }),
  );
  return { answered, results };
}

describe('Batches of requests on the synchronous path', () => {
  test('requests asked in one turn are answered in that turn, each with its own claims and console lines', async () => {
    const code = handler(`
      const tier = event.client.metadata.tier;
      console.log('start', tier);
      await null;
      await Promise.resolve();
      console.log('end', tier);
      api.accessToken.setCustomClaim('https://example.com/tier', tier);`);
    await withEngine(ROOMY_SLICE, async (engine) => {
      engine.setBindings([auth0Action(code)]);
      await engine.run(asTier('warm-up')); // creates the isolate
      const { answered, results } = together(engine, tiers(40).map(asTier));
      for (let i = 0; i < 1000 && answered.length < 40; i++) await null;
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(answered.length, 40, 'every request of the batch answered within the turn');
      const all = await Promise.all(results);
      all.forEach((result, i) => {
        assert.deepEqual(result.claims, { 'https://example.com/tier': `t${i}` });
        assert.deepEqual(
          only(result).logs.map((line) => line.message),
          [`start t${i}`, `end t${i}`],
        );
      });
    });
  });

  test('a request waiting for host I/O does not hold up the requests after it in its batch', async () => {
    let release: (() => void) | undefined;
    const host = fakeHost({
      fetch: () =>
        new Promise((resolve) => {
          release = () => resolve({ status: 200, statusText: 'OK', headers: {}, body: 'upstream' });
        }),
    });
    const code = handler(`
      const tier = event.client.metadata.tier;
      if (tier === 'slow') {
        const response = await fetch('https://idp.example.com/token');
        api.accessToken.setCustomClaim('https://example.com/upstream', await response.text());
      } else {
        api.accessToken.setCustomClaim('https://example.com/tier', tier);
      }`);
    await withEngine({ host, ...ROOMY_SLICE }, async (engine) => {
      engine.setBindings([auth0Action(code)]);
      await engine.run(asTier('warm-up'));
      const { answered, results } = together(engine, ['slow', ...tiers(10)].map(asTier));
      const fast = await Promise.all(results.slice(1));
      fast.forEach((result, i) => assert.deepEqual(result.claims, { 'https://example.com/tier': `t${i}` }));
      assert.ok(!answered.includes('slow'), 'the fetching request is still waiting for its upstream');
      assert.ok(release, 'the fetch reached the host');
      release!();
      assert.deepEqual((await results[0]!).claims, { 'https://example.com/upstream': 'upstream' });
    });
  });

  test('a promise that never settles does not hold up its batch; it times out alone, with its console', async () => {
    const code = handler(`
      const tier = event.client.metadata.tier;
      if (tier === 'stuck') { console.log('waiting for ever'); await new Promise(() => {}); }
      api.accessToken.setCustomClaim('https://example.com/tier', tier);`);
    await withEngine({ chainTimeoutMs: 500 }, async (engine) => {
      engine.setBindings([auth0Action(code)]);
      await engine.run(asTier('warm-up'));
      const { answered, results } = together(engine, ['stuck', ...tiers(5)].map(asTier));
      const all = await Promise.all(results);
      assert.equal(answered.at(-1), 'stuck', 'every other request was answered before the stuck one timed out');
      all.slice(1).forEach((result, i) => assert.deepEqual(result.claims, { 'https://example.com/tier': `t${i}` }));
      const stuck = only(all[0]!);
      assert.equal(stuck.status, 'timeout');
      assert.deepEqual(
        stuck.logs.map((line) => line.message),
        ['waiting for ever'],
      );
    });
  });

  test('when a batch outruns its slice, the requests it finished keep their records and none runs twice but the one that ran out', async () => {
    // Counts each tier's runs in the action cache (kept by the host, so a run in a stopped isolate still counts).
    const code = handler(`
      const key = 'runs-' + event.client.metadata.tier;
      const runs = Number(api.cache.get(key)?.value ?? 0) + 1;
      api.cache.set(key, String(runs));
      if (event.client.metadata.tier === 'loop') for (;;) {}
      api.accessToken.setCustomClaim('https://example.com/runs', runs);`);
    // 200 ms: the loop uses it up; a, b, c and d take microseconds each, so the slice cannot end in one of them unless
    // the process loses its core for that long in those microseconds (with 20 ms it did, on a loaded machine).
    await withEngine({ syncSliceMs: 200, chainTimeoutMs: 1_000 }, async (engine) => {
      engine.setBindings([auth0Action(code)]);
      await engine.run(asTier('warm-up'));
      const { results } = together(engine, ['a', 'b', 'loop', 'c', 'd'].map(asTier));
      const [a, b, loop, c, d] = await Promise.all(results);
      for (const result of [a, b, c, d]) assert.deepEqual(result!.claims, { 'https://example.com/runs': 1 });
      assert.equal(only(loop!).status, 'timeout');
    });
  });

  test('an allocation bomb kills its batch isolate: the other requests run again alone and are answered', async () => {
    const code = handler(`
      const tier = event.client.metadata.tier;
      if (tier === 'bomb') { const hoard = []; for (;;) hoard.push(new Array(1e5).fill(tier)); }
      api.accessToken.setCustomClaim('https://example.com/tier', tier);`);
    await withEngine({ memoryLimitMb: 16, chainTimeoutMs: 5_000 }, async (engine) => {
      engine.setBindings([auth0Action(code)]);
      await engine.run(asTier('warm-up'));
      const { results } = together(engine, ['x', 'bomb', ...tiers(5)].map(asTier));
      const [x, bomb, ...rest] = await Promise.all(results);
      assert.deepEqual(x!.claims, { 'https://example.com/tier': 'x' });
      rest.forEach((result, i) => assert.deepEqual(result.claims, { 'https://example.com/tier': `t${i}` }));
      assert.ok(['oom', 'timeout'].includes(only(bomb!).status), `the bomb ended as ${only(bomb!).status}`);
    });
  });
});
