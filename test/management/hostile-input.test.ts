/**
 * The management API inputs that answered 500 (issue 11, finding 5) and the property lookup that answered 204
 * (finding 6), each as a named case, on both storages: every one is now a 4xx with Auth0's exact error body. Text
 * PostgreSQL can store — emoji, a well-formed surrogate pair, other scripts — still goes in and comes back as sent.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { assertManagementError, provision, startMinter, type RunningMinter, type Storage } from '../helpers/minter.js';
import { skipWithoutPostgres } from '../helpers/postgres.js';

const NUL = (where: string) =>
  `Payload validation error: ${where} contains a NUL character (U+0000), which cannot be stored`;
const SURROGATE = (where: string, unit = 'D800') =>
  `Payload validation error: ${where} contains an unpaired UTF-16 surrogate (U+${unit}), which is not Unicode text`;
const DATE = (where: string) =>
  `Payload validation error: querystring.${where} must be an RFC 3339 date-time from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z`;

function hostileInputSuite(storage: Storage) {
  describe(
    `management API: hostile input is a 4xx with Auth0's body (${storage})`,
    { skip: storage === 'postgres' && skipWithoutPostgres },
    () => {
      let m: RunningMinter;
      let clientId: string;
      /** Sends a JSON body as raw text, so that escapes like \ud800 reach the server as written. */
      const rawJson = async (method: string, path: string, text: string) => {
        const response = await fetch(`${m.baseUrl}/api/v2${path}`, {
          method,
          headers: { authorization: `Bearer ${await m.adminToken()}`, 'content-type': 'application/json' },
          body: text,
        });
        const body = await response.text();
        return { status: response.status, headers: response.headers, body: body ? JSON.parse(body) : undefined };
      };
      before(async () => {
        m = await startMinter({ storage });
        ({ clientId } = await provision(m));
      });
      after(() => m?.close());

      test('NUL in a client name, its metadata and a property value: 400 invalid_body naming the field', async () => {
        assertManagementError(
          await m.api('POST', '/clients', { name: 'a\u0000b' }),
          400,
          'Bad Request',
          NUL('body.name'),
          'invalid_body',
        );
        assertManagementError(
          await m.api('POST', '/clients', { name: 'x', client_metadata: { plan: 'a\u0000b' } }),
          400,
          'Bad Request',
          NUL('body.client_metadata.plan'),
          'invalid_body',
        );
        assertManagementError(
          await m.api('PUT', `/clients/${clientId}/properties/tier`, { value: 'gold\u0000' }),
          400,
          'Bad Request',
          NUL('body.value'),
          'invalid_body',
        );
      });

      test('NUL in organization, resource server and action fields, and in a metadata key', async () => {
        assertManagementError(
          await m.api('POST', '/organizations', { name: 'acme', display_name: 'A\u0000' }),
          400,
          'Bad Request',
          NUL('body.display_name'),
          'invalid_body',
        );
        assertManagementError(
          await m.api('POST', '/organizations', { name: 'acme', metadata: { 'k\u0000': 'v' } }),
          400,
          'Bad Request',
          NUL('body.metadata: property name "k\\u0000"'),
          'invalid_body',
        );
        assertManagementError(
          await m.api('POST', '/resource-servers', { identifier: 'https://a\u0000' }),
          400,
          'Bad Request',
          NUL('body.identifier'),
          'invalid_body',
        );
        assertManagementError(
          await m.api('POST', '/actions/actions', {
            name: 'n\u0000',
            code: '',
            supported_triggers: [{ id: 'credentials-exchange' }],
          }),
          400,
          'Bad Request',
          NUL('body.name'),
          'invalid_body',
        );
      });

      test('an unpaired surrogate in a JSON string (\\ud800, \\udfff): 400, in text and in jsonb columns alike', async () => {
        assertManagementError(
          await rawJson('POST', '/clients', '{"name":"x","description":"\\ud800"}'),
          400,
          'Bad Request',
          SURROGATE('body.description'),
          'invalid_body',
        );
        assertManagementError(
          await rawJson('POST', '/clients', '{"name":"x","client_metadata":{"plan":"a\\udfffb"}}'),
          400,
          'Bad Request',
          SURROGATE('body.client_metadata.plan', 'DFFF'),
          'invalid_body',
        );
      });

      test('NUL in path ids of every resource: 400 invalid_uri', async () => {
        for (const [path, param] of [
          ['/clients/a%00b', 'id'],
          ['/resource-servers/a%00b', 'id'],
          ['/client-grants/a%00b', 'id'],
          ['/organizations/a%00b', 'id'],
          ['/actions/actions/a%00b', 'id'],
          ['/actions/executions/a%00b', 'id'],
          ['/logs/a%00b', 'id'],
          ['/keys/signing/a%00b', 'kid'],
          ['/actions/actions/x/versions/a%00b', 'versionId'],
        ] as const) {
          assertManagementError(await m.api('GET', path), 400, 'Bad Request', NUL(`params.${param}`), 'invalid_uri');
        }
      });

      test('/logs?page=1e300 and other pages past 100,000 or not finite: 400 invalid_query_string', async () => {
        const tooFar = 'Payload validation error: querystring.page must be <= 100000';
        assertManagementError(
          await m.api('GET', '/logs?page=1e300'),
          400,
          'Bad Request',
          tooFar,
          'invalid_query_string',
        );
        assertManagementError(
          await m.api('GET', '/logs?page=99999999999'),
          400,
          'Bad Request',
          tooFar,
          'invalid_query_string',
        );
        assertManagementError(
          await m.api('GET', '/clients?page=1e300'),
          400,
          'Bad Request',
          tooFar,
          'invalid_query_string',
        );
        // Ajv turns the text Infinity into a number its bounds do not check.
        for (const query of ['page=Infinity', 'per_page=-Infinity', 'take=Infinity']) {
          const name = query.split('=')[0];
          assertManagementError(
            await m.api('GET', `/logs?${query}`),
            400,
            'Bad Request',
            `Payload validation error: querystring.${name} must be a finite number`,
            'invalid_query_string',
          );
        }
        assert.equal((await m.api('GET', '/logs?page=100000')).status, 200, 'the last page is still a page');
      });

      test('/logs?to_date=0000-01-01T00:00:00Z, a leap second and offsets past year 9999: 400 invalid_query_string', async () => {
        for (const [name, value] of [
          ['to_date', '0000-01-01T00:00:00Z'],
          ['to_date', '2020-01-01T23:59:60Z'],
          ['from_date', '9999-12-31T23:59:59-14:00'],
          ['from_date', '0001-01-01T00:00:00+00:01'],
        ] as const) {
          assertManagementError(
            await m.api('GET', `/logs?${name}=${encodeURIComponent(value)}`),
            400,
            'Bad Request',
            DATE(name),
            'invalid_query_string',
          );
        }
        assert.equal(
          (
            await m.api(
              'GET',
              `/logs?from_date=0001-01-01T00:00:00Z&to_date=${encodeURIComponent('9999-12-31T23:59:59.999Z')}`,
            )
          ).status,
          200,
        );
      });

      test('NUL in /logs filters and checkpoint: 400 invalid_query_string', async () => {
        for (const [query, name] of [
          ['from=a%00', 'from'],
          ['q=type:a%00', 'q'],
          ['client_id=%00', 'client_id'],
        ] as const) {
          assertManagementError(
            await m.api('GET', `/logs?${query}`),
            400,
            'Bad Request',
            NUL(`querystring.${name}`),
            'invalid_query_string',
          );
        }
      });

      test('DELETE /clients/{id}/properties/toString is 404 (and constructor, __proto__, valueOf, hasOwnProperty)', async () => {
        for (const key of ['toString', 'constructor', '__proto__', 'valueOf', 'hasOwnProperty']) {
          assertManagementError(
            await m.api('DELETE', `/clients/${clientId}/properties/${key}`),
            404,
            'Not Found',
            `The client has no property ${key}`,
            'inexistent_entity',
          );
        }
      });

      test('a property named toString or __proto__ is an ordinary key: set, listed, deleted', async () => {
        for (const key of ['toString', '__proto__']) {
          assert.deepEqual((await m.api('PUT', `/clients/${clientId}/properties/${key}`, { value: 'v' })).body, {
            key,
            value: 'v',
          });
          const listed = (await m.api('GET', `/clients/${clientId}/properties`)).body.properties as Array<{
            key: string;
          }>;
          assert.ok(
            listed.some((p) => p.key === key),
            `${key} listed`,
          );
          assert.equal((await m.api('DELETE', `/clients/${clientId}/properties/${key}`)).status, 204);
          assert.equal((await m.api('DELETE', `/clients/${clientId}/properties/${key}`)).status, 404);
        }
      });

      test('an action secret named toString without a value is "needs a value", not a secret taken from Object', async () => {
        const action = await m.api('POST', '/actions/actions', {
          name: 'secret-names',
          code: 'exports.onExecuteCredentialsExchange = async () => {};',
          supported_triggers: [{ id: 'credentials-exchange' }],
        });
        assert.equal(action.status, 201);
        assertManagementError(
          await m.api('PATCH', `/actions/actions/${action.body.id}`, { secrets: [{ name: 'toString' }] }),
          400,
          'Bad Request',
          'Payload validation error: secret "toString" needs a value',
          'invalid_body',
        );
      });

      test('bad percent-encoding in a path (%zz, a lone surrogate as %ED%A0%80): 400 invalid_uri', async () => {
        for (const path of ['/clients/%zz', '/clients/%ED%A0%80']) {
          const response = await m.api('GET', path);
          assertManagementError(
            response,
            400,
            'Bad Request',
            `'/api/v2${path}' is not a valid url component`,
            'invalid_uri',
          );
        }
      });

      test('a body nested 5,000 levels deep: 400, not a stack overflow', async () => {
        const deep = `{"name":"x","client_metadata":${'['.repeat(5000)}${']'.repeat(5000)}}`;
        const response = await rawJson('POST', '/clients', deep);
        assertManagementError(
          response,
          400,
          'Bad Request',
          `Payload validation error: body.client_metadata${'.0'.repeat(31)} is nested more than 32 levels deep`,
          'invalid_body',
        );
      });

      test('a 20 KB request line under /api/v2: 431 in Auth0 shape, before any route', async () => {
        const port = Number(new URL(m.baseUrl).port);
        const raw = await new Promise<string>((resolve) => {
          const socket = connect(port, '127.0.0.1');
          let received = '';
          socket.on('data', (chunk) => (received += chunk.toString()));
          socket.on('close', () => resolve(received));
          socket.on('error', () => undefined);
          socket.write(`GET /api/v2/clients?${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
        });
        const [head, body] = raw.split('\r\n\r\n');
        assert.match(head!, /^HTTP\/1\.1 431 /);
        assert.match(head!, /\r\nContent-Type: application\/json; charset=utf-8\r\n/i);
        assert.deepEqual(JSON.parse(body!), {
          statusCode: 431,
          error: 'Request Header Fields Too Large',
          message: 'The request line and headers are larger than 16 KB',
          errorCode: 'invalid_request',
        });
      });

      test('storable text round-trips: emoji, a surrogate pair, other scripts, U+FFFD', async () => {
        const name = 'naïve 😀 \ud83d\ude00 Ωμέγα 名前 \ufffd';
        const created = await m.api('POST', '/clients', { name, client_metadata: { plan: '🚀' } });
        assert.equal(created.status, 201, JSON.stringify(created.body));
        const read = await m.api('GET', `/clients/${created.body.client_id}`);
        assert.equal(read.body.name, name);
        assert.deepEqual(read.body.client_metadata, { plan: '🚀' });
      });
    },
  );
}

hostileInputSuite('pglite');
hostileInputSuite('postgres');
