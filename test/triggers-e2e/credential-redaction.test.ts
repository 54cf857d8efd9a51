/**
 * No credential a client sends reaches an action or a record (issue 11, finding 6): whatever its casing or spelling
 * (`Client_Secret`, `CLIENT_SECRET`, `clientSecret`, `client-secret`) and whichever grant it belongs to (password,
 * refresh_token, code, code_verifier, assertion, subject_token, actor_token, device_code, …), a credential parameter is
 * left out of `event.request.body`, so neither the action's claims nor its console — the execution record, the logs
 * API, the token — can carry it. HTTP Basic credentials never land in a record either.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { bind, deployAction } from '../helpers/actions.js';
import { lastExecution, lastLog } from '../helpers/executions.js';
import { basicAuth, postToken, provision, startMinter, type RunningMinter } from '../helpers/minter.js';

/** A value no one could mistake: each credential carries its own, so a leak names its parameter. */
const marker = (name: string) => `LEAK-${name.replace(/[^A-Za-z0-9]/g, '')}-${randomBytes(6).toString('hex')}`;

/** Credential parameters under the spellings clients really send. */
const CREDENTIALS = [
  'Client_Secret',
  'CLIENT_SECRET',
  'clientSecret',
  'client-secret',
  'ClientSecret',
  'Client_Assertion',
  'CLIENT_ASSERTION',
  'clientAssertion',
  'password',
  'Password',
  'refresh_token',
  'Refresh_Token',
  'refreshToken',
  'code',
  'CODE',
  'code_verifier',
  'codeVerifier',
  'assertion',
  'subject_token',
  'actor_token',
  'device_code',
  'access_token',
  'id_token',
  'token',
  'otp',
  'mfa_token',
  'oob_code',
  'binding_code',
  'recovery_code',
  'auth_req_id',
];

