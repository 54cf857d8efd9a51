/**
 * `/api/v2/resource-servers` (APIs) in Auth0's shape: create with defaults, read by id or identifier, update,
 * delete; identifier unique; `signing_alg` one of the four; `token_lifetime` 1 s … 30 days (Auth0's ceiling); the
 * management API itself is fixed; deleting an API removes its grants. Run on PGlite and on PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertManagementError, postToken, startMinter, type RunningMinter, type Storage } from '../helpers/minter.js';
import { skipWithoutPostgres } from '../helpers/postgres.js';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
let counter = 0;
const newIdentifier = () => `https://rs-${Date.now().toString(36)}-${counter++}.example.com`;

for (const storage of ['pglite', 'postgres'] as Storage[]) {
  describe(
    `management API: resource servers (${storage})`,
    { skip: storage === 'postgres' && skipWithoutPostgres },
    () => {
      let m: RunningMinter;
      before(async () => {
        m = await startMinter({ storage });
      });
      after(() => m?.close());

      const validationError = (body: unknown, message: string) =>
        m
          .api('POST', '/resource-servers', body)
          .then((r) =>
            assertManagementError(r, 400, 'Bad Request', `Payload validation error: ${message}`, 'invalid_body'),
          );

      test('POST is 201 with every field in Auth0 shape; GET by id and by identifier answer the same', async () => {
        const identifier = newIdentifier();
        const response = await m.api('POST', '/resource-servers', {
          identifier,
          name: 'Orders',
          scopes: [{ value: 'read:orders', description: 'Read orders' }, { value: 'write:orders' }],
          token_lifetime: 600,
          signing_alg: 'ES256',
          token_dialect: 'auth0',
        });
        assert.equal(response.status, 201, JSON.stringify(response.body));
        const { id, created_at, updated_at, ...rest } = response.body;
        assert.match(id, /^[0-9a-f]{24}$/);
        assert.match(created_at, ISO);
        assert.match(updated_at, ISO);
        assert.deepEqual(rest, {
          identifier,
          name: 'Orders',
          scopes: [
            { value: 'read:orders', description: 'Read orders' },
            { value: 'write:orders', description: '' },
          ],
          token_lifetime: 600,
          signing_alg: 'ES256',
          token_dialect: 'auth0',
          is_system: false,
        });
        assert.deepEqual((await m.api('GET', `/resource-servers/${id}`)).body, response.body);
        assert.deepEqual(
          (await m.api('GET', `/resource-servers/${encodeURIComponent(identifier)}`)).body,
          response.body,
        );
      });

      test('defaults: name = identifier, no scopes, 86400 s, RS256, rfc9068', async () => {
        const identifier = newIdentifier();
        const response = await m.api('POST', '/resource-servers', { identifier });
        assert.equal(response.status, 201);
        assert.deepEqual(
          {
            name: response.body.name,
            scopes: response.body.scopes,
            token_lifetime: response.body.token_lifetime,
            signing_alg: response.body.signing_alg,
            token_dialect: response.body.token_dialect,
          },
          { name: identifier, scopes: [], token_lifetime: 86400, signing_alg: 'RS256', token_dialect: 'rfc9068' },
        );
      });

      test('a duplicate identifier is 409 already_exists', async () => {
        const identifier = newIdentifier();
        assert.equal((await m.api('POST', '/resource-servers', { identifier })).status, 201);
        assertManagementError(
          await m.api('POST', '/resource-servers', { identifier, name: 'again' }),
          409,
          'Conflict',
          `A resource server with identifier ${identifier} already exists`,
          'already_exists',
        );
      });

      test('an unsupported signing_alg (HS256) is 400 naming signing_alg', async () => {
        await validationError(
          { identifier: newIdentifier(), signing_alg: 'HS256' },
          'body.signing_alg must be equal to one of the allowed values',
        );
      });

      test('token_lifetime 0 and token_lifetime over 2592000 s are 400 naming token_lifetime', async () => {
        await validationError({ identifier: newIdentifier(), token_lifetime: 0 }, 'body.token_lifetime must be >= 1');
        await validationError(
          { identifier: newIdentifier(), token_lifetime: 2_592_001 },
          'body.token_lifetime must be <= 2592000',
        );
        assert.equal(
          (await m.api('POST', '/resource-servers', { identifier: newIdentifier(), token_lifetime: 2_592_000 })).status,
          201,
        );
      });

      test('an unknown token_dialect, a scope listed twice and a missing identifier are 400 naming the field', async () => {
        await validationError(
          { identifier: newIdentifier(), token_dialect: 'jwt' },
          'body.token_dialect must be equal to one of the allowed values',
        );
        await validationError(
          { identifier: newIdentifier(), scopes: [{ value: 'a:b' }, { value: 'a:b' }] },
          'scope "a:b" is listed twice in scopes',
        );
        await validationError({ name: 'no identifier' }, 'body: missing required property "identifier"');
      });

      test('PATCH changes the API and its next tokens; identifier is not writable', async () => {
        const created = await m.api('POST', '/resource-servers', {
          identifier: newIdentifier(),
          scopes: [{ value: 'x:y' }],
        });
        const response = await m.api('PATCH', `/resource-servers/${created.body.id}`, {
          name: 'Renamed',
          signing_alg: 'EdDSA',
          token_lifetime: 60,
        });
        assert.equal(response.status, 200, JSON.stringify(response.body));
        assert.deepEqual(
          {
            name: response.body.name,
            signing_alg: response.body.signing_alg,
            token_lifetime: response.body.token_lifetime,
            identifier: response.body.identifier,
          },
          { name: 'Renamed', signing_alg: 'EdDSA', token_lifetime: 60, identifier: created.body.identifier },
        );
        assertManagementError(
          await m.api('PATCH', `/resource-servers/${created.body.id}`, { identifier: newIdentifier() }),
          400,
          'Bad Request',
          'Payload validation error: body: unknown property "identifier"',
          'invalid_body',
        );
        assertManagementError(
          await m.api('PATCH', '/resource-servers/000000000000000000000000', { name: 'x' }),
          404,
          'Not Found',
          'The resource server 000000000000000000000000 does not exist',
          'inexistent_entity',
        );
      });

      test("the management API (is_system) takes token_lifetime and itself sent back, as Auth0's system API; it is not deleted", async () => {
        const system = (
          (await m.api('GET', '/resource-servers')).body as Array<{
            id: string;
            identifier: string;
            is_system: boolean;
            token_lifetime: number;
          }>
        ).find((r) => r.is_system)!;
        assert.equal(system.identifier, `${m.issuer}/api/v2/`);
        const { identifier: _, ...sentBack } = system; // what the Deploy CLI sends: all but the identifier
        const changed = await m.api('PATCH', `/resource-servers/${system.id}`, { ...sentBack, token_lifetime: 7200 });
        assert.equal(changed.status, 200, JSON.stringify(changed.body));
        assert.equal(changed.body.token_lifetime, 7200);
        await m.api('PATCH', `/resource-servers/${system.id}`, { token_lifetime: system.token_lifetime });
        assertManagementError(
          await m.api('PATCH', `/resource-servers/${system.id}`, { name: 'Renamed', scopes: [] }),
          400,
          'Bad Request',
          "The management API's name, scopes cannot be changed; of its settings only token_lifetime can",
          'operation_not_supported',
        );
        assertManagementError(
          await m.api('DELETE', `/resource-servers/${system.id}`),
          400,
          'Bad Request',
          'The management API cannot be deleted',
          'operation_not_supported',
        );
      });

      test('removing a scope from an API removes it from every grant on the API', async () => {
        const identifier = newIdentifier();
        const rs = await m.api('POST', '/resource-servers', {
          identifier,
          scopes: [{ value: 'r:x' }, { value: 'w:x' }],
        });
        const client = await m.api('POST', '/clients', { name: 'c' });
        const grant = await m.api('POST', '/client-grants', {
          client_id: client.body.client_id,
          audience: identifier,
          scope: ['r:x', 'w:x'],
        });
        await m.api('PATCH', `/resource-servers/${rs.body.id}`, { scopes: [{ value: 'r:x' }] });
        assert.deepEqual((await m.api('GET', `/client-grants/${grant.body.id}`)).body.scope, ['r:x']);
      });

      test("DELETE is 204 and removes the API's grants: a re-created API with the same identifier grants nothing", async () => {
        const identifier = newIdentifier();
        const rs = await m.api('POST', '/resource-servers', { identifier, scopes: [{ value: 'r:x' }] });
        const client = await m.api('POST', '/clients', { name: 'c' });
        const grant = await m.api('POST', '/client-grants', {
          client_id: client.body.client_id,
          audience: identifier,
          scope: ['r:x'],
        });
        const request = () =>
          postToken(m.baseUrl, {
            grant_type: 'client_credentials',
            client_id: client.body.client_id,
            client_secret: client.body.client_secret,
            audience: identifier,
          });
        assert.equal((await request()).status, 200);

        assert.equal((await m.api('DELETE', `/resource-servers/${rs.body.id}`)).status, 204);
        assert.equal((await m.api('GET', `/client-grants/${grant.body.id}`)).status, 404);
        assert.deepEqual((await request()).body, {
          error: 'access_denied',
          error_description: `Service not found: ${identifier}`,
        });

        assert.equal(
          (await m.api('POST', '/resource-servers', { identifier, scopes: [{ value: 'r:x' }] })).status,
          201,
        );
        assert.deepEqual((await request()).body, {
          error: 'access_denied',
          error_description: `Client "${client.body.client_id}" is not authorized to access resource server "${identifier}"`,
        });
      });
    },
  );
}
