/**
 * The token endpoint's error answers, byte for byte: RFC 6749 §5.2 `{error, error_description}` with the status
 * DESIGN.md names, `Cache-Control: no-store` on every answer (§5.1), a Basic challenge only when Basic was tried
 * (§5.2, RFC 7235 §4.1), and never a 5xx or a non-OAuth body for anything a client can send.
 *
 * The answers come from the in-memory snapshot, not from storage, so this suite runs on one storage
 * (see `anyStorage`); the storage round trip of clients, APIs and grants is covered by test/management.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import {
  anyStorage,
  basicAuth,
  postToken,
  provision,
  startMinter,
  type RunningMinter,
  type WireResponse,
} from '../helpers/minter.js';

/** RFC 6749 §5.2 error codes. */
const RFC6749_ERRORS = new Set([
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'access_denied',
]);

/** Asserts an OAuth error answer exactly: status, JSON body, no-store, and the challenge header or its absence. */
function assertOAuthError(
  response: WireResponse,
  status: number,
  body: { error: string; error_description: string },
  wwwAuthenticate: string | null = null,
): void {
  assert.deepEqual({ status: response.status, body: response.body }, { status, body }, response.text);
  assert.equal(response.headers.get('content-type'), 'application/json; charset=utf-8');
  assert.equal(response.headers.get('cache-control'), 'no-store');
  assert.equal(response.headers.get('www-authenticate'), wwwAuthenticate);
}

