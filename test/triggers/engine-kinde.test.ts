import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { transform } from 'esbuild';
import { kindeAction, only, request, withEngine } from './engine-helpers.js';

/** Builds a workflow the way Kinde's bundler does: esbuild, CommonJS (Kinde notes §4.1). */
async function bundle(source: string): Promise<string> {
  return (await transform(source, { loader: 'ts', format: 'cjs', target: 'es2019' })).code;
}

const SETTINGS = `export const workflowSettings = {
  id: 'm2mTokenGeneration',
  name: 'M2M custom claims',
  failurePolicy: { action: 'stop' },
  trigger: 'm2m:token_generation',
  bindings: { 'kinde.m2mToken': {} },
};`;

describe('Kinde m2m:token_generation workflows (notes §1–2)', () => {
  test('kinde.m2mToken.setCustomClaim adds the claim (default export is an async function)', async () => {
    const code = await bundle(`${SETTINGS}
export default async function Workflow(event: any) {
  kinde.m2mToken.setCustomClaim('hello', 'world');
  kinde.m2mToken.setCustomClaim('applicationId', event.context.application.clientId);
}`);
    await withEngine({}, async (engine) => {
      engine.setBindings([kindeAction(code, ['kinde.m2mToken'])]);
      const result = await engine.run(request());
      assert.equal(result.denial, undefined);
      assert.deepEqual(result.claims, { hello: 'world', applicationId: 'cli_123' });
      assert.deepEqual(only(result).claims_set, ['hello', 'applicationId']);
    });
  });

  test('default export { async handle(event) } runs too (older workflows)', async () => {
    const code = await bundle(`${SETTINGS}
export default {
  async handle(event: any) {
    kinde.m2mToken.setCustomClaim('form', 'handle:' + this.tag);
  },
  tag: 'object',
};`);
    await withEngine({}, async (engine) => {
      engine.setBindings([kindeAction(code, ['kinde.m2mToken'])]);
      assert.deepEqual((await engine.run(request())).claims, { form: 'handle:object' });
    });
  });

  test("the event has Kinde's onM2MTokenGeneratedEvent shape", async () => {
    const code = await bundle(
      `export default async (event: any) => { kinde.m2mToken.setCustomClaim('event', event); };`,
    );
    await withEngine({}, async (engine) => {
      engine.setBindings([kindeAction(code, ['kinde.m2mToken'])]);
      assert.deepEqual((await engine.run(request())).claims.event, {
        request: { auth: { audience: ['https://api.example.com'], scope: ['read:invoices'] }, ip: '203.0.113.7' },
        context: {
          domains: { kindeDomain: 'https://auth.example.com' },
          application: { clientId: 'cli_123' },
          workflow: { trigger: 'm2m:token_generation' },
        },
      });
    });
  });

  test('kinde.m2mToken.getCustomClaims returns claims of earlier actions and this one', async () => {
    const first = await bundle(`export default async () => { kinde.m2mToken.setCustomClaim('a', 1); };`);
    const second = await bundle(`export default async () => {
  kinde.m2mToken.setCustomClaim('b', 2);
  kinde.m2mToken.setCustomClaim('seen', kinde.m2mToken.getCustomClaims());
};`);
    await withEngine({}, async (engine) => {
      engine.setBindings([kindeAction(first, ['kinde.m2mToken']), kindeAction(second, ['kinde.m2mToken'])]);
      assert.deepEqual((await engine.run(request())).claims, { a: 1, b: 2, seen: { a: 1, b: 2 } });
    });
  });

  test('kinde.env.get returns { value, isSecret } from the action secrets, undefined when missing', async () => {
    const code = await bundle(`export default async () => {
  kinde.m2mToken.setCustomClaim('env', [kinde.env.get('KINDE_WF_M2M_CLIENT_ID'), kinde.env.get('MISSING') === undefined]);
};`);
    await withEngine({}, async (engine) => {
      engine.setBindings([
        kindeAction(code, ['kinde.m2mToken', 'kinde.env'], undefined, { secrets: { KINDE_WF_M2M_CLIENT_ID: 'abc' } }),
      ]);
      assert.deepEqual((await engine.run(request())).claims, { env: [{ value: 'abc', isSecret: true }, true] });
    });
  });

  test('Kinde bindings: an undeclared binding throws "binding … is not declared in workflowSettings.bindings"', async () => {
    const code = await bundle(
      `export default async () => { kinde.fetch('https://example.com', { method: 'GET', headers: {} }); };`,
    );
    await withEngine({}, async (engine) => {
      engine.setBindings([kindeAction(code, ['kinde.m2mToken'])]);
      const action = only(await engine.run(request()));
      assert.equal(action.status, 'runtime');
      assert.deepEqual(action.error, {
        id: 'runtime_error',
        msg: 'Error: binding kinde.fetch is not declared in workflowSettings.bindings',
      });
    });
  });

  test('Kinde bindings: an undeclared kinde.m2mToken throws on use', async () => {
    const code = await bundle(`export default async () => { kinde.m2mToken.setCustomClaim('a', 1); };`);
    await withEngine({}, async (engine) => {
      engine.setBindings([kindeAction(code, [])]);
      assert.equal(
        only(await engine.run(request())).error?.msg,
        'Error: binding kinde.m2mToken is not declared in workflowSettings.bindings',
      );
    });
  });

  test('Kinde url binding: URL and URLSearchParams exist only when declared', async () => {
    const code = await bundle(`export default async () => {
  kinde.m2mToken.setCustomClaim('types', [typeof URL, typeof URLSearchParams]);
};`);
    await withEngine({}, async (engine) => {
      engine.setBindings([kindeAction(code, ['kinde.m2mToken'])]);
      assert.deepEqual((await engine.run(request())).claims, { types: ['undefined', 'undefined'] });
      engine.setBindings([kindeAction(code, ['kinde.m2mToken', 'url'])]);
      assert.deepEqual((await engine.run(request())).claims, { types: ['function', 'function'] });
    });
  });

  test('console is available without being declared', async () => {
    const code = await bundle(`export default async () => { console.info('workflow ran'); };`);
    await withEngine({}, async (engine) => {
      engine.setBindings([kindeAction(code, [])]);
      assert.deepEqual(only(await engine.run(request())).logs, [{ level: 'info', message: 'workflow ran' }]);
    });
  });

  test('a bundle without a default export is a compile failure with a clear message', async () => {
    const code = await bundle(`export const workflowSettings = {};`);
    await withEngine({}, async (engine) => {
      engine.setBindings([kindeAction(code, [])]);
      const action = only(await engine.run(request()));
      assert.equal(action.status, 'compile');
      assert.match(action.error?.msg ?? '', /no default export/);
    });
  });
});

