/**
 * Concurrent duplicate creates: of N identical creates at once, exactly one is a 201 and the others are 409 with
 * Auth0's body, whichever of the route's check or the database's unique constraint catches them (the constraint's
 * 23505 is mapped to 409 in the error handler). Also the races that are not about a unique key: credentials past a
 * client's two, concurrent deploys of one action, key rotations and revocations, replacements of a trigger's
 * bindings.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { exportSPKI, generateKeyPair } from 'jose';
import { provision, startMinter, type RunningMinter, type Storage } from '../helpers/minter.js';
import { skipWithoutPostgres } from '../helpers/postgres.js';

/** Requests at once; PostgreSQL's pool has 10 connections, so 12 also queue for one. */
const N = 12;

type Answer = { status: number; body: any };

/** Exactly one 201; every other answer a 409 with Auth0's body. */
function assertOneCreated(answers: Answer[], what: string): Answer {
  const statuses = answers.map((a) => a.status).sort();
  assert.deepEqual(
    statuses,
    [201, ...Array<number>(answers.length - 1).fill(409)],
    `${what}: ${JSON.stringify(answers.map((a) => a.body))}`,
  );
  for (const answer of answers.filter((a) => a.status === 409)) {
    assert.deepEqual(Object.keys(answer.body).sort(), ['error', 'errorCode', 'message', 'statusCode']);
    assert.deepEqual(
      [answer.body.statusCode, answer.body.error, answer.body.errorCode],
      [409, 'Conflict', 'already_exists'],
      what,
    );
  }
  return answers.find((a) => a.status === 201)!;
}

