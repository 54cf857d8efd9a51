/**
 * The Auth0 M2M trigger page's two samples, unmodified, through the real token endpoint (seed page
 * `seed-auth0-m2m-trigger.ja.md`): the North-America geoip denial and the request-ip claim.
 * The client's address comes from X-Forwarded-For (MINTER_TRUST_PROXY=true), as behind a proxy.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { bind, deployAction, requestToken } from '../helpers/actions.js';
import { provision, startMinter, type RunningMinter } from '../helpers/minter.js';

const GEO_DENIAL = `/**
 * @param {Event} event - Details about client credentials grant request.
 * @param {CredentialsExchangeAPI} api - Interface whose methods can be used to change the behavior of client credentials grant.
 */
exports.onExecuteCredentialsExchange = async (event, api) => {
  if (event.request.geoip.continentCode === "NA") {
    api.access.deny('invalid_request', "Access from North America is not allowed.");
  }
};`;

const REQUEST_IP_CLAIM = `/**
 * @param {Event} event - Details about client credentials grant request.
 * @param {CredentialsExchangeAPI} api - Interface whose methods can be used to change the behavior of client credentials grant.
 */
exports.onExecuteCredentialsExchange = async (event, api) => {
  api.accessToken.setCustomClaim("https://my-api.exampleco.com/request-ip", event.request.ip);  
};`;

describe('Auth0 credentials-exchange seed samples through /oauth/token', () => {
  let m: RunningMinter;
  let app: Awaited<ReturnType<typeof provision>>;
  before(async () => {
    m = await startMinter({ env: { MINTER_TRUST_PROXY: 'true' } });
    app = await provision(m, { signing_alg: 'ES256' });
    const geo = await deployAction(m, { name: 'deny-north-america', code: GEO_DENIAL });
    const ip = await deployAction(m, { name: 'request-ip-claim', code: REQUEST_IP_CLAIM });
    await bind(m, 'credentials-exchange', [geo, ip]);
  });
  after(() => m?.close());

  test('api.access.deny: a North-American address is refused with the action code and reason', async () => {
    const { status, body } = await requestToken(m, app, {}, { 'x-forwarded-for': '8.8.8.8' });
    assert.equal(status, 403);
    assert.deepEqual(body, {
      error: 'invalid_request',
      error_description: 'Access from North America is not allowed.',
    });
  });

  test('api.accessToken.setCustomClaim: a European address gets a token carrying its IP', async () => {
    const { status, body } = await requestToken(m, app, {}, { 'x-forwarded-for': '193.0.6.139' });
    assert.equal(status, 200, JSON.stringify(body));
    const jwks = createRemoteJWKSet(new URL(`${m.baseUrl}/.well-known/jwks.json`));
    const { payload } = await jwtVerify(body.access_token, jwks, { issuer: m.issuer, audience: app.identifier });
    assert.equal(payload['https://my-api.exampleco.com/request-ip'], '193.0.6.139');
  });

  test('the denial is logged as feccft; its execution record names the action that denied and skips the rest', async () => {
    const logs = await m.api('GET', `/logs?type=feccft&client_id=${app.clientId}`);
    assert.equal(logs.status, 200);
    const denial = logs.body.find((l: any) => l.description === 'Access from North America is not allowed.');
    assert.ok(denial, JSON.stringify(logs.body));
    const execution = await m.api('GET', `/actions/executions/${denial.execution_id}`);
    assert.equal(execution.status, 200);
    assert.deepEqual(
      execution.body.results.map((r: any) => [r.action_name, r.status, r.denial?.code]),
      [
        ['deny-north-america', 'denied', 'invalid_request'],
        ['request-ip-claim', 'skipped', undefined],
      ],
    );
  });

  test('management API tokens never pass through triggers', async () => {
    const response = await fetch(`${m.baseUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '8.8.8.8' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: m.admin.clientId,
        client_secret: m.admin.clientSecret,
        audience: `${m.baseUrl}/api/v2/`,
      }),
    });
    assert.equal(response.status, 200);
  });
});
