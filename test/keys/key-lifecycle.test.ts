/**
 * The signing-key lifecycle in storage, with a frozen clock: `ensureSigningKeys` (a current and a next key per
 * algorithm, retirement of previous keys whose tokens have expired), `rotateSigningKeys` (refused while the next
 * key is younger than the JWKS cache lifetime) and `revokeSigningKey`. Run on PGlite and on PostgreSQL.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SecretBox } from '../../src/crypto/secret-box.js';
import { SIGNING_ALGORITHMS } from '../../src/keys/algorithms.js';
import { RotationTooEarly } from '../../src/keys/key-errors.js';
import {
  ensureSigningKeys,
  JWKS_MAX_AGE_SECONDS,
  openPrivateKey,
  revokeSigningKey,
  rotateSigningKeys,
} from '../../src/keys/key-rotation.js';
import { openDatabase, type OpenedDatabase } from '../../src/store/database.js';
import { listSigningKeys, updateSigningKey } from '../../src/store/signing-keys.js';
import type { Storage } from '../helpers/minter.js';
import { createTestDatabase, skipWithoutPostgres, type TestDatabase } from '../helpers/postgres.js';

const box = new SecretBox(randomBytes(32));

for (const storage of ['pglite', 'postgres'] as Storage[]) {
  describe(
    `signing key lifecycle in storage (${storage})`,
    { skip: storage === 'postgres' && skipWithoutPostgres },
    () => {
      let database: OpenedDatabase;
      let dataDir: string;
      let pg: TestDatabase | undefined;
      before(async () => {
        dataDir = await mkdtemp(join(tmpdir(), 'minter-keys-'));
        if (storage === 'postgres') pg = await createTestDatabase();
        database = await openDatabase({ dataDir, ...(pg && { databaseUrl: pg.url }) });
      });
      after(async () => {
        await database?.close();
        await pg?.drop();
        await rm(dataDir, { recursive: true, force: true });
      });

      const statuses = async () => {
        const rows = await listSigningKeys(database.db);
        return Object.fromEntries(
          SIGNING_ALGORITHMS.map((alg) => [
            alg,
            rows
              .filter((r) => r.alg === alg)
              .map((r) => r.status)
              .sort(),
          ]),
        );
      };
      const find = async (alg: string, status: string) =>
        (await listSigningKeys(database.db)).find((r) => r.alg === alg && r.status === status)!;

      test('ensureSigningKeys makes a current and a next key per algorithm, and is idempotent', async () => {
        const t0 = new Date();
        await ensureSigningKeys(database.db, box, t0);
        const expected = {
          RS256: ['current', 'next'],
          PS256: ['current', 'next'],
          ES256: ['current', 'next'],
          EdDSA: ['current', 'next'],
        };
        assert.deepEqual(await statuses(), expected);
        const kids = (await listSigningKeys(database.db)).map((r) => r.kid).sort();
        await ensureSigningKeys(database.db, box, t0);
        assert.deepEqual((await listSigningKeys(database.db)).map((r) => r.kid).sort(), kids);
        const current = await find('EdDSA', 'current');
        assert.equal(current.current_since?.getTime(), t0.getTime());
        assert.equal(openPrivateKey(box, current).asymmetricKeyType, 'ed25519');
      });

      test(`rotateSigningKeys refuses while the next key is younger than ${JWKS_MAX_AGE_SECONDS} s, then rotates`, async () => {
        const next = await find('ES256', 'next');
        const current = await find('ES256', 'current');
        const tooSoon = new Date(next.created_at.getTime() + (JWKS_MAX_AGE_SECONDS - 1) * 1000);
        await assert.rejects(
          rotateSigningKeys(database.db, box, { maxTokenLifetimeSeconds: 3600, alg: 'ES256', now: tooSoon }),
          (error: unknown) => error instanceof RotationTooEarly && error.code === 'rotation_too_early',
        );
        assert.equal((await find('ES256', 'current')).kid, current.kid, 'a refused rotation changes nothing');

        const later = new Date(next.created_at.getTime() + JWKS_MAX_AGE_SECONDS * 1000);
        await rotateSigningKeys(database.db, box, { maxTokenLifetimeSeconds: 3600, alg: 'ES256', now: later });
        const rows = await listSigningKeys(database.db);
        const retired = rows.find((r) => r.kid === current.kid)!;
        assert.equal(retired.status, 'previous');
        assert.equal(retired.current_until?.getTime(), later.getTime());
        // Published for the longest token lifetime plus a minute of clock skew.
        assert.equal(retired.publish_until?.getTime(), later.getTime() + (3600 + 60) * 1000);
        assert.equal(rows.find((r) => r.kid === next.kid)!.status, 'current');
        assert.deepEqual((await statuses()).ES256, ['current', 'next', 'previous']);
        assert.deepEqual((await statuses()).RS256, ['current', 'next'], 'alg limits the rotation');
      });

      test('ensureSigningKeys retires a previous key once publish_until has passed', async () => {
        const previous = await find('ES256', 'previous');
        await ensureSigningKeys(database.db, box, new Date(previous.publish_until!.getTime() - 1));
        assert.equal((await listSigningKeys(database.db)).find((r) => r.kid === previous.kid)!.status, 'previous');
        await ensureSigningKeys(database.db, box, previous.publish_until!);
        assert.equal((await listSigningKeys(database.db)).find((r) => r.kid === previous.kid)!.status, 'expired');
      });

      test('without a current key, ensureSigningKeys promotes the next key rather than making an unpublished one sign', async () => {
        const current = await find('PS256', 'current');
        const next = await find('PS256', 'next');
        await updateSigningKey(database.db, current.kid, { status: 'expired' });
        await ensureSigningKeys(database.db, box);
        assert.equal((await find('PS256', 'current')).kid, next.kid);
        assert.notEqual((await find('PS256', 'next')).kid, next.kid);
      });

      test('revokeSigningKey marks the key revoked with revoked_at and current_until (for a current key)', async () => {
        const current = await find('RS256', 'current');
        const now = new Date();
        const row = await revokeSigningKey(database.db, box, current.kid, now);
        assert.deepEqual(
          { status: row.status, revoked_at: row.revoked_at?.getTime(), current_until: row.current_until?.getTime() },
          { status: 'revoked', revoked_at: now.getTime(), current_until: now.getTime() },
        );
      });
    },
  );
}
