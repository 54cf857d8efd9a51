/**
 * AbortController, AbortSignal and DOMException in Auth0 actions (the `auth0` SDK times each request out with a
 * controller whose signal it hands to fetch): the DOM API as Node's runtime has it, and a fetch rejected with the
 * signal's reason when it aborts, before or while the host's request is out.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SandboxFetchInit } from '../../src/triggers/contract.js';
import { assertStillServes, auth0Action, fakeHost, only, request, withEngine } from './engine-helpers.js';

const handler = (body: string) => `exports.onExecuteCredentialsExchange = async (event, api) => { ${body} };`;

/** A host whose fetch answers after `ms`, counting the requests that reached it. */
function slowHost(ms: number) {
  const reached: string[] = [];
  const fetch = (url: string, _init: SandboxFetchInit) => {
    reached.push(url);
    return new Promise<{ status: number; statusText: string; headers: Record<string, string>; body: string }>(
      (resolve) => setTimeout(() => resolve({ status: 200, statusText: 'OK', headers: {}, body: 'late' }), ms),
    );
  };
  return { host: fakeHost({ fetch }), reached };
}

describe('Auth0: AbortController and AbortSignal', () => {
  test('abort(): the reason (an AbortError DOMException by default), listeners in order, once, onabort', async () => {
    const code = handler(`const c = new AbortController();
  const seen = [];
  c.signal.onabort = (e) => seen.push('onabort:' + e.type);
  c.signal.addEventListener('abort', (e) => seen.push('listener:' + (e.target === c.signal)), { once: true });
  const removed = () => seen.push('removed');
  c.signal.addEventListener('abort', removed); c.signal.removeEventListener('abort', removed);
  c.signal.addEventListener('abort', { handleEvent: () => seen.push('handleEvent') });
  const before = c.signal.aborted;
  c.abort(); c.abort('again');
  const r = c.signal.reason;
  let thrown; try { c.signal.throwIfAborted(); } catch (e) { thrown = e === r; }
  const given = AbortSignal.abort('why');
  const named = new DOMException('m', 'NotFoundError');
  api.accessToken.setCustomClaim('https://t/r', {
    before, aborted: c.signal.aborted, seen, thrown,
    reason: [r instanceof DOMException, r instanceof Error, r.name, r.message, r.code, String(r)],
    given: [given.aborted, given.reason], tags: [String(c), String(c.signal)],
    named: [named.name, named.code, named.message, new DOMException().name, new DOMException('x', { name: 'TimeoutError' }).code],
    names: [AbortController.name, AbortSignal.name, DOMException.name],
  });`);
    await withEngine({}, async (engine) => {
      engine.setBindings([auth0Action(code)]);
      assert.deepEqual((await engine.run(request())).claims['https://t/r'], {
        before: false,
        aborted: true,
        seen: ['onabort:abort', 'listener:true', 'handleEvent'],
        thrown: true,
        reason: [true, true, 'AbortError', 'This operation was aborted', 20, 'AbortError: This operation was aborted'],
        given: [true, 'why'],
        tags: ['[object AbortController]', '[object AbortSignal]'],
        named: ['NotFoundError', 8, 'm', 'Error', 23],
        names: ['AbortController', 'AbortSignal', 'DOMException'],
      });
    });
  });

  test('AbortSignal.timeout aborts with a TimeoutError; AbortSignal.any follows the first to abort', async () => {
    const code = handler(`const t = AbortSignal.timeout(10);
  const early = t.aborted;
  await new Promise((resolve) => t.addEventListener('abort', resolve));
  const a = new AbortController(), b = new AbortController();
  const any = AbortSignal.any([a.signal, b.signal]);
  b.abort('b first'); a.abort('a second');
  api.accessToken.setCustomClaim('https://t/r', {
    timeout: [early, t.reason.name, t.reason.message, t.reason.code],
    any: [any.aborted, any.reason], anyOfAborted: AbortSignal.any([AbortSignal.abort(1)]).reason,
  });`);
    await withEngine({}, async (engine) => {
      engine.setBindings([auth0Action(code)]);
      assert.deepEqual((await engine.run(request())).claims['https://t/r'], {
        timeout: [false, 'TimeoutError', 'The operation was aborted due to timeout', 23],
        any: [true, 'b first'],
        anyOfAborted: 1,
      });
    });
  });

  test('fetch with an aborted signal rejects with its reason and sends nothing', async () => {
    const { host, reached } = slowHost(10);
    const code = handler(`const c = new AbortController(); c.abort();
  const caught = await fetch('http://127.0.0.1/x', { signal: c.signal }).catch((e) => e);
  const custom = await fetch('http://127.0.0.1/y', { signal: AbortSignal.abort('mine') }).catch((e) => e);
  const wrong = await fetch('http://127.0.0.1/z', { signal: {} }).catch((e) => e.name);
  api.accessToken.setCustomClaim('https://t/r', [caught === c.signal.reason, caught.name, custom, wrong]);`);
    await withEngine({ host }, async (engine) => {
      engine.setBindings([auth0Action(code)]);
      assert.deepEqual((await engine.run(request())).claims['https://t/r'], [true, 'AbortError', 'mine', 'TypeError']);
      assert.deepEqual(reached, []);
    });
  });

  test("aborting while the host's request is out rejects at once; its late answer is dropped", async () => {
    const { host, reached } = slowHost(600);
    // As the auth0 SDK does: a timer aborts the controller; the action goes on without waiting for the host.
    const code = handler(`const c = new AbortController();
  const started = Date.now();
  setTimeout(() => c.abort(), 20);
  let outcome;
  try { await fetch('http://127.0.0.1/slow', { signal: c.signal }); outcome = 'answered'; } catch (e) { outcome = e.name; }
  const waited = Date.now() - started;
  const ok = await fetch('http://127.0.0.1/again', { signal: new AbortController().signal }).then((r) => r.text());
  api.accessToken.setCustomClaim('https://t/r', [outcome, waited < 600, ok]);`);
    await withEngine({ host }, async (engine) => {
      engine.setBindings([auth0Action(code)]);
      const result = await engine.run(request());
      assert.equal(only(result).status, 'ok');
      const [outcome, early, ok] = result.claims['https://t/r'] as [string, boolean, string];
      assert.deepEqual([outcome, ok], ['AbortError', 'late']);
      assert.ok(early, 'the abort did not wait for the host');
      assert.deepEqual(reached, ['http://127.0.0.1/slow', 'http://127.0.0.1/again']);
      await assertStillServes(engine);
    });
  });

  test('a listener that throws fails the execution, as an uncaught exception fails Node', async () => {
    const code = handler(`const c = new AbortController();
  const after = [];
  c.signal.addEventListener('abort', () => { throw new Error('listener broke'); });
  c.signal.addEventListener('abort', () => after.push('next listener ran'));
  c.abort();
  api.accessToken.setCustomClaim('https://t/r', after);`);
    await withEngine({}, async (engine) => {
      engine.setBindings([auth0Action(code)]);
      const result = await engine.run(request());
      assert.equal(result.denial?.error, 'server_error');
      assert.deepEqual(only(result).error, { id: 'runtime_error', msg: 'Error: listener broke' });
    });
  });
});
