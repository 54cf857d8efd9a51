/**
 * MINTER_SECRET_KEY seals the signing keys at rest. Started again with a different key, Minter cannot open them:
 * it must refuse to start — exit code 1, before listening — with an error that says the secret key does not
 * match, not a bare crypto failure. Minter runs as its own process (`npm start`'s command). Sealing does not
 * depend on the storage, so the suite runs on one (see `anyStorage`).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  anyStorage,
  childMinterSetup,
  spawnMinter,
  type ChildMinterSetup,
  type MinterProcess,
} from '../helpers/minter.js';

const storage = anyStorage;

describe(`MINTER_SECRET_KEY mismatch (${storage})`, () => {
  let setup: ChildMinterSetup;
  let env: Record<string, string>;

  before(async () => {
    setup = await childMinterSetup(
      storage,
      { clientId: 'secret-key-admin', clientSecret: 'secret-key-admin-secret-0123456789' },
      { MINTER_SECRET_KEY: randomBytes(32).toString('hex') },
    );
    env = setup.env;
    const first = await spawnMinter(env);
    setup.running.push(first);
    assert.equal((await first.stop('SIGTERM')).code, 0);
  });
  after(() => setup.cleanup());

  test('a different MINTER_SECRET_KEY: exit code 1 before listening, and stderr names MINTER_SECRET_KEY', async () => {
    let failure: (Error & { process?: MinterProcess }) | undefined;
    try {
      setup.running.push(await spawnMinter({ ...env, MINTER_SECRET_KEY: randomBytes(32).toString('hex') }));
    } catch (error) {
      failure = error as Error & { process?: MinterProcess };
    }
    assert.ok(failure?.process, 'Minter started (and answered /health) although it cannot open its signing keys');
    const { code } = await failure.process.exited;
    const { stderr } = failure.process.output();
    assert.equal(code, 1, stderr);
    assert.match(
      stderr,
      /MINTER_SECRET_KEY/,
      `the error should say the secret key does not match; stderr was:\n${stderr}`,
    );
  });

  test('the right MINTER_SECRET_KEY starts again: the failed start changed nothing', async () => {
    const again = await spawnMinter(env);
    setup.running.push(again);
    const health = await fetch(`${again.baseUrl}/health`);
    assert.equal(health.status, 200);
    assert.equal((await again.stop('SIGTERM')).code, 0);
  });
});
