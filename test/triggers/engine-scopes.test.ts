import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { auth0Action, kindeAction, only, request, withEngine } from './engine-helpers.js';

const granted = { grantedScopes: ['read:invoices', 'write:invoices', 'admin'], scopes: ['read:invoices'] };

describe('Auth0 api.transaction target scopes (EA, notes §2): final scopes = target set ∩ grant', () => {
  test('addTargetScope adds a granted scope; a scope outside the grant is silently dropped', async () => {
    const code = `exports.onExecuteCredentialsExchange = async (event, api) => {
  api.transaction.addTargetScope('write:invoices').transaction.addTargetScope('delete:everything');
};`;
    await withEngine({}, async (engine) => {
      engine.setBindings([auth0Action(code)]);
      const result = await engine.run(request(granted));
      assert.equal(result.denial, undefined);
      assert.deepEqual(result.scopes, ['read:invoices', 'write:invoices']);
    });
  });

  test('removeTargetScope, setTargetScopes and clearTargetScopes', async () => {
    const cases: Array<[string, string[]]> = [
      [`api.transaction.removeTargetScope('read:invoices')`, []],
      [`api.transaction.setTargetScopes(['admin', 'nope', 'admin', 'read:invoices'])`, ['admin', 'read:invoices']],
      [`api.transaction.clearTargetScopes().transaction.addTargetScope('admin')`, ['admin']],
    ];
    await withEngine({}, async (engine) => {
      for (const [call, expected] of cases) {
        engine.setBindings([auth0Action(`exports.onExecuteCredentialsExchange = async (event, api) => { ${call}; };`)]);
        assert.deepEqual((await engine.run(request(granted))).scopes, expected, call);
      }
    });
  });

  test('the live target set passes to later actions (event.transaction.target_scopes, event.accessToken.scope)', async () => {
    const first = `exports.onExecuteCredentialsExchange = async (event, api) => { api.transaction.addTargetScope('admin').transaction.addTargetScope('not-granted'); };`;
    const second = `exports.onExecuteCredentialsExchange = async (event, api) => {
  api.accessToken.setCustomClaim('https://t/seen', { target: event.transaction.target_scopes, token: event.accessToken.scope });
};`;
    const kinde = `module.exports.default = async (event) => { kinde.m2mToken.setCustomClaim('kindeScope', event.request.auth.scope); };`;
    await withEngine({}, async (engine) => {
      engine.setBindings([auth0Action(first), auth0Action(second), kindeAction(kinde, ['kinde.m2mToken'])]);
      const result = await engine.run(request(granted));
      assert.deepEqual(result.claims, {
        'https://t/seen': { target: ['read:invoices', 'admin', 'not-granted'], token: ['read:invoices', 'admin'] },
        kindeScope: ['read:invoices', 'admin'],
      });
      assert.deepEqual(result.scopes, ['read:invoices', 'admin']);
    });
  });

  test('a scope that is not one scope token throws a TypeError in the action', async () => {
    const code = `exports.onExecuteCredentialsExchange = async (event, api) => { api.transaction.addTargetScope('read write'); };`;
    await withEngine({}, async (engine) => {
      engine.setBindings([auth0Action(code)]);
      const action = only(await engine.run(request(granted)));
      assert.equal(action.status, 'runtime');
      assert.equal(
        action.error?.msg,
        'TypeError: A scope must be one scope token (RFC 6749 section 3.3), got "read write"',
      );
    });
  });

  test('without target scope calls the token keeps the request scopes', async () => {
    await withEngine({}, async (engine) => {
      engine.setBindings([auth0Action(`exports.onExecuteCredentialsExchange = async () => {};`)]);
      assert.deepEqual((await engine.run(request(granted))).scopes, ['read:invoices']);
    });
  });
});
