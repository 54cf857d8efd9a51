/**
 * Secrets at rest: a client secret is stored only as its SHA-256 digest (`sha256:<hex>`), never in clear; signing
 * private keys are stored sealed (AES-256-GCM, `v1.<iv>.<tag>.<ciphertext>`), never as PEM; without
 * MINTER_SECRET_KEY the sealing key lives in `<data dir>/secret.key`, readable by the owner only. Read straight
 * from the tables, on PGlite and on PostgreSQL.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startMinter, type RunningMinter, type Storage } from '../helpers/minter.js';
import { skipWithoutPostgres } from '../helpers/postgres.js';

for (const storage of ['pglite', 'postgres'] as Storage[]) {
  describe(`secrets at rest (${storage})`, { skip: storage === 'postgres' && skipWithoutPostgres }, () => {
    let m: RunningMinter;
    before(async () => {
      m = await startMinter({ storage });
    });
    after(() => m?.close());

    test('a client secret is stored as sha256:<hex digest> only, on create and after rotation', async () => {
      const db = m.minter.database.db;
      const digest = (secret: string) => 'sha256:' + createHash('sha256').update(secret).digest('hex');
      const stored = (clientId: string) =>
        db.selectFrom('clients').selectAll().where('client_id', '=', clientId).executeTakeFirstOrThrow();

      const created = await m.api('POST', '/clients', { name: 'stored' });
      const afterCreate = await stored(created.body.client_id);
      assert.equal(afterCreate.secret_hash, digest(created.body.client_secret));
      assert.ok(!JSON.stringify(afterCreate).includes(created.body.client_secret), 'the secret appears in no column');

      const rotated = await m.api('POST', `/clients/${created.body.client_id}/rotate-secret`);
      const afterRotate = await stored(created.body.client_id);
      assert.equal(afterRotate.secret_hash, digest(rotated.body.client_secret));
      assert.ok(!JSON.stringify(afterRotate).includes(rotated.body.client_secret));

      const admin = await stored(m.admin.clientId);
      assert.equal(admin.secret_hash, digest(m.admin.clientSecret), 'the admin secret from the environment too');
      assert.ok(!JSON.stringify(admin).includes(m.admin.clientSecret));
    });

    test('signing private keys are sealed: no PEM in the table, public JWKs without private parts', async () => {
      const rows = await m.minter.database.db.selectFrom('signing_keys').selectAll().execute();
      assert.ok(rows.length >= 8);
      for (const row of rows) {
        assert.match(row.private_key, /^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$/);
        assert.ok(!row.private_key.includes('PRIVATE KEY'));
        assert.ok(!JSON.stringify(row).includes('BEGIN'), `${row.kid} stores PEM`);
        for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi'])
          assert.equal((row.public_jwk as Record<string, unknown>)[secret], undefined);
      }
    });

    test('without MINTER_SECRET_KEY the sealing key is generated into <data dir>/secret.key with mode 0600', async () => {
      const file = join(m.dataDir, 'secret.key');
      assert.equal((await stat(file)).mode & 0o777, 0o600);
      assert.match((await readFile(file, 'utf8')).trim(), /^[A-Za-z0-9_-]{43}$/);
    });
  });
}
