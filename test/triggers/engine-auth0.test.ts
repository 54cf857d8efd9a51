import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { auth0Action, only, request, REQUEST_IP_SAMPLE, withEngine } from './engine-helpers.js';

const GEO_DENY_SAMPLE = `/**
 * @param {Event} event - Details about client credentials grant request.
 * @param {CredentialsExchangeAPI} api - Interface whose methods can be used to change the behavior of client credentials grant.
 */
exports.onExecuteCredentialsExchange = async (event, api) => {
  if (event.request.geoip.continentCode === "NA") {
    api.access.deny('invalid_request', "Access from North America is not allowed.");
  }
};`;

const NORTH_AMERICA = {
  cityName: 'Seattle',
  continentCode: 'NA',
  countryCode: 'US',
  countryCode3: 'USA',
  countryName: 'United States',
};

describe('Auth0 credentials-exchange seed samples', () => {
  test('Auth0 seed "access control": geoip continent NA is denied with invalid_request and the message', async () => {
    await withEngine({ geoip: () => NORTH_AMERICA }, async (engine) => {
      engine.setBindings([auth0Action(GEO_DENY_SAMPLE)]);
      const result = await engine.run(request());
      assert.deepEqual(result.denial, {
        error: 'invalid_request',
        description: 'Access from North America is not allowed.',
      });
      const action = only(result);
      assert.equal(action.status, 'denied');
      assert.deepEqual(action.denial, { code: 'invalid_request', reason: 'Access from North America is not allowed.' });
    });
  });

  test('Auth0 seed "access control": another continent gets the token', async () => {
    await withEngine({ geoip: () => ({ continentCode: 'EU' }) }, async (engine) => {
      engine.setBindings([auth0Action(GEO_DENY_SAMPLE)]);
      const result = await engine.run(request());
      assert.equal(result.denial, undefined);
      assert.equal(only(result).status, 'ok');
    });
  });

  test('Auth0 seed "custom claim": request-ip claim set from event.request.ip', async () => {
    await withEngine({}, async (engine) => {
      engine.setBindings([auth0Action(REQUEST_IP_SAMPLE)]);
      const result = await engine.run(request());
      assert.equal(result.denial, undefined);
      assert.deepEqual(result.claims, { 'https://my-api.exampleco.com/request-ip': '203.0.113.7' });
      assert.deepEqual(result.scopes, ['read:invoices']);
      assert.deepEqual(only(result).claims_set, ['https://my-api.exampleco.com/request-ip']);
    });
  });
});

describe('Auth0 credentials-exchange event object (notes §1)', () => {
  test('event carries client, request, geoip, resource_server, transaction, accessToken, organization, tenant, secrets', async () => {
    const code = `exports.onExecuteCredentialsExchange = async (event, api) => { api.accessToken.setCustomClaim('https://t/event', event); };`;
    await withEngine({ geoip: () => NORTH_AMERICA }, async (engine) => {
      engine.setBindings([auth0Action(code, { secrets: { API_KEY: 's3cr3t' } })]);
      const organization = { id: 'org_1', name: 'acme', display_name: 'Acme', metadata: { plan: 'pro' } };
      const body = {
        grant_type: 'client_credentials',
        client_secret: 'leak',
        client_assertion: 'leak',
        audience: 'https://api.example.com',
      };
      const result = await engine.run(request({ organization, request: { ...request().request, body } }));
      assert.deepEqual(result.claims['https://t/event'], {
        client: { client_id: 'cli_123', name: 'Billing service', metadata: { tier: 'gold' } },
        request: {
          ip: '203.0.113.7',
          hostname: 'auth.example.com',
          method: 'POST',
          body: { grant_type: 'client_credentials', audience: 'https://api.example.com' },
          language: 'en',
          user_agent: 'curl/8.0',
          geoip: NORTH_AMERICA,
        },
        resource_server: { identifier: 'https://api.example.com' },
        tenant: { id: 'example' },
        transaction: { requested_scopes: ['read:invoices'], target_scopes: ['read:invoices'] },
        organization,
        secrets: { API_KEY: 's3cr3t' },
        accessToken: { customClaims: {}, scope: ['read:invoices'] },
      });
    });
  });

  test('event.request.geoip is {} without a geoip lookup', async () => {
    const code = `exports.onExecuteCredentialsExchange = async (event, api) => { api.accessToken.setCustomClaim('https://t/geo', event.request.geoip); };`;
    await withEngine({}, async (engine) => {
      engine.setBindings([auth0Action(code)]);
      assert.deepEqual((await engine.run(request())).claims, { 'https://t/geo': {} });
    });
  });

  test('event.accessToken.customClaims reflects claims set by earlier actions in the chain', async () => {
    const first = `exports.onExecuteCredentialsExchange = async (event, api) => { api.accessToken.setCustomClaim('https://t/a', { n: 1 }); };`;
    const second = `exports.onExecuteCredentialsExchange = async (event, api) => { api.accessToken.setCustomClaim('https://t/seen', event.accessToken.customClaims); };`;
    await withEngine({}, async (engine) => {
      engine.setBindings([auth0Action(first), auth0Action(second)]);
      const result = await engine.run(request());
      assert.deepEqual(result.claims, { 'https://t/a': { n: 1 }, 'https://t/seen': { 'https://t/a': { n: 1 } } });
    });
  });

  test('changes to the event do not persist into later actions or requests', async () => {
    const mutate = `exports.onExecuteCredentialsExchange = async (event) => { event.client.name = 'changed'; event.secrets.K = 'changed'; };`;
    const read = `exports.onExecuteCredentialsExchange = async (event, api) => { api.accessToken.setCustomClaim('https://t/n', event.client.name + '/' + event.secrets.K); };`;
    await withEngine({}, async (engine) => {
      engine.setBindings([auth0Action(mutate, { secrets: { K: 'v' } }), auth0Action(read, { secrets: { K: 'v' } })]);
      await engine.run(request());
      assert.deepEqual((await engine.run(request())).claims, { 'https://t/n': 'Billing service/v' });
    });
  });
});