/** Parameters that are not credentials and stay visible to the action as sent. */
const VISIBLE = { custom_param: 'kept', Scope_Hint: 'x', client_secret_hint: 'not a secret' };
/** `client_assertion_type` names a method, it is no credential (a token request carrying it is a private_key_jwt one). */
const ASSERTION_TYPE = { client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' };

const ACTION = `exports.onExecuteCredentialsExchange = async (event, api) => {
  console.log('body', JSON.stringify(event.request.body));
  api.accessToken.setCustomClaim('https://example.com/body', event.request.body);
};`;

describe('credentials never reach event.request.body, the execution record or the logs API', () => {
  let m: RunningMinter;
  let app: Awaited<ReturnType<typeof provision>>;
  let jwks: ReturnType<typeof createRemoteJWKSet>;
  before(async () => {
    m = await startMinter();
    app = await provision(m);
    jwks = createRemoteJWKSet(new URL(`${m.baseUrl}/.well-known/jwks.json`));
    await bind(m, 'credentials-exchange', [await deployAction(m, { name: 'body-copier', code: ACTION })]);
  });
  after(() => m?.close());

  /** Asserts none of `secrets` appears in the text of the last records of the client, nor in the logs API. */
  async function assertNowhere(secrets: string[], type: 'seccft' | 'feccft', clientId: string): Promise<void> {
    const log = await lastLog(m, clientId, type);
    const texts = [
      JSON.stringify(log),
      JSON.stringify((await m.api('GET', `/logs/${log.log_id}`)).body),
      JSON.stringify((await m.api('GET', '/logs?per_page=100')).body),
    ];
    if (log.execution_id)
      texts.push(JSON.stringify((await m.api('GET', `/actions/executions/${log.execution_id}`)).body));
    for (const text of texts)
      for (const secret of secrets)
        assert.ok(!text.includes(secret), `${secret.split('-')[1]} leaked into ${text.slice(0, 300)}`);
  }

  for (const encoding of ['form', 'json'] as const) {
    test(`client_secret_post plus every credential under other spellings (${encoding}): the action sees only the rest`, async () => {
      const leaks = Object.fromEntries(CREDENTIALS.map((name) => [name, marker(name)]));
      const sent = {
        grant_type: 'client_credentials',
        client_id: app.clientId,
        client_secret: app.clientSecret,
        audience: app.identifier,
        ...VISIBLE,
        ...leaks,
      };
      const answer =
        encoding === 'form'
          ? await postToken(m.baseUrl, sent)
          : await postToken(m.baseUrl, JSON.stringify(sent), { contentType: 'application/json' });
      assert.equal(answer.status, 200, answer.text);
      const { payload } = await jwtVerify(answer.body.access_token, jwks, {
        issuer: m.issuer,
        audience: app.identifier,
      });
      assert.deepEqual(payload['https://example.com/body'], {
        grant_type: 'client_credentials',
        client_id: app.clientId,
        audience: app.identifier,
        ...VISIBLE,
      });

      const [result] = (await lastExecution(m, app.clientId)).results;
      assert.equal(result.status, 'ok');
      assert.equal(result.logs.length, 1);
      assert.deepEqual(JSON.parse(result.logs[0].message.slice('body '.length)), payload['https://example.com/body']);
      await assertNowhere([app.clientSecret, ...Object.values(leaks)], 'seccft', app.clientId);
    });
  }

  test('HTTP Basic with a Client_Secret in the body: neither secret reaches the action or a record', async () => {
    const leak = marker('Client_Secret');
    const answer = await postToken(
      m.baseUrl,
      { grant_type: 'client_credentials', audience: app.identifier, Client_Secret: leak, CLIENT_ID: 'shown' },
      { headers: { authorization: basicAuth(app.clientId, app.clientSecret) } },
    );
    assert.equal(answer.status, 200, answer.text);
    const { payload } = await jwtVerify(answer.body.access_token, jwks, { issuer: m.issuer, audience: app.identifier });
    assert.deepEqual(payload['https://example.com/body'], {
      grant_type: 'client_credentials',
      audience: app.identifier,
      CLIENT_ID: 'shown',
    });
    const basic = basicAuth(app.clientId, app.clientSecret).slice('Basic '.length);
    await assertNowhere([app.clientSecret, leak, basic], 'seccft', app.clientId);
  });

  test('failed requests: a secret under another casing, a wrong Basic secret, an unknown client leave no secret in the logs', async () => {
    const leaks = [marker('a'), marker('b'), marker('c')];
    // Only Client_Secret: Minter reads client_secret, so this is a client without a secret (401).
    const miscased = await postToken(m.baseUrl, {
      grant_type: 'client_credentials',
      client_id: app.clientId,
      Client_Secret: leaks[0]!,
      audience: app.identifier,
    });
    assert.equal(miscased.status, 401, miscased.text);
    await assertNowhere([leaks[0]!], 'feccft', app.clientId);
    const wrongBasic = await postToken(
      m.baseUrl,
      { grant_type: 'client_credentials', audience: app.identifier },
      { headers: { authorization: basicAuth(app.clientId, leaks[1]!) } },
    );
    assert.equal(wrongBasic.status, 401, wrongBasic.text);
    const unknown = await postToken(m.baseUrl, {
      grant_type: 'client_credentials',
      client_id: 'no-such-client',
      client_secret: leaks[2]!,
      audience: app.identifier,
    });
    assert.equal(unknown.status, 401, unknown.text);
    await assertNowhere(leaks, 'feccft', 'no-such-client');
  });

  test('POST /actions/actions/{id}/test: credentials in the payload body are left out the same way', async () => {
    const id = (await m.api('GET', '/actions/actions?actionName=body-copier')).body.actions[0].id;
    const leaks = Object.fromEntries(CREDENTIALS.map((name) => [name, marker(name)]));
    const ran = await m.api('POST', `/actions/actions/${id}/test`, {
      payload: {
        request: {
          body: {
            grant_type: 'client_credentials',
            client_secret: marker('client_secret'),
            ...VISIBLE,
            ...ASSERTION_TYPE,
            ...leaks,
          },
        },
      },
    });
    assert.equal(ran.status, 200, JSON.stringify(ran.body));
    assert.deepEqual(ran.body.payload.claims['https://example.com/body'], {
      grant_type: 'client_credentials',
      ...VISIBLE,
      ...ASSERTION_TYPE,
    });
    const text = JSON.stringify(ran.body);
    for (const secret of Object.values(leaks)) assert.ok(!text.includes(secret), `${secret} leaked`);
  });
});
