import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { InMemoryActionCache } from '../../src/triggers/auth0/cache.js';
import { createTriggerEngine } from '../../src/triggers/engine.js';
import { auth0Action, fakeHost, kindeAction, only, request, ROOMY_SLICE, withEngine } from './engine-helpers.js';

const appendOrder = (name: string) =>
  `exports.onExecuteCredentialsExchange = async (event, api) => {
  api.accessToken.setCustomClaim('order', (event.accessToken.customClaims.order || []).concat('${name}'));
};`;

/** A module-level counter: it survives between requests only while the isolate does. */
const COUNTER = `let runs = 0;
exports.onExecuteCredentialsExchange = async (event, api) => { runs++; api.accessToken.setCustomClaim('https://t/runs', runs); };`;

describe('Chain order and denial (DESIGN: token triggers)', () => {
  test('actions run in binding order: credentials-exchange first, then m2m:token_generation', async () => {
    const kinde = `module.exports.default = async () => {
  kinde.m2mToken.setCustomClaim('order', kinde.m2mToken.getCustomClaims().order.concat('kinde'));
};`;
    await withEngine({}, async (engine) => {
      engine.setBindings([
        auth0Action(appendOrder('first')),
        auth0Action(appendOrder('second')),
        kindeAction(kinde, ['kinde.m2mToken']),
      ]);
      const result = await engine.run(request());
      assert.deepEqual(result.claims, { order: ['first', 'second', 'kinde'] });
      assert.deepEqual(
        result.results.map((r) => [r.trigger_id, r.status]),
        [
          ['credentials-exchange', 'ok'],
          ['credentials-exchange', 'ok'],
          ['m2m:token_generation', 'ok'],
        ],
      );
    });
  });

  test('a denial stops the chain: later actions are recorded as skipped and never run', async () => {
    const cache = new InMemoryActionCache();
    const deny = `exports.onExecuteCredentialsExchange = async (event, api) => { api.access.deny('invalid_scope', 'scope not allowed'); };`;
    const later = `exports.onExecuteCredentialsExchange = async (event, api) => { api.cache.set('ran', 'yes'); };`;
    await withEngine({ host: fakeHost({ cache }) }, async (engine) => {
      const laterAction = auth0Action(later);
      engine.setBindings([auth0Action(appendOrder('first')), auth0Action(deny), laterAction]);
      const result = await engine.run(request());
      assert.deepEqual(result.denial, { error: 'invalid_scope', description: 'scope not allowed' });
      assert.deepEqual(
        result.results.map((r) => r.status),
        ['ok', 'denied', 'skipped'],
      );
      assert.equal(result.results[2]?.duration_ms, 0);
      assert.equal(cache.get(laterAction.actionId, 'ran'), undefined);
    });
  });

  test('the budget is for the whole chain: an action starting late gets only what is left', async () => {
    const host = fakeHost({
      fetch: async () => {
        await sleep(300);
        return { status: 200, statusText: 'OK', headers: {}, body: '' };
      },
    });
    const slow = `exports.onExecuteCredentialsExchange = async (event, api) => {
  if (event.request.ip === 'warm-up') return;
  await fetch('http://127.0.0.1:1/');
  api.accessToken.setCustomClaim('https://t/' + event.secrets.N, 1);
};`;
    await withEngine({ host, chainTimeoutMs: 500 }, async (engine) => {
      engine.setBindings([auth0Action(slow, { secrets: { N: 'a' } }), auth0Action(slow, { secrets: { N: 'b' } })]);
      await engine.run(request({ request: { ...request().request, ip: 'warm-up' } }));
      const started = performance.now();
      const result = await engine.run(request());
      const elapsed = performance.now() - started;
      assert.deepEqual(
        result.results.map((r) => r.status),
        ['ok', 'timeout'],
      );
      assert.deepEqual(result.denial, {
        error: 'server_error',
        description: 'A token trigger did not finish in time.',
      });
      assert.ok(elapsed >= 495 && elapsed < 1000, `chain took ${elapsed} ms`);
    });
  });

  test('an empty chain issues the request scopes unchanged', async () => {
    await withEngine({}, async (engine) => {
      assert.equal(engine.hasBindings, false);
      assert.deepEqual(await engine.run(request()), { claims: {}, scopes: ['read:invoices'], results: [] });
    });
  });
});