describe(`token endpoint errors (${anyStorage})`, () => {
  let m: RunningMinter;
  let app: Awaited<ReturnType<typeof provision>>;
  let other: Awaited<ReturnType<typeof provision>>;
  /** A client whose grant on `app` carries only read:things. */
  let narrow: { clientId: string; clientSecret: string };
  const BASIC_CHALLENGE = 'Basic realm="minter", error="invalid_client"';

  before(async () => {
    m = await startMinter({ storage: anyStorage });
    app = await provision(m);
    other = await provision(m);
    const client = await m.api('POST', '/clients', { name: 'narrow' });
    await m.api('POST', '/client-grants', {
      client_id: client.body.client_id,
      audience: app.identifier,
      scope: ['read:things'],
    });
    narrow = { clientId: client.body.client_id, clientSecret: client.body.client_secret };
  });
  after(() => m?.close());

  const valid = () => ({
    grant_type: 'client_credentials',
    client_id: app.clientId,
    client_secret: app.clientSecret,
    audience: app.identifier,
  });

  describe('client authentication (RFC 6749 §2.3.1, §5.2 invalid_client)', () => {
    test('a wrong secret over Basic is 401 invalid_client with a Basic challenge', async () => {
      const response = await postToken(
        m.baseUrl,
        { grant_type: 'client_credentials', audience: app.identifier },
        { headers: { authorization: basicAuth(app.clientId, 'wrong-secret') } },
      );
      assertOAuthError(
        response,
        401,
        { error: 'invalid_client', error_description: 'Client authentication failed' },
        BASIC_CHALLENGE,
      );
    });

    test('a wrong secret in the body (client_secret_post) is 401 invalid_client without a challenge', async () => {
      const response = await postToken(m.baseUrl, { ...valid(), client_secret: 'wrong-secret' });
      assertOAuthError(response, 401, { error: 'invalid_client', error_description: 'Client authentication failed' });
    });

    test('an unknown client gets the same 401 body as a wrong secret, so ids cannot be probed', async () => {
      const post = await postToken(m.baseUrl, { ...valid(), client_id: 'no-such-client' });
      assertOAuthError(post, 401, { error: 'invalid_client', error_description: 'Client authentication failed' });
      const basic = await postToken(
        m.baseUrl,
        { grant_type: 'client_credentials', audience: app.identifier },
        { headers: { authorization: basicAuth('no-such-client', app.clientSecret) } },
      );
      assertOAuthError(
        basic,
        401,
        { error: 'invalid_client', error_description: 'Client authentication failed' },
        BASIC_CHALLENGE,
      );
    });

    test('Basic together with client_secret in the body is 400 invalid_request (one method per request)', async () => {
      const response = await postToken(
        m.baseUrl,
        { grant_type: 'client_credentials', audience: app.identifier, client_secret: app.clientSecret },
        { headers: { authorization: basicAuth(app.clientId, app.clientSecret) } },
      );
      assertOAuthError(response, 400, {
        error: 'invalid_request',
        error_description: 'Use one client authentication method: Basic or client_secret in the body, not both',
      });
    });

    test('Basic credentials without a colon are 401 invalid_client with a Basic challenge', async () => {
      const response = await postToken(
        m.baseUrl,
        { grant_type: 'client_credentials', audience: app.identifier },
        { headers: { authorization: `Basic ${Buffer.from(app.clientId).toString('base64')}` } },
      );
      assertOAuthError(
        response,
        401,
        { error: 'invalid_client', error_description: 'The Basic credentials are malformed' },
        BASIC_CHALLENGE,
      );
    });

    test('a client_id in the body that differs from the Basic one is 401 invalid_client with a Basic challenge', async () => {
      const response = await postToken(
        m.baseUrl,
        { grant_type: 'client_credentials', audience: app.identifier, client_id: other.clientId },
        { headers: { authorization: basicAuth(app.clientId, app.clientSecret) } },
      );
      assertOAuthError(
        response,
        401,
        { error: 'invalid_client', error_description: 'client_id in the body does not match the Basic credentials' },
        BASIC_CHALLENGE,
      );
    });

    test('no client credentials at all is 401 invalid_client', async () => {
      const response = await postToken(m.baseUrl, { grant_type: 'client_credentials', audience: app.identifier });
      assertOAuthError(response, 401, {
        error: 'invalid_client',
        error_description: 'Client authentication is required (client_id and client_secret, or HTTP Basic)',
      });
    });
  });

  describe('authorisation (DESIGN: access_denied 403, invalid_scope, unauthorized_client)', () => {
    test('a client with no grant for the audience is 403 access_denied', async () => {
      const response = await postToken(m.baseUrl, { ...valid(), audience: other.identifier });
      assertOAuthError(response, 403, {
        error: 'access_denied',
        error_description: `Client "${app.clientId}" is not authorized to access resource server "${other.identifier}"`,
      });
    });

    test('an unknown audience is 403 access_denied "Service not found: …"', async () => {
      const response = await postToken(m.baseUrl, { ...valid(), audience: 'https://nowhere.example.com' });
      assertOAuthError(response, 403, {
        error: 'access_denied',
        error_description: 'Service not found: https://nowhere.example.com',
      });
    });

    test('an audience that names an API under another host or slash is told the exact identifier', async () => {
      const management = `${m.issuer}/api/v2/`;
      const port = new URL(m.baseUrl).port;
      const tries = [
        { client: m.admin, audience: `http://127.0.0.1:${port}/api/v2`, meant: management },
        { client: m.admin, audience: `https://minter.internal/API/v2/`, meant: management },
        { client: app, audience: app.identifier.replace(/\/*$/, '') + '//', meant: app.identifier },
      ];
      for (const { client, audience, meant } of tries) {
        const response = await postToken(m.baseUrl, {
          grant_type: 'client_credentials',
          client_id: client.clientId,
          client_secret: client.clientSecret,
          audience,
        });
        assertOAuthError(response, 403, {
          error: 'access_denied',
          error_description: `Service not found: ${audience}; the audience must be an API's identifier exactly: did you mean "${meant}"?`,
        });
      }
    });

    test('a scope outside the grant is 403 invalid_scope naming the scope', async () => {
      const response = await postToken(m.baseUrl, {
        grant_type: 'client_credentials',
        client_id: narrow.clientId,
        client_secret: narrow.clientSecret,
        audience: app.identifier,
        scope: 'read:things write:things',
      });
      assertOAuthError(response, 403, {
        error: 'invalid_scope',
        error_description: 'Client has not been granted scopes: write:things',
      });
    });

    test('a scope token with a character outside RFC 6749 §3.3 (a double quote) is 400 invalid_scope', async () => {
      const response = await postToken(m.baseUrl, { ...valid(), scope: 'read:things read"things' });
      assertOAuthError(response, 400, {
        error: 'invalid_scope',
        error_description: 'Scope "read"things" has a character RFC 6749 §3.3 does not allow',
      });
    });

    test('a client without the client_credentials grant type is 403 unauthorized_client', async () => {
      const client = await m.api('POST', '/clients', { name: 'no-cc', grant_types: [] });
      await m.api('POST', '/client-grants', { client_id: client.body.client_id, audience: app.identifier, scope: [] });
      const response = await postToken(m.baseUrl, {
        ...valid(),
        client_id: client.body.client_id,
        client_secret: client.body.client_secret,
      });
      assertOAuthError(response, 403, {
        error: 'unauthorized_client',
        error_description: "Grant type 'client_credentials' not allowed for the client.",
      });
    });
  });

  describe('request parameters (RFC 6749 §3.2, §4.4.2, §5.2 invalid_request)', () => {
    test('a missing grant_type is 400 invalid_request', async () => {
      const { grant_type: _, ...rest } = valid();
      assertOAuthError(await postToken(m.baseUrl, rest), 400, {
        error: 'invalid_request',
        error_description: 'grant_type is required',
      });
    });

    test('grant_type=password is 400 unsupported_grant_type', async () => {
      const response = await postToken(m.baseUrl, { ...valid(), grant_type: 'password' });
      assertOAuthError(response, 400, {
        error: 'unsupported_grant_type',
        error_description: 'Grant type "password" is not supported; use client_credentials',
      });
    });

    test('a repeated parameter (audience=a&audience=b) is 400 invalid_request (RFC 6749 §3.2)', async () => {
      const body = new URLSearchParams(valid());
      body.append('audience', other.identifier);
      const response = await postToken(m.baseUrl, body.toString());
      assertOAuthError(response, 400, {
        error: 'invalid_request',
        error_description: 'Parameter "audience" must not be included more than once',
      });
    });

    test('audience and resource (RFC 8707) naming different APIs is 400 invalid_request', async () => {
      const response = await postToken(m.baseUrl, { ...valid(), resource: other.identifier });
      assertOAuthError(response, 400, {
        error: 'invalid_request',
        error_description: 'audience and resource name different APIs; send one of them',
      });
    });

    test('a missing audience is 400 invalid_request', async () => {
      const { audience: _, ...rest } = valid();
      assertOAuthError(await postToken(m.baseUrl, rest), 400, {
        error: 'invalid_request',
        error_description: 'audience (or resource) is required: the identifier of the API the token is for',
      });
    });
  });

  describe('request bodies (DESIGN: form or JSON; every malformed request is invalid_request)', () => {
    test('malformed JSON is 400 invalid_request', async () => {
      const response = await postToken(m.baseUrl, '{"grant_type": "client_credentials",', {
        contentType: 'application/json',
      });
      assertOAuthError(response, 400, {
        error: 'invalid_request',
        error_description: 'The request body is not valid JSON',
      });
    });

    test('text/plain is 400 invalid_request, not 415', async () => {
      const response = await postToken(m.baseUrl, new URLSearchParams(valid()).toString(), {
        contentType: 'text/plain',
      });
      assertOAuthError(response, 400, {
        error: 'invalid_request',
        error_description: 'The request body must be application/x-www-form-urlencoded or a JSON object',
      });
    });

    test('a content type Fastify has no parser for (application/xml) is 400 invalid_request, not 415', async () => {
      const response = await postToken(m.baseUrl, '<grant_type>client_credentials</grant_type>', {
        contentType: 'application/xml',
      });
      assertOAuthError(response, 400, {
        error: 'invalid_request',
        error_description: 'Unsupported content type; send application/x-www-form-urlencoded or application/json',
      });
    });

    test('a 20 KB form body is 400 invalid_request, not 413 or 500', async () => {
      const response = await postToken(m.baseUrl, { ...valid(), padding: 'x'.repeat(20 * 1024) });
      assertOAuthError(response, 400, { error: 'invalid_request', error_description: 'The request body is too large' });
    });

    test('a 20 KB JSON body is 400 invalid_request, not 413 or 500', async () => {
      const response = await postToken(m.baseUrl, JSON.stringify({ ...valid(), padding: 'x'.repeat(20 * 1024) }), {
        contentType: 'application/json',
      });
      assertOAuthError(response, 400, { error: 'invalid_request', error_description: 'The request body is too large' });
    });

    test('a JSON array body is 400 invalid_request', async () => {
      const response = await postToken(m.baseUrl, JSON.stringify([valid()]), { contentType: 'application/json' });
      assertOAuthError(response, 400, {
        error: 'invalid_request',
        error_description: 'The request body must be application/x-www-form-urlencoded or a JSON object',
      });
    });

    test('a number for client_id in a JSON body is 400 invalid_request', async () => {
      const response = await postToken(m.baseUrl, JSON.stringify({ ...valid(), client_id: 12345 }), {
        contentType: 'application/json',
      });
      assertOAuthError(response, 400, {
        error: 'invalid_request',
        error_description: 'Parameter "client_id" must be a string',
      });
    });

    test('a JSON object body is accepted like a form body', async () => {
      const response = await postToken(m.baseUrl, JSON.stringify(valid()), { contentType: 'application/json' });
      assert.equal(response.status, 200, response.text);
    });
  });

  test('success is 200 with Cache-Control: no-store and Pragma: no-cache (RFC 6749 §5.1)', async () => {
    const response = await postToken(m.baseUrl, valid());
    assert.equal(response.status, 200, response.text);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    assert.equal(response.headers.get('pragma'), 'no-cache');
    assert.equal(response.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.deepEqual(Object.keys(response.body), ['access_token', 'token_type', 'expires_in', 'scope']);
    assert.equal(response.body.token_type, 'Bearer');
  });

  test('property: no form or JSON body, under any content type, gets a 5xx or a non-RFC 6749 §5.2 error', async () => {
    const known = [
      'grant_type',
      'client_id',
      'client_secret',
      'client_assertion',
      'client_assertion_type',
      'audience',
      'resource',
      'scope',
      'organization',
    ];
    const interesting = [
      'client_credentials',
      'password',
      app.clientId,
      app.clientSecret,
      app.identifier,
      other.identifier,
      'read:things',
      'read:things write:things',
      'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      '',
      '%',
      '%zz',
      '"',
      '\u0000',
    ];
    const key = fc.oneof(
      fc.constantFrom(...known),
      fc.string({ maxLength: 12 }),
      fc.constantFrom('__proto__', 'constructor', 'toString'),
    );
    const value = fc.oneof(fc.constantFrom(...interesting), fc.string({ maxLength: 40, unit: 'binary' }));
    const pairs = fc.array(fc.tuple(key, value), { maxLength: 8 });
    const form = pairs.map((ps) => ps.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&'));
    const rawForm = pairs.map((ps) => ps.map(([k, v]) => `${k}=${v}`).join('&'));
    const json = fc.oneof(
      pairs.map((ps) => JSON.stringify(Object.fromEntries(ps))),
      fc.dictionary(fc.constantFrom(...known), fc.jsonValue({ maxDepth: 2 })).map((o) => JSON.stringify(o)),
      fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
    );
    const body = fc.oneof(form, rawForm, json, fc.string({ maxLength: 60 }));
    const contentType = fc.oneof(
      fc.constantFrom(
        'application/x-www-form-urlencoded',
        'application/x-www-form-urlencoded; charset=utf-8',
        'application/json',
        'application/json; charset=utf-8',
        'text/plain',
        'multipart/form-data; boundary=x',
        'application/xml',
        '',
      ),
      fc.stringMatching(/^[a-z]{1,8}\/[a-z+.-]{1,12}$/),
      fc.constant(null),
    );
    const auth = fc.option(
      fc.oneof(
        fc.constant(basicAuth(app.clientId, app.clientSecret)),
        fc.constant(basicAuth(app.clientId, 'wrong')),
        fc.stringMatching(/^Basic [A-Za-z0-9+/=]{0,24}$/),
        fc.constant('Bearer abc'),
      ),
      { nil: undefined },
    );
    await fc.assert(
      fc.asyncProperty(body, contentType, auth, async (b, ct, authorization) => {
        const response = await postToken(m.baseUrl, b, {
          contentType: ct,
          headers: authorization ? { authorization } : {},
        });
        assert.ok(response.status < 500, `${response.status} ${response.text}`);
        assert.equal(response.headers.get('cache-control'), 'no-store');
        if (response.status === 200) return;
        assert.ok(
          response.status === 400 || response.status === 401 || response.status === 403,
          `${response.status} ${response.text}`,
        );
        assert.equal(response.headers.get('content-type'), 'application/json; charset=utf-8');
        assert.ok(RFC6749_ERRORS.has(response.body?.error), response.text);
        assert.equal(typeof response.body.error_description, 'string');
      }),
      { numRuns: 200 },
    );
  });
});
