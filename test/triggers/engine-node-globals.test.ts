/** Node globals Auth0 actions use (the Auth0 runtime is Node): timers, queueMicrotask, atob / btoa. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { auth0Action, kindeAction, only, request, withEngine } from './engine-helpers.js';

const handler = (body: string) => `exports.onExecuteCredentialsExchange = async (event, api) => { ${body} };`;

describe('Node globals in Auth0 actions', () => {
  test('setTimeout waits, passes its arguments and runs in the same execution; clearTimeout cancels', async () => {
    const body = `const started = Date.now();
  const cancelled = setTimeout(() => api.accessToken.setCustomClaim('https://t/cancelled', true), 5);
  clearTimeout(cancelled);
  const value = await new Promise((resolve) => setTimeout(resolve, 40, 'late'));
  console.log('after timer');
  api.accessToken.setCustomClaim('https://t/timer', { value, waited: Date.now() - started >= 35, unref: typeof cancelled.unref });`;
    await withEngine({}, async (engine) => {
      engine.setBindings([auth0Action(handler(body))]);
      const result = await engine.run(request());
      assert.deepEqual(result.claims, { 'https://t/timer': { value: 'late', waited: true, unref: 'function' } });
      assert.deepEqual(only(result).logs, [{ level: 'log', message: 'after timer' }]);
    });
  });

  test('a timer callback that throws fails the execution like an uncaught exception', async () => {
    const body = `setTimeout(() => { throw new Error('timer failed'); }, 1); await new Promise((resolve) => setTimeout(resolve, 30));`;
    await withEngine({}, async (engine) => {
      engine.setBindings([auth0Action(handler(body))]);
      const result = await engine.run(request());
      assert.equal(result.denial?.error, 'server_error');
      assert.deepEqual(only(result).error, { id: 'runtime_error', msg: 'Error: timer failed' });
    });
  });

  test('a timer longer than the chain budget is stopped by the budget', async () => {
    await withEngine({ chainTimeoutMs: 200 }, async (engine) => {
      engine.setBindings([auth0Action(handler(`await new Promise((resolve) => setTimeout(resolve, 60000));`))]);
      const started = performance.now();
      assert.equal(only(await engine.run(request())).status, 'timeout');
      assert.ok(performance.now() - started < 800);
    });
  });

  test('queueMicrotask, atob and btoa follow the web platform', async () => {
    const body = `const order = [];
  queueMicrotask(() => order.push('micro'));
  order.push('sync');
  await null;
  let invalid;
  try { atob('a'); } catch (e) { invalid = e.name; }
  api.accessToken.setCustomClaim('https://t/g', [order, btoa('client:s3cret'), atob(' Y2xp ZW50 '), btoa(''), atob('YQ=='), atob('YQ'), invalid]);`;
    await withEngine({}, async (engine) => {
      engine.setBindings([auth0Action(handler(body))]);
      assert.deepEqual((await engine.run(request())).claims, {
        'https://t/g': [
          ['sync', 'micro'],
          Buffer.from('client:s3cret').toString('base64'),
          'client',
          '',
          'a',
          'a',
          'InvalidCharacterError',
        ],
      });
    });
  });

  test('Kinde workflows (goja) have no timers', async () => {
    const code = `module.exports.default = async () => { kinde.m2mToken.setCustomClaim('t', typeof setTimeout); };`;
    await withEngine({}, async (engine) => {
      engine.setBindings([kindeAction(code, ['kinde.m2mToken'])]);
      assert.deepEqual((await engine.run(request())).claims, { t: 'undefined' });
    });
  });
});
