/**
 * A failed token request tells the client what RFC 6749 §5.2 says and no more, and tells the operator why: the
 * `feccft` log record (`GET /api/v2/logs`) carries the error's internal `details.reason` (src/errors.ts), which is
 * never in the response. An unknown client, a wrong secret and a private_key_jwt client sent a secret get one answer, byte
 * for byte, so client ids cannot be probed; their records say which it was.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  anyStorage,
  basicAuth,
  postToken,
  provision,
  startMinter,
  type RunningMinter,
  type WireResponse,
} from '../helpers/minter.js';

/** What a client can see of an answer: status, headers that matter, and the raw body. */
const seen = (response: WireResponse) => ({
  status: response.status,
  text: response.text,
  contentType: response.headers.get('content-type'),
  cacheControl: response.headers.get('cache-control'),
  challenge: response.headers.get('www-authenticate'),
});

/** The `feccft` record of the request sent with `userAgent`. */
async function recordOf(m: RunningMinter, userAgent: string): Promise<Record<string, any>> {
  const logs = await m.api('GET', '/logs?type=feccft&per_page=100');
  assert.equal(logs.status, 200, JSON.stringify(logs.body));
  const record = (logs.body as Array<Record<string, any>>).find((r) => r.user_agent === userAgent);
  assert.ok(record, `no feccft record for the request sent as "${userAgent}"`);
  return record;
}

describe(`failure reasons: for the log record, never for the client (${anyStorage})`, () => {
  let m: RunningMinter;
  let app: Awaited<ReturnType<typeof provision>>;
  let keysOnly: string;

  before(async () => {
    m = await startMinter({ storage: anyStorage });
    app = await provision(m, { grant: ['read:things'] });
    const created = await m.api('POST', '/clients', {
      name: 'keys only',
      token_endpoint_auth_method: 'private_key_jwt',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    keysOnly = created.body.client_id;
  });
  after(() => m?.close());

  const wrongSecret = () => crypto.randomBytes(32).toString('base64url');

  for (const basic of [false, true]) {
    test(`RFC 6749 §5.2 invalid_client over ${basic ? 'HTTP Basic' : 'client_secret_post'}: one answer, three reasons`, async () => {
      const unknownId = `unknown-${crypto.randomBytes(8).toString('hex')}`;
      const attempt = async (clientId: string) => {
        const userAgent = `failure-reasons/${crypto.randomUUID()}`;
        const answer = await postToken(
          m.baseUrl,
          {
            grant_type: 'client_credentials',
            audience: app.identifier,
            ...(basic ? {} : { client_id: clientId, client_secret: wrongSecret() }),
          },
          {
            headers: {
              'user-agent': userAgent,
              ...(basic && { authorization: basicAuth(clientId, wrongSecret()) }),
            },
          },
        );
        return { ...answer, userAgent, clientId };
      };
      const answers = {
        'wrong client_secret': await attempt(app.clientId),
        'unknown client_id': await attempt(unknownId),
        'the client authenticates with private_key_jwt (token_endpoint_auth_method); it has no secret':
          await attempt(keysOnly),
      };
      const expected = {
        status: 401,
        text: JSON.stringify({ error: 'invalid_client', error_description: 'Client authentication failed' }),
        contentType: 'application/json; charset=utf-8',
        cacheControl: 'no-store',
        challenge: basic ? 'Basic realm="minter", error="invalid_client"' : null,
      };
      for (const [reason, answer] of Object.entries(answers)) assert.deepEqual(seen(answer), expected, reason);

      for (const [reason, answer] of Object.entries(answers)) {
        const record = await recordOf(m, answer.userAgent);
        assert.equal(record.description, 'Client authentication failed', reason);
        assert.deepEqual(record.details, { error: 'invalid_client', status: 401, reason });
        // The record names the client the request claimed to be, from the body or the Basic credentials alike.
        assert.equal(record.client_id, answer.clientId, reason);
        assert.ok(!answer.text.includes(reason), `the reason is not sent: ${answer.text}`);
      }
    });
  }

  test('invalid_scope for a scope not granted: 403 to the client, the client grant named in the record only', async () => {
    const userAgent = `failure-reasons/${crypto.randomUUID()}`;
    const answer = await postToken(
      m.baseUrl,
      {
        grant_type: 'client_credentials',
        client_id: app.clientId,
        client_secret: app.clientSecret,
        audience: app.identifier,
        scope: 'read:things write:things',
      },
      { headers: { 'user-agent': userAgent } },
    );
    assert.equal(answer.status, 403, answer.text);
    assert.deepEqual(answer.body, {
      error: 'invalid_scope',
      error_description: 'Client has not been granted scopes: write:things',
    });
    const record = await recordOf(m, userAgent);
    const reason = `not in client grant ${app.grantId}, which holds 1 scope(s)`;
    assert.deepEqual(record.details, { error: 'invalid_scope', status: 403, reason });
    assert.ok(!answer.text.includes(app.grantId), 'the grant id is not sent');
  });

  test('a failure without an internal reason leaves details without one', async () => {
    const userAgent = `failure-reasons/${crypto.randomUUID()}`;
    const answer = await postToken(
      m.baseUrl,
      {
        grant_type: 'client_credentials',
        client_id: app.clientId,
        client_secret: app.clientSecret,
        audience: 'https://nowhere.example.com',
      },
      { headers: { 'user-agent': userAgent } },
    );
    assert.equal(answer.status, 403, answer.text);
    const record = await recordOf(m, userAgent);
    assert.deepEqual(record.details, { error: 'access_denied', status: 403 });
  });
});
