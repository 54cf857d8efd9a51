/**
 * `/api/v2/client-grants` in Auth0's shape: which client may get tokens for which API with which scopes. Scopes
 * must be a subset of the API's ("scope must be a subset of resource server scopes", Auth0), one grant per
 * client × audience, and a change reaches the token endpoint at once, without a restart. Run on PGlite and on
 * PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  assertManagementError,
  getToken,
  postToken,
  startMinter,
  type RunningMinter,
  type Storage,
} from '../helpers/minter.js';
import { skipWithoutPostgres } from '../helpers/postgres.js';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

for (const storage of ['pglite', 'postgres'] as Storage[]) {
  describe(
    `management API: client grants (${storage})`,
    { skip: storage === 'postgres' && skipWithoutPostgres },
    () => {
      let m: RunningMinter;
      const identifier = 'https://things.example.com';
      const newClient = async () => {
        const response = await m.api('POST', '/clients', { name: 'svc' });
        return { clientId: response.body.client_id as string, clientSecret: response.body.client_secret as string };
      };
      before(async () => {
        m = await startMinter({ storage });
        const rs = await m.api('POST', '/resource-servers', {
          identifier,
          scopes: [{ value: 'read:things' }, { value: 'write:things' }],
          signing_alg: 'ES256',
        });
        assert.equal(rs.status, 201);
      });
      after(() => m?.close());

      test('POST is 201 with the grant in Auth0 shape; GET by id and the filtered list show it', async () => {
        const client = await newClient();
        const response = await m.api('POST', '/client-grants', {
          client_id: client.clientId,
          audience: identifier,
          scope: ['read:things'],
        });
        assert.equal(response.status, 201, JSON.stringify(response.body));
        const { id, created_at, updated_at, ...rest } = response.body;
        assert.match(id, /^cgr_[A-Za-z0-9]{16}$/);
        assert.match(created_at, ISO);
        assert.match(updated_at, ISO);
        assert.deepEqual(rest, {
          client_id: client.clientId,
          audience: identifier,
          scope: ['read:things'],
          allow_any_organization: false,
          is_system: false,
        });
        assert.deepEqual((await m.api('GET', `/client-grants/${id}`)).body, response.body);
        assert.deepEqual((await m.api('GET', `/client-grants?client_id=${client.clientId}`)).body, [response.body]);
        assert.deepEqual(
          (await m.api('GET', `/client-grants?client_id=${client.clientId}&audience=${encodeURIComponent(identifier)}`))
            .body,
          [response.body],
        );
        assert.deepEqual(
          (await m.api('GET', `/client-grants?client_id=${client.clientId}&audience=https%3A%2F%2Fother`)).body,
          [],
        );
      });

      test('a scope the API does not define is 400 naming the scope', async () => {
        const client = await newClient();
        assertManagementError(
          await m.api('POST', '/client-grants', {
            client_id: client.clientId,
            audience: identifier,
            scope: ['read:things', 'admin:things'],
          }),
          400,
          'Bad Request',
          "Payload validation error: scope must be a subset of the resource server's scopes; not defined: admin:things",
          'invalid_body',
        );
      });

      test('a second grant for the same client and audience is 409', async () => {
        const client = await newClient();
        const body = { client_id: client.clientId, audience: identifier, scope: [] };
        assert.equal((await m.api('POST', '/client-grants', body)).status, 201);
        assertManagementError(
          await m.api('POST', '/client-grants', body),
          409,
          'Conflict',
          `A client grant for client ${client.clientId} and audience ${identifier} already exists`,
          'already_exists',
        );
      });

      test('an unknown client or an unknown audience is 404', async () => {
        assertManagementError(
          await m.api('POST', '/client-grants', { client_id: 'nope', audience: identifier, scope: [] }),
          404,
          'Not Found',
          'The client nope does not exist',
          'inexistent_entity',
        );
        const client = await newClient();
        assertManagementError(
          await m.api('POST', '/client-grants', {
            client_id: client.clientId,
            audience: 'https://nowhere.example.com',
            scope: [],
          }),
          404,
          'Not Found',
          'No resource server with identifier https://nowhere.example.com',
          'inexistent_entity',
        );
      });

      test("audience is the API's identifier: the API's id is not accepted in its place", async () => {
        const rs = (await m.api('GET', `/resource-servers/${encodeURIComponent(identifier)}`)).body as { id: string };
        const client = await newClient();
        const response = await m.api('POST', '/client-grants', {
          client_id: client.clientId,
          audience: rs.id,
          scope: [],
        });
        // Stored with audience = id, such a grant would never match a token request and escape the duplicate check.
        assertManagementError(
          response,
          404,
          'Not Found',
          `No resource server with identifier ${rs.id}`,
          'inexistent_entity',
        );
      });

      test('a missing scope field and a malformed scope token are 400 naming the field', async () => {
        const client = await newClient();
        assertManagementError(
          await m.api('POST', '/client-grants', { client_id: client.clientId, audience: identifier }),
          400,
          'Bad Request',
          'Payload validation error: body: missing required property "scope"',
          'invalid_body',
        );
        const malformed = await m.api('POST', '/client-grants', {
          client_id: client.clientId,
          audience: identifier,
          scope: ['bad"scope'],
        });
        assert.equal(malformed.status, 400);
        assert.match(malformed.body.message, /^Payload validation error: body\.scope\.0 /);
      });

      test('PATCH scope reaches the token endpoint at once, without a restart', async () => {
        const client = await newClient();
        const grant = await m.api('POST', '/client-grants', {
          client_id: client.clientId,
          audience: identifier,
          scope: ['read:things'],
        });
        assert.equal((await getToken(m.baseUrl, client, identifier)).scope, 'read:things');

        const patched = await m.api('PATCH', `/client-grants/${grant.body.id}`, {
          scope: ['read:things', 'write:things'],
        });
        assert.equal(patched.status, 200, JSON.stringify(patched.body));
        assert.deepEqual(patched.body.scope, ['read:things', 'write:things']);
        assert.equal((await getToken(m.baseUrl, client, identifier)).scope, 'read:things write:things');

        await m.api('PATCH', `/client-grants/${grant.body.id}`, { scope: ['write:things'] });
        const narrowed = await postToken(m.baseUrl, {
          grant_type: 'client_credentials',
          client_id: client.clientId,
          client_secret: client.clientSecret,
          audience: identifier,
          scope: 'read:things',
        });
        assert.deepEqual(
          { status: narrowed.status, body: narrowed.body },
          {
            status: 403,
            body: { error: 'invalid_scope', error_description: 'Client has not been granted scopes: read:things' },
          },
        );
        assertManagementError(
          await m.api('PATCH', `/client-grants/${grant.body.id}`, { scope: ['undefined:scope'] }),
          400,
          'Bad Request',
          "Payload validation error: scope must be a subset of the resource server's scopes; not defined: undefined:scope",
          'invalid_body',
        );
      });

      test('DELETE is 204 and the client is refused at once', async () => {
        const client = await newClient();
        const grant = await m.api('POST', '/client-grants', {
          client_id: client.clientId,
          audience: identifier,
          scope: [],
        });
        await getToken(m.baseUrl, client, identifier);
        assert.equal((await m.api('DELETE', `/client-grants/${grant.body.id}`)).status, 204);
        const refused = await postToken(m.baseUrl, {
          grant_type: 'client_credentials',
          client_id: client.clientId,
          client_secret: client.clientSecret,
          audience: identifier,
        });
        assert.equal(refused.status, 403);
        assert.equal(refused.body.error, 'access_denied');
        assert.equal((await m.api('DELETE', `/client-grants/${grant.body.id}`)).status, 404);
      });

      test("the admin client's grant on the management API cannot be changed or deleted", async () => {
        const grants = (await m.api('GET', `/client-grants?client_id=${m.admin.clientId}`)).body as Array<{
          id: string;
          is_system: boolean;
        }>;
        const system = grants.find((g) => g.is_system)!;
        assertManagementError(
          await m.api('PATCH', `/client-grants/${system.id}`, { scope: ['read:clients'] }),
          400,
          'Bad Request',
          "The admin client's grant cannot be changed",
          'operation_not_supported',
        );
        assertManagementError(
          await m.api('DELETE', `/client-grants/${system.id}`),
          400,
          'Bad Request',
          "The admin client's grant cannot be deleted",
          'operation_not_supported',
        );
      });
    },
  );
}