function concurrencySuite(storage: Storage) {
  describe(
    `management API: ${N} concurrent duplicate creates (${storage})`,
    { skip: storage === 'postgres' && skipWithoutPostgres },
    () => {
      let m: RunningMinter;
      const all = <T>(make: (i: number) => Promise<T>) => Promise.all(Array.from({ length: N }, (_, i) => make(i)));
      before(async () => {
        m = await startMinter({ storage });
        await m.adminToken();
      });
      after(() => m?.close());

      test('resource servers with one identifier: one 201, the rest 409; one is listed', async () => {
        const identifier = 'https://race.example.com';
        assertOneCreated(
          await all(() => m.api('POST', '/resource-servers', { identifier, scopes: [{ value: 'read:x' }] })),
          'resource servers',
        );
        const listed = (await m.api('GET', '/resource-servers')).body.filter(
          (r: { identifier: string }) => r.identifier === identifier,
        );
        assert.equal(listed.length, 1);
      });

      test('client grants for one client and audience: one 201, the rest 409', async () => {
        const { clientId, identifier } = await provision(m, { grant: ['read:things'] });
        const other = (await m.api('POST', '/resource-servers', { identifier: 'https://race-grants.example.com' })).body
          .identifier as string;
        assertOneCreated(
          await all(() => m.api('POST', '/client-grants', { client_id: clientId, audience: other, scope: [] })),
          'client grants',
        );
        const grants = (await m.api('GET', `/client-grants?client_id=${clientId}`)).body as Array<{ audience: string }>;
        assert.deepEqual(grants.map((g) => g.audience).sort(), [identifier, other].sort());
      });

      test('organizations with one name: one 201, the rest 409', async () => {
        assertOneCreated(await all(() => m.api('POST', '/organizations', { name: 'race-org' })), 'organizations');
        assert.equal((await m.api('GET', '/organizations/name/race-org')).status, 200);
      });

      test('two organizations renamed to one name at once: one 200, one 409', async () => {
        const a = (await m.api('POST', '/organizations', { name: 'rename-a' })).body.id;
        const b = (await m.api('POST', '/organizations', { name: 'rename-b' })).body.id;
        const answers = await Promise.all(
          [a, b].map((id) => m.api('PATCH', `/organizations/${id}`, { name: 'renamed' })),
        );
        assert.deepEqual(answers.map((r) => r.status).sort(), [200, 409], JSON.stringify(answers.map((r) => r.body)));
      });

      test('actions with one name: one 201, the rest 409', async () => {
        const body = {
          name: 'race-action',
          code: 'exports.onExecuteCredentialsExchange = async () => {};',
          supported_triggers: [{ id: 'credentials-exchange' }],
        };
        assertOneCreated(await all(() => m.api('POST', '/actions/actions', body)), 'actions');
        const listed = (await m.api('GET', '/actions/actions?actionName=race-action')).body;
        assert.equal(listed.total, 1);
      });

      test('one organization and one client grant associated at once: one 201, the rest 409', async () => {
        const { grantId } = await provision(m);
        const organization = (await m.api('POST', '/organizations', { name: 'race-association' })).body.id;
        assertOneCreated(
          await all(() => m.api('POST', `/organizations/${organization}/client-grants`, { grant_id: grantId })),
          'association',
        );
      });

      test('one public key added to a client at once: one 201, the rest 409', async () => {
        const { clientId } = await provision(m);
        const pem = await exportSPKI((await generateKeyPair('RS256', { extractable: true })).publicKey);
        assertOneCreated(
          await all(() => m.api('POST', `/clients/${clientId}/credentials`, { credential_type: 'public_key', pem })),
          'credentials',
        );
        assert.equal((await m.api('GET', `/clients/${clientId}/credentials`)).body.length, 1);
      });

      test('different public keys added at once: exactly two 201, never a third credential', async () => {
        const { clientId } = await provision(m);
        const pems = await Promise.all(
          Array.from({ length: 6 }, async () =>
            exportSPKI((await generateKeyPair('RS256', { extractable: true })).publicKey),
          ),
        );
        const answers = await Promise.all(
          pems.map((pem) => m.api('POST', `/clients/${clientId}/credentials`, { credential_type: 'public_key', pem })),
        );
        assert.deepEqual(answers.map((a) => a.status).sort(), [201, 201, 400, 400, 400, 400]);
        for (const refused of answers.filter((a) => a.status === 400))
          assert.equal(refused.body.errorCode, 'too_many_credentials');
        assert.equal((await m.api('GET', `/clients/${clientId}/credentials`)).body.length, 2);
      });

      test('clients have no unique field (Auth0 lets names repeat): every create is a 201 with its own id', async () => {
        const answers = await all(() => m.api('POST', '/clients', { name: 'same-name' }));
        assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([201]));
        assert.equal(new Set(answers.map((a) => a.body.client_id)).size, N);
      });

      test('concurrent deploys of one action: every one a 201, versions numbered 1…N without a gap', async () => {
        const action = await m.api('POST', '/actions/actions', {
          name: 'race-deploys',
          code: 'exports.onExecuteCredentialsExchange = async () => {};',
          supported_triggers: [{ id: 'credentials-exchange' }],
        });
        const count = 6;
        const answers = await Promise.all(
          Array.from({ length: count }, () => m.api('POST', `/actions/actions/${action.body.id}/deploy`)),
        );
        assert.deepEqual(
          answers.map((a) => a.status),
          Array<number>(count).fill(201),
          JSON.stringify(answers.map((a) => a.body)),
        );
        assert.deepEqual(
          answers.map((a) => a.body.number).sort((x: number, y: number) => x - y),
          Array.from({ length: count }, (_, i) => i + 1),
        );
      });

      test('concurrent key rotations leave one current and one next key per algorithm; one revocation of four wins', async () => {
        const rotations = await Promise.all(
          Array.from({ length: 4 }, () => m.api('POST', '/keys/signing/rotate?force=true')),
        );
        assert.deepEqual(
          rotations.map((r) => r.status),
          [201, 201, 201, 201],
        );
        const keys = (await m.api('GET', '/keys/signing')).body as Array<{ kid: string; alg: string; status: string }>;
        for (const alg of new Set(keys.map((k) => k.alg))) {
          const mine = keys.filter((k) => k.alg === alg);
          assert.deepEqual(
            [mine.filter((k) => k.status === 'current').length, mine.filter((k) => k.status === 'next').length],
            [1, 1],
            alg,
          );
        }
        const previous = keys.find((k) => k.status === 'previous')!;
        const revocations = await Promise.all(
          Array.from({ length: 4 }, () => m.api('PUT', `/keys/signing/${previous.kid}/revoke`)),
        );
        assert.deepEqual(revocations.map((r) => r.status).sort(), [200, 409, 409, 409]);
      });

      test("concurrent replacements of a trigger's bindings: the trigger ends with one of the lists, never a mix", async () => {
        const ids: string[] = [];
        for (let i = 0; i < 4; i++) {
          const action = await m.api('POST', '/actions/actions', {
            name: `race-binding-${i}`,
            code: 'exports.onExecuteCredentialsExchange = async () => {};',
            supported_triggers: [{ id: 'credentials-exchange' }],
            deploy: true,
          });
          ids.push(action.body.id);
        }
        const lists = ids.map((id, i) => [id, ids[(i + 1) % ids.length]!]);
        const answers = await Promise.all(
          lists.map((list) =>
            m.api('PATCH', '/actions/triggers/credentials-exchange/bindings', {
              bindings: list.map((value) => ({ ref: { type: 'action_id', value } })),
            }),
          ),
        );
        assert.deepEqual(
          answers.map((a) => a.status),
          [200, 200, 200, 200],
        );
        const bound = (await m.api('GET', '/actions/triggers/credentials-exchange/bindings')).body.bindings.map(
          (b: { action: { id: string } }) => b.action.id,
        );
        assert.ok(
          lists.some((list) => JSON.stringify(list) === JSON.stringify(bound)),
          `bound ${JSON.stringify(bound)} is one of the lists sent`,
        );
        await m.api('PATCH', '/actions/triggers/credentials-exchange/bindings', { bindings: [] });
      });
    },
  );
}

concurrencySuite('pglite');
concurrencySuite('postgres');
