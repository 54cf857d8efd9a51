/**
 * `/api/v2/clients` in Auth0's shape: create, read, update, delete, rotate-secret. The secret is shown on create
 * and on rotate-secret only; a rotated secret stops working at once. `client_metadata` follows Auth0's limits
 * (≤ 10 keys, values ≤ 255 characters); validation errors name the field. Run on PGlite and on PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  assertManagementError,
  postToken,
  provision,
  startMinter,
  type RunningMinter,
  type Storage,
} from '../helpers/minter.js';
import { skipWithoutPostgres } from '../helpers/postgres.js';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

for (const storage of ['pglite', 'postgres'] as Storage[]) {
  describe(`management API: clients (${storage})`, { skip: storage === 'postgres' && skipWithoutPostgres }, () => {
    let m: RunningMinter;
    let app: Awaited<ReturnType<typeof provision>>;
    before(async () => {
      m = await startMinter({ storage });
      app = await provision(m);
    });
    after(() => m?.close());

    /** A token request by client_secret_post for `app`'s API; returns the status. */
    const tokenStatus = async (clientId: string, clientSecret: string) =>
      (
        await postToken(m.baseUrl, {
          grant_type: 'client_credentials',
          client_id: clientId,
          client_secret: clientSecret,
          audience: app.identifier,
        })
      ).status;
    const grant = (clientId: string) =>
      m.api('POST', '/client-grants', { client_id: clientId, audience: app.identifier, scope: ['read:things'] });

    test('POST /clients is 201 with the client in Auth0 shape and its secret, shown this once', async () => {
      const response = await m.api('POST', '/clients', {
        name: 'billing',
        description: 'Bills things',
        client_metadata: { tier: 'gold' },
      });
      assert.equal(response.status, 201, JSON.stringify(response.body));
      const { client_id, client_secret, created_at, updated_at, ...rest } = response.body;
      assert.match(client_id, /^[A-Za-z0-9]{32}$/);
      assert.match(client_secret, /^[A-Za-z0-9_-]{64}$/);
      assert.match(created_at, ISO);
      assert.match(updated_at, ISO);
      assert.deepEqual(rest, {
        name: 'billing',
        description: 'Bills things',
        app_type: 'non_interactive',
        client_metadata: { tier: 'gold' },
        token_endpoint_auth_method: 'client_secret_post',
        grant_types: ['client_credentials'],
        is_first_party: true,
        is_system: false,
      });

      const read = await m.api('GET', `/clients/${client_id}`);
      assert.equal(read.status, 200);
      assert.deepEqual(read.body, { client_id, created_at, updated_at, ...rest }, 'GET shows no secret');
      const list = await m.api('GET', '/clients');
      assert.ok(list.body.some((c: { client_id: string }) => c.client_id === client_id));
      for (const client of list.body) {
        assert.equal(client.client_secret, undefined);
        assert.equal(client.secret_hash, undefined);
      }
    });

    test('PATCH /clients/{id} updates fields, answers without the secret, and the token endpoint sees the change', async () => {
      const created = await m.api('POST', '/clients', { name: 'before' });
      const response = await m.api('PATCH', `/clients/${created.body.client_id}`, {
        name: 'after',
        client_metadata: { a: '1' },
      });
      assert.equal(response.status, 200, JSON.stringify(response.body));
      assert.equal(response.body.name, 'after');
      assert.deepEqual(response.body.client_metadata, { a: '1' });
      assert.equal(response.body.client_secret, undefined);
      assert.ok(response.body.updated_at >= created.body.updated_at);

      await grant(created.body.client_id);
      assert.equal(await tokenStatus(created.body.client_id, created.body.client_secret), 200);
      await m.api('PATCH', `/clients/${created.body.client_id}`, { grant_types: [] });
      assert.equal(
        await tokenStatus(created.body.client_id, created.body.client_secret),
        403,
        'unauthorized_client once client_credentials is removed',
      );
    });

    test('rotate-secret returns a new secret; the old one fails with 401 at once and the new one works', async () => {
      const created = await m.api('POST', '/clients', { name: 'rotating' });
      await grant(created.body.client_id);
      assert.equal(await tokenStatus(created.body.client_id, created.body.client_secret), 200);

      const rotated = await m.api('POST', `/clients/${created.body.client_id}/rotate-secret`);
      assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
      assert.match(rotated.body.client_secret, /^[A-Za-z0-9_-]{64}$/);
      assert.notEqual(rotated.body.client_secret, created.body.client_secret);
      assert.equal(rotated.body.client_id, created.body.client_id);

      assert.equal(await tokenStatus(created.body.client_id, created.body.client_secret), 401);
      assert.equal(await tokenStatus(created.body.client_id, rotated.body.client_secret), 200);
      assert.equal((await m.api('GET', `/clients/${created.body.client_id}`)).body.client_secret, undefined);
    });

    test('rotate-secret of an unknown client is 404', async () => {
      assertManagementError(
        await m.api('POST', '/clients/nope/rotate-secret'),
        404,
        'Not Found',
        'The client nope does not exist',
        'inexistent_entity',
      );
    });

    test('client_metadata with 11 keys is 400 naming client_metadata (Auth0: at most 10)', async () => {
      const metadata = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, 'v']));
      assertManagementError(
        await m.api('POST', '/clients', { name: 'x', client_metadata: metadata }),
        400,
        'Bad Request',
        'Payload validation error: body.client_metadata must NOT have more than 10 properties',
        'invalid_body',
      );
      const ten = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, 'v']));
      assert.equal((await m.api('POST', '/clients', { name: 'x', client_metadata: ten })).status, 201);
    });

    test('a client_metadata value over 255 characters is 400 naming the key', async () => {
      assertManagementError(
        await m.api('POST', '/clients', { name: 'x', client_metadata: { plan: 'p'.repeat(256) } }),
        400,
        'Bad Request',
        'Payload validation error: body.client_metadata.plan must NOT have more than 255 characters',
        'invalid_body',
      );
    });

    test('a missing name and an unknown property are 400 naming them', async () => {
      assertManagementError(
        await m.api('POST', '/clients', { description: 'no name' }),
        400,
        'Bad Request',
        'Payload validation error: body: missing required property "name"',
        'invalid_body',
      );
      assertManagementError(
        await m.api('POST', '/clients', { name: 'x', client_secret: 'chosen' }),
        400,
        'Bad Request',
        'Payload validation error: body: unknown property "client_secret"',
        'invalid_body',
      );
    });

    test('DELETE /clients/{id} is 204; the client is gone, with its grants, and its secret no longer works', async () => {
      const created = await m.api('POST', '/clients', { name: 'doomed' });
      await grant(created.body.client_id);
      assert.equal((await m.api('DELETE', `/clients/${created.body.client_id}`)).status, 204);
      assertManagementError(
        await m.api('GET', `/clients/${created.body.client_id}`),
        404,
        'Not Found',
        `The client ${created.body.client_id} does not exist`,
        'inexistent_entity',
      );
      assert.deepEqual((await m.api('GET', `/client-grants?client_id=${created.body.client_id}`)).body, []);
      assert.equal(await tokenStatus(created.body.client_id, created.body.client_secret), 401);
    });

    test('the admin client cannot be deleted', async () => {
      assertManagementError(
        await m.api('DELETE', `/clients/${m.admin.clientId}`),
        400,
        'Bad Request',
        'The admin client cannot be deleted',
        'operation_not_supported',
      );
    });

    test('the admin client cannot lose the client_credentials grant type (that would lock admins out)', async () => {
      const response = await m.api('PATCH', `/clients/${m.admin.clientId}`, { grant_types: [] });
      // Restore before asserting (the cached admin token is still valid), so a failure here breaks nothing else.
      if (response.status === 200)
        await m.api('PATCH', `/clients/${m.admin.clientId}`, { grant_types: ['client_credentials'] });
      assert.equal(response.status, 400, `PATCH grant_types: [] on the admin client answered ${response.status}`);
      assert.equal(response.body.errorCode, 'operation_not_supported');
    });
  });
}
