/**
 * Auth0's action lifecycle through the management API: `test` runs the draft without issuing a token, deploys make
 * numbered versions, a roll back makes an older version run again, secrets reach `event.secrets` but never come
 * back from the API, a bound action cannot be deleted without `force`, and a syntax error is a 400 on deploy.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { bind, claimsOf, requestToken } from '../helpers/actions.js';
import { provision, startMinter, type RunningMinter } from '../helpers/minter.js';

const tierAction = (tier: string) =>
  `exports.onExecuteCredentialsExchange = async (event, api) => {
  console.log("tier ${tier} for", event.client.client_id);
  api.accessToken.setCustomClaim("https://example.com/tier", "${tier}");
  api.accessToken.setCustomClaim("https://example.com/key-length", event.secrets.API_KEY.length);
};`;

describe('Auth0 action lifecycle', () => {
  let m: RunningMinter;
  let app: Awaited<ReturnType<typeof provision>>;
  let actionId: string;
  before(async () => {
    m = await startMinter();
    app = await provision(m);
    const created = await m.api('POST', '/actions/actions', {
      name: 'tier',
      supported_triggers: [{ id: 'credentials-exchange', version: 'v2' }],
      code: tierAction('silver'),
      secrets: [{ name: 'API_KEY', value: 'k-123456' }],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    actionId = created.body.id;
  });
  after(() => m?.close());

  test('secrets are write-only: the API lists their names, never their values', async () => {
    const action = await m.api('GET', `/actions/actions/${actionId}`);
    assert.equal(action.status, 200);
    assert.deepEqual(
      action.body.secrets.map((s: { name: string }) => s.name),
      ['API_KEY'],
    );
    assert.ok(!JSON.stringify(action.body).includes('k-123456'));
  });

  test('POST /actions/actions/{id}/test runs the draft against a payload and issues nothing', async () => {
    const result = await m.api('POST', `/actions/actions/${actionId}/test`, {
      payload: { client: { client_id: 'abc' } },
    });
    assert.equal(result.status, 200, JSON.stringify(result.body));
    assert.equal(result.body.payload.status, 'ok');
    assert.deepEqual(result.body.payload.claims, {
      'https://example.com/tier': 'silver',
      'https://example.com/key-length': 8,
    });
    assert.deepEqual(result.body.payload.logs, [{ level: 'log', message: 'tier silver for abc' }]);
    const logs = await m.api('GET', `/logs?client_id=abc`);
    assert.deepEqual(logs.body, []);
  });

  test('deploys are numbered versions; a roll back runs the older one again', async () => {
    const v1 = await m.api('POST', `/actions/actions/${actionId}/deploy`);
    assert.equal(v1.status, 201);
    assert.equal(v1.body.number, 1);
    await bind(m, 'credentials-exchange', [actionId]);
    assert.equal(claimsOf((await requestToken(m, app)).body.access_token)['https://example.com/tier'], 'silver');

    assert.equal((await m.api('PATCH', `/actions/actions/${actionId}`, { code: tierAction('gold') })).status, 200);
    const v2 = await m.api('POST', `/actions/actions/${actionId}/deploy`);
    assert.equal(v2.body.number, 2);
    assert.equal(claimsOf((await requestToken(m, app)).body.access_token)['https://example.com/tier'], 'gold');

    const versions = await m.api('GET', `/actions/actions/${actionId}/versions`);
    assert.deepEqual(
      versions.body.versions.map((v: { number: number; deployed: boolean }) => [v.number, v.deployed]),
      [
        [2, true],
        [1, false],
      ],
    );
    const rollback = await m.api('POST', `/actions/actions/${actionId}/versions/${v1.body.id}/deploy`, {});
    assert.equal(rollback.status, 201);
    assert.equal(rollback.body.deployed, true);
    assert.equal(claimsOf((await requestToken(m, app)).body.access_token)['https://example.com/tier'], 'silver');
  });

  test('a bound action is not deleted without force; with force its binding goes too', async () => {
    const refused = await m.api('DELETE', `/actions/actions/${actionId}`);
    assert.equal(refused.status, 409);
    const forced = await m.api('DELETE', `/actions/actions/${actionId}?force=true`);
    assert.equal(forced.status, 204);
    const bindings = await m.api('GET', '/actions/triggers/credentials-exchange/bindings');
    assert.deepEqual(bindings.body.bindings, []);
    const plain = await requestToken(m, app);
    assert.equal(plain.status, 200);
    assert.equal(claimsOf(plain.body.access_token)['https://example.com/tier'], undefined);
  });

  test('a syntax error is a 400 on deploy naming the line; binding an undeployed action is refused', async () => {
    const created = await m.api('POST', '/actions/actions', {
      name: 'broken',
      supported_triggers: [{ id: 'credentials-exchange', version: 'v2' }],
      code: 'exports.onExecuteCredentialsExchange = async (event, api) => {\n  api.deny(;\n};',
    });
    assert.equal(created.status, 201);
    const deployed = await m.api('POST', `/actions/actions/${created.body.id}/deploy`);
    assert.equal(deployed.status, 400);
    assert.equal(deployed.body.errorCode, 'build_failed');
    assert.match(deployed.body.message, /^Build failed at action\.js:2:/);
    const bound = await m.api('PATCH', '/actions/triggers/credentials-exchange/bindings', {
      bindings: [{ ref: { type: 'action_id', value: created.body.id } }],
    });
    assert.equal(bound.status, 400);
    assert.equal(bound.body.errorCode, 'not_deployed');
  });
});
