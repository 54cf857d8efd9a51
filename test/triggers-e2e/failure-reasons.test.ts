/**
 * A trigger's denial and a trigger's failure, told apart in the `feccft` log record's `details.reason` (src/errors.ts)
 * and nowhere in the response: Auth0's `api.access.deny(code, reason)` is a 403 with the action's code and reason; an
 * action that throws is the one 500 `server_error` every failure gets, its record naming the action and how it ended.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { bind, deployAction, requestToken, TRIGGER_FAILED } from '../helpers/actions.js';
import { lastLog } from '../helpers/executions.js';
import { anyStorage, provision, startMinter, type RunningMinter } from '../helpers/minter.js';

const CODE = `
exports.onExecuteCredentialsExchange = async (event, api) => {
  if (event.client.metadata.mode === 'deny') api.access.deny('invalid_request', 'Not from this client');
  if (event.client.metadata.mode === 'throw') throw new Error('the partner API answered 502');
};`;

describe(`trigger denial and failure reasons (${anyStorage})`, () => {
  let m: RunningMinter;
  before(async () => {
    m = await startMinter({ storage: anyStorage });
    await bind(m, 'credentials-exchange', [await deployAction(m, { name: 'gatekeeper', code: CODE })]);
  });
  after(() => m?.close());

  test('api.access.deny: 403 with the action code and reason; the record names the action', async () => {
    const client = await provision(m, { metadata: { mode: 'deny' } });
    const answer = await requestToken(m, client);
    assert.deepEqual(answer, {
      status: 403,
      body: { error: 'invalid_request', error_description: 'Not from this client' },
    });
    const record = await lastLog(m, client.clientId, 'feccft');
    assert.deepEqual(record.details, {
      error: 'invalid_request',
      status: 403,
      reason: 'denied by action "gatekeeper" (credentials-exchange)',
      actions: { executions: [record.execution_id] },
    });
  });

  test('an action that throws: the one 500 for every failure; the record says which action and why', async () => {
    const client = await provision(m, { metadata: { mode: 'throw' } });
    const answer = await requestToken(m, client);
    assert.deepEqual(answer, TRIGGER_FAILED);
    const record = await lastLog(m, client.clientId, 'feccft');
    const { reason, ...rest } = record.details as { reason: string };
    assert.deepEqual(rest, { error: 'server_error', status: 500, actions: { executions: [record.execution_id] } });
    assert.match(reason, /^action "gatekeeper" \(credentials-exchange\) failed: runtime, runtime_error: /);
    assert.match(reason, /the partner API answered 502/);
    assert.ok(!JSON.stringify(answer.body).includes('gatekeeper'), 'the action is not named to the client');
  });
});