describe('Kinde failurePolicy (notes §4.4)', () => {
  const failing = `export default async () => { kinde.m2mToken.setCustomClaim('partial', 1); throw new Error('lookup failed'); };`;

  test('failurePolicy stop: a failing workflow denies with server_error', async () => {
    const code = await bundle(failing);
    await withEngine({}, async (engine) => {
      engine.setBindings([kindeAction(code, ['kinde.m2mToken'], 'stop')]);
      const result = await engine.run(request());
      assert.deepEqual(result.denial, { error: 'server_error', description: 'A token trigger failed.' });
      assert.equal(only(result).failure_policy, 'stop');
    });
  });

  test('failurePolicy absent behaves as stop', async () => {
    const code = await bundle(failing);
    await withEngine({}, async (engine) => {
      engine.setBindings([kindeAction(code, ['kinde.m2mToken'])]);
      assert.equal((await engine.run(request())).denial?.error, 'server_error');
    });
  });

  test("failurePolicy continue: the token is issued without that workflow's claims, later actions still run", async () => {
    const code = await bundle(failing);
    const after = await bundle(`export default async () => { kinde.m2mToken.setCustomClaim('after', true); };`);
    await withEngine({}, async (engine) => {
      engine.setBindings([kindeAction(code, ['kinde.m2mToken'], 'continue'), kindeAction(after, ['kinde.m2mToken'])]);
      const result = await engine.run(request());
      assert.equal(result.denial, undefined);
      assert.deepEqual(result.claims, { after: true });
      assert.equal(result.results[0]?.status, 'runtime');
      assert.equal(result.results[0]?.failure_policy, 'continue');
      assert.deepEqual(result.results[0]?.error, { id: 'runtime_error', msg: 'Error: lookup failed' });
      assert.equal(result.results[1]?.status, 'ok');
    });
  });
});