describe('Isolates per deployed version', () => {
  test('the isolate of a version is warm and reused across requests', async () => {
    // A call that outran a 10 ms slice on a busy machine would move to a fresh isolate: the slice is not the subject.
    await withEngine(ROOMY_SLICE, async (engine) => {
      engine.setBindings([auth0Action(COUNTER, { versionId: 'ver_counter_1' })]);
      const runs = [];
      for (let i = 0; i < 3; i++) runs.push((await engine.run(request())).claims['https://t/runs']);
      assert.deepEqual(runs, [1, 2, 3]);
    });
  });

  test('re-binding the same version keeps its isolate; a new version gets a fresh one', async () => {
    // A call that outran a 10 ms slice on a busy machine would move to a fresh isolate: the slice is not the subject.
    await withEngine(ROOMY_SLICE, async (engine) => {
      const v1 = auth0Action(COUNTER, { actionId: 'act_counter', versionId: 'ver_a' });
      engine.setBindings([v1]);
      await engine.run(request());
      engine.setBindings([{ ...v1 }]);
      assert.equal((await engine.run(request())).claims['https://t/runs'], 2);
      engine.setBindings([{ ...v1, versionId: 'ver_b' }]);
      assert.equal((await engine.run(request())).claims['https://t/runs'], 1);
    });
  });

  test('a request in flight on a version that is replaced still completes', async () => {
    const host = fakeHost({
      fetch: async () => {
        await sleep(100);
        return { status: 200, statusText: 'OK', headers: {}, body: 'done' };
      },
    });
    const code = `exports.onExecuteCredentialsExchange = async (event, api) => {
  api.accessToken.setCustomClaim('https://t/body', await (await fetch('http://127.0.0.1:1/')).text());
};`;
    await withEngine({ host }, async (engine) => {
      engine.setBindings([auth0Action(code)]);
      const inFlight = engine.run(request());
      await sleep(30);
      engine.setBindings([auth0Action(COUNTER)]);
      assert.deepEqual((await inFlight).claims, { 'https://t/body': 'done' });
      assert.deepEqual((await engine.run(request())).claims, { 'https://t/runs': 1 });
    });
  });
});

describe('engine.test and engine.close', () => {
  test('test(action, request) runs one action in its own isolate, outside the bound chain', async () => {
    await withEngine({}, async (engine) => {
      const action = auth0Action(COUNTER);
      const first = await engine.test(action, request());
      const second = await engine.test(action, request());
      assert.deepEqual(first.claims, { 'https://t/runs': 1 });
      assert.deepEqual(second.claims, { 'https://t/runs': 1 });
      assert.equal(only(first).action_id, action.actionId);
      assert.equal(engine.hasBindings, false);
    });
  });

  test('test() reports failures the same way as run()', async () => {
    await withEngine({ chainTimeoutMs: 300 }, async (engine) => {
      const result = await engine.test(
        kindeAction(`module.exports.default = async () => { for (;;) {} };`, [], 'stop'),
        request(),
      );
      assert.deepEqual(result.denial, {
        error: 'server_error',
        description: 'A token trigger did not finish in time.',
      });
      assert.equal(only(result).status, 'timeout');
    });
  });

  test('after close() runs deny with server_error and setBindings throws', async () => {
    const engine = createTriggerEngine({ host: fakeHost() });
    engine.setBindings([auth0Action(COUNTER)]);
    await engine.run(request());
    await engine.close();
    assert.deepEqual(await engine.run(request()), {
      denial: { error: 'server_error', description: 'The trigger engine is closed.' },
      claims: {},
      scopes: [],
      results: [],
    });
    assert.throws(() => engine.setBindings([]), { message: 'The trigger engine is closed' });
  });

  test('configuration mistakes throw at once', () => {
    assert.throws(() => createTriggerEngine({ host: fakeHost(), memoryLimitMb: 4 }), {
      name: 'RangeError',
      message: 'memoryLimitMb must be an integer ≥ 8, got 4',
    });
    const engine = createTriggerEngine({ host: fakeHost() });
    assert.throws(() => engine.setBindings([{ ...auth0Action(''), triggerId: 'post-login' as never }]), {
      name: 'TypeError',
    });
  });

  test('each action result is an execution record with timing', async () => {
    await withEngine({}, async (engine) => {
      const action = auth0Action(COUNTER, { name: 'counter' });
      engine.setBindings([action]);
      const record = only(await engine.run(request()));
      assert.equal(record.action_name, 'counter');
      assert.equal(record.version_id, action.versionId);
      assert.ok(Date.parse(record.ended_at) >= Date.parse(record.started_at));
      assert.ok(record.duration_ms > 0);
      assert.deepEqual(
        { ...record, started_at: '', ended_at: '', duration_ms: 0 },
        {
          action_id: action.actionId,
          action_name: 'counter',
          version_id: action.versionId,
          trigger_id: 'credentials-exchange',
          status: 'ok',
          started_at: '',
          ended_at: '',
          duration_ms: 0,
          logs: [],
          logs_truncated: false,
          refused_claims: [],
          claims_set: ['https://t/runs'],
        },
      );
    });
  });
});
