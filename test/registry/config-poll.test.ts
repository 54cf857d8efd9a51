/**
 * The periodic configuration poll: it rebuilds the registry (and reruns the reload hooks, which load the bound
 * trigger chain) only when the configuration tables changed — and then it always does, whichever column or table
 * a write behind Minter's back touched, deletions included. Explicit reloads (a management write here, a change
 * notice from another instance) always rebuild. A retired signing key still leaves the JWKS when its
 * `publish_until` passes, although no row changes then. Run on PGlite and on PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { bind, claimsOf, deployAction, requestToken } from '../helpers/actions.js';
import { provision, startMinter, type RunningMinter, type Storage } from '../helpers/minter.js';
import { skipWithoutPostgres } from '../helpers/postgres.js';

for (const storage of ['pglite', 'postgres'] as Storage[]) {
  describe(`configuration poll (${storage})`, { skip: storage === 'postgres' && skipWithoutPostgres }, () => {
    let m: RunningMinter;
    let client: Awaited<ReturnType<typeof provision>>;
    let rebuilds = 0;
    const db = () => m.minter.database.db;
    const registry = () => m.minter.registry;
    /** Runs `step`, then one poll; returns how many rebuilds that cost. */
    const rebuildsAfter = async (step: () => Promise<unknown>, run: () => Promise<void> = () => registry().poll()) => {
      await step();
      const before = rebuilds;
      await run();
      return rebuilds - before;
    };
    const noChange = async () => undefined;

    before(async () => {
      // The timer stays out of the way: the tests call poll() themselves.
      m = await startMinter({ storage, env: { MINTER_CONFIG_POLL_MS: '600000' } });
      client = await provision(m, { scopes: ['read:things', 'write:things'] });
      registry().onReload(async () => {
        rebuilds++;
      });
    });
    after(() => m?.close());

    test('a poll with nothing changed does not rebuild, tokens and their log records notwithstanding', async () => {
      assert.equal(await rebuildsAfter(noChange), 0);
      assert.equal(await rebuildsAfter(noChange), 0);
      const issued = await requestToken(m, client);
      assert.equal(issued.status, 200);
      assert.equal(await rebuildsAfter(() => m.minter.logs.flush()), 0);
    });

    test('explicit reloads always rebuild: reload(), a management write, and a reload that meets a poll', async () => {
      assert.equal(await rebuildsAfter(noChange, () => registry().reload()), 1);
      const renamed = await rebuildsAfter(noChange, async () => {
        const response = await m.api('PATCH', `/clients/${client.clientId}`, { name: 'via-api' });
        assert.equal(response.status, 200);
      });
      assert.ok(renamed >= 1, `a management write rebuilt ${renamed} times`);
      assert.equal(registry().snapshot.clients.get(client.clientId)?.name, 'via-api');
      // A poll under way finds nothing changed, but the reload that arrived meanwhile still rebuilds (once).
      assert.equal(
        await rebuildsAfter(noChange, async () => void (await Promise.all([registry().poll(), registry().reload()]))),
        1,
      );
      assert.equal(
        await rebuildsAfter(noChange, async () => void (await Promise.all([registry().reload(), registry().poll()]))),
        1,
      );
      assert.equal(await rebuildsAfter(noChange), 0);
    });

    test('a write straight to the database (not through the API) is picked up by the next poll, once', async () => {
      // An update that leaves updated_at alone.
      assert.equal(
        await rebuildsAfter(() =>
          db()
            .updateTable('clients')
            .set({ name: 'behind-the-back' })
            .where('client_id', '=', client.clientId)
            .execute(),
        ),
        1,
      );
      assert.equal(registry().snapshot.clients.get(client.clientId)?.name, 'behind-the-back');
      assert.equal(await rebuildsAfter(noChange), 0);

      assert.equal(
        await rebuildsAfter(() =>
          db()
            .updateTable('resource_servers')
            .set({ token_lifetime: 120 })
            .where('identifier', '=', client.identifier)
            .execute(),
        ),
        1,
      );
      assert.equal(registry().snapshot.apis.get(client.identifier)?.tokenLifetime, 120);
      assert.equal((await requestToken(m, client)).body.expires_in, 120);

      assert.equal(
        await rebuildsAfter(() =>
          db()
            .updateTable('client_grants')
            .set({ scope: JSON.stringify(['read:things']) })
            .where('id', '=', client.grantId)
            .execute(),
        ),
        1,
      );
      assert.equal((await requestToken(m, client)).body.scope, 'read:things');

      // A deletion, and the row put back.
      const grant = await db()
        .selectFrom('client_grants')
        .selectAll()
        .where('id', '=', client.grantId)
        .executeTakeFirstOrThrow();
      assert.equal(
        await rebuildsAfter(() => db().deleteFrom('client_grants').where('id', '=', client.grantId).execute()),
        1,
      );
      assert.equal((await requestToken(m, client)).status, 403);
      assert.equal(
        await rebuildsAfter(() =>
          db()
            .insertInto('client_grants')
            .values({ ...grant, scope: JSON.stringify(grant.scope) })
            .execute(),
        ),
        1,
      );
      assert.equal((await requestToken(m, client)).status, 200);

      // An update that changes no value at all still writes a new row version.
      assert.equal(await rebuildsAfter(() => sql`update signing_keys set status = status`.execute(db())), 1);
      assert.equal(await rebuildsAfter(noChange), 0);
    });

    test('the bound trigger chain: changes to actions, versions and bindings written behind its back reach the engine', async () => {
      const actionId = await deployAction(m, {
        name: `poll-probe-${storage}`,
        code: `exports.onExecuteCredentialsExchange = async (event, api) => { api.accessToken.setCustomClaim('https://poll.example/probe', 'bound'); };`,
      });
      await bind(m, 'credentials-exchange', [actionId]);
      assert.equal(claimsOf((await requestToken(m, client)).body.access_token)['https://poll.example/probe'], 'bound');
      assert.equal(await rebuildsAfter(noChange), 0);

      // Deploying points the action at a version without touching updated_at.
      assert.equal(
        await rebuildsAfter(() =>
          sql`update actions set deployed_version_id = deployed_version_id where id = ${actionId}`.execute(db()),
        ),
        1,
      );
      assert.equal(
        await rebuildsAfter(() =>
          sql`update action_versions set settings = settings where action_id = ${actionId}`.execute(db()),
        ),
        1,
      );
      assert.equal(
        await rebuildsAfter(() => db().deleteFrom('trigger_bindings').where('action_id', '=', actionId).execute()),
        1,
      );
      const unbound = await requestToken(m, client);
      assert.equal(unbound.status, 200);
      assert.equal(claimsOf(unbound.body.access_token)['https://poll.example/probe'], undefined);
      assert.equal(await rebuildsAfter(noChange), 0);
    });

    test('a retired key leaves the JWKS once its publish_until has passed, with no row changing then', async () => {
      const current = await db()
        .selectFrom('signing_keys')
        .selectAll()
        .where('status', '=', 'current')
        .where('alg', '=', 'ES256')
        .executeTakeFirstOrThrow();
      const kid = `expiring-${storage}`;
      const publishUntil = new Date(Date.now() + 1500);
      const insert = () =>
        db()
          .insertInto('signing_keys')
          .values({
            ...current,
            kid,
            status: 'previous',
            public_jwk: JSON.stringify({ ...current.public_jwk, kid }),
            publish_until: publishUntil,
          })
          .execute();
      assert.equal(await rebuildsAfter(insert), 1);
      assert.ok(registry().snapshot.keys.publicKeys.has(kid));
      assert.equal(await rebuildsAfter(noChange), 0);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, publishUntil.getTime() - Date.now() + 50)));
      assert.equal(await rebuildsAfter(noChange), 1);
      assert.equal(registry().snapshot.keys.publicKeys.has(kid), false);
      assert.ok(!JSON.parse(registry().snapshot.keys.jwksBody).keys.some((k: { kid: string }) => k.kid === kid));
      assert.equal(await rebuildsAfter(noChange), 0);
    });
  });
}