describe('Auth0 credentials-exchange api object (notes §2)', () => {
  test('module.exports = { onExecuteCredentialsExchange } runs too', async () => {
    const code = `async function onExecuteCredentialsExchange(event, api) { api.accessToken.setCustomClaim('https://t/x', 1); }
module.exports = { onExecuteCredentialsExchange };`;
    await withEngine({}, async (engine) => {
      engine.setBindings([auth0Action(code)]);
      assert.deepEqual((await engine.run(request())).claims, { 'https://t/x': 1 });
    });
  });

  test('every api method returns api (chainable)', async () => {
    const code = `exports.onExecuteCredentialsExchange = async (event, api) => {
  api.accessToken.setCustomClaim('https://t/a', 1).accessToken.setCustomClaim('https://t/b', 2)
    .transaction.addTargetScope('write:invoices').access.deny('invalid_scope', 'no');
};`;
    await withEngine({}, async (engine) => {
      engine.setBindings([auth0Action(code)]);
      const result = await engine.run(request());
      assert.deepEqual(result.denial, { error: 'invalid_scope', description: 'no' });
    });
  });

  test('api.access.deny with an unknown code denies with server_error', async () => {
    const code = `exports.onExecuteCredentialsExchange = async (event, api) => { api.access.deny('access_denied', 'nope'); };`;
    await withEngine({}, async (engine) => {
      engine.setBindings([auth0Action(code)]);
      const result = await engine.run(request());
      assert.deepEqual(result.denial, { error: 'server_error', description: 'nope' });
      assert.deepEqual(only(result).denial, { code: 'server_error', reason: 'nope' });
    });
  });

  test('api.access.deny without a reason gets a generic description', async () => {
    const code = `exports.onExecuteCredentialsExchange = async (event, api) => { api.access.deny('invalid_request'); };`;
    await withEngine({}, async (engine) => {
      engine.setBindings([auth0Action(code)]);
      assert.deepEqual((await engine.run(request())).denial, {
        error: 'invalid_request',
        description: 'The request was denied by a token trigger.',
      });
    });
  });

  test('a synchronous (non-async) handler works', async () => {
    const code = `exports.onExecuteCredentialsExchange = (event, api) => { api.accessToken.setCustomClaim('https://t/sync', true); };`;
    await withEngine({}, async (engine) => {
      engine.setBindings([auth0Action(code)]);
      assert.deepEqual((await engine.run(request())).claims, { 'https://t/sync': true });
    });
  });

  test('an uncaught error denies with server_error and records the message (status runtime)', async () => {
    const code = `exports.onExecuteCredentialsExchange = async (event, api) => { api.accessToken.setCustomClaim('https://t/a', 1); throw new RangeError('boom'); };`;
    await withEngine({}, async (engine) => {
      engine.setBindings([auth0Action(code)]);
      const result = await engine.run(request());
      assert.deepEqual(result.denial, { error: 'server_error', description: 'A token trigger failed.' });
      assert.deepEqual(result.claims, {});
      const action = only(result);
      assert.equal(action.status, 'runtime');
      assert.deepEqual(action.error, { id: 'runtime_error', msg: 'RangeError: boom' });
      assert.match(
        action.logs.at(-1)?.message ?? '',
        /^Uncaught RangeError: boom\n {4}at exports\.onExecuteCredentialsExchange \(auth0-\d+\.js:1:\d+\)/,
      );
    });
  });

  test('a syntax error is a compile failure denied with server_error', async () => {
    await withEngine({}, async (engine) => {
      engine.setBindings([auth0Action('exports.onExecuteCredentialsExchange = async (event, api) => {')]);
      const result = await engine.run(request());
      assert.deepEqual(result.denial, { error: 'server_error', description: 'A token trigger could not be loaded.' });
      assert.equal(only(result).status, 'compile');
      assert.equal(only(result).error?.id, 'compile_error');
      assert.match(only(result).error?.msg ?? '', /^SyntaxError: Unexpected token/);
    });
  });

  test('code without onExecuteCredentialsExchange is a compile failure with a clear message', async () => {
    await withEngine({}, async (engine) => {
      engine.setBindings([auth0Action('exports.onExecutePostLogin = async () => {};')]);
      const action = only(await engine.run(request()));
      assert.equal(action.status, 'compile');
      assert.equal(
        action.error?.msg,
        'TypeError: The action does not export onExecuteCredentialsExchange: write exports.onExecuteCredentialsExchange = async (event, api) => {}',
      );
    });
  });
});
