/**
 * Workflows as code (issue 14): `minter sync-workflows <dir>` keeps a Kinde project deployed — only what changed is
 * deployed again, `--prune` removes what left the tree, every failure names the URL and what to set — and
 * `MINTER_WORKFLOWS_DIR` does the same inside the server, at start and on every change of the tree.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { claimsOf, requestToken } from '../helpers/actions.js';
import { anyStorage, freeLoopbackPort, provision, startMinter, type RunningMinter } from '../helpers/minter.js';

const CLI = join(process.cwd(), 'dist/src/cli/minter.js');
const WORKFLOWS = 'kindeSrc/environment/workflows';

/** A project of `count` workflows; the even ones import a sibling helper file. */
function project(count: number, helper = 'v1'): Record<string, string> {
  const files: Record<string, string> = {
    'kinde.json': JSON.stringify({ rootDir: 'kindeSrc', version: '2024-12-09' }),
    'kindeSrc/environment/lib/stamp.ts': `export const stamp = () => "${helper}";\n`,
  };
  for (let i = 0; i < count; i++) {
    const usesHelper = i % 2 === 0;
    files[`${WORKFLOWS}/w${i}/w${i}Workflow.ts`] =
      (usesHelper ? `import { stamp } from "../../lib/stamp";\n` : '') +
      `export const workflowSettings = { id: "sync${i}", trigger: "m2m:token_generation", bindings: { "kinde.m2mToken": {} } };\n` +
      `export default async function () { kinde.m2mToken.setCustomClaim("w${i}", ${usesHelper ? 'stamp()' : '"plain"'}); }\n`;
  }
  return files;
}

async function write(root: string, files: Record<string, string>): Promise<void> {
  for (const [path, source] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), source);
  }
}

/** Runs the CLI with the environment a CI job would give it; resolves stdout, or rejects with stderr. */
async function cli(args: string[], env: Record<string, string>): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--no-node-snapshot', CLI, ...args], {
    timeout: 120_000,
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  return stdout;
}

describe(`workflows kept in sync (${anyStorage})`, () => {
  let m: RunningMinter;
  let app: Awaited<ReturnType<typeof provision>>;
  let root: string;
  let env: Record<string, string>;

  before(async () => {
    m = await startMinter({ storage: anyStorage });
    app = await provision(m);
    root = await mkdtemp(join(tmpdir(), 'kinde-sync-'));
    env = {
      MINTER_URL: m.baseUrl,
      MINTER_ADMIN_CLIENT_ID: m.admin.clientId,
      MINTER_ADMIN_CLIENT_SECRET: m.admin.clientSecret,
    };
  });
  after(async () => {
    await m?.close();
    await rm(root, { recursive: true, force: true });
  });

  const versionsOf = async (name: string) => {
    const action = (await m.api('GET', `/actions/actions?actionName=${name}`)).body.actions[0];
    return (await m.api('GET', `/actions/actions/${action.id}/versions`)).body.versions.length as number;
  };

  test('a 10-workflow tree: created once, then only what changed; --prune removes what left', async () => {
    await write(root, project(10));
    const startedAt = performance.now();
    const first = await cli(['sync-workflows', root], env);
    const firstMs = performance.now() - startedAt;
    assert.match(first, /10 created, 0 updated, 0 unchanged, 0 removed; m2m:token_generation runs 10 workflow\(s\)/);
    const token = await requestToken(m, app);
    assert.equal(token.status, 200, JSON.stringify(token.body));
    const claims = claimsOf(token.body.access_token);
    for (let i = 0; i < 10; i++) assert.equal(claims[`w${i}`], i % 2 === 0 ? 'v1' : 'plain');

    const again = await cli(['sync-workflows', root], env);
    assert.match(again, /0 created, 0 updated, 10 unchanged, 0 removed/);
    assert.equal(await versionsOf('sync0'), 1, 'no version is made when nothing changed');

    // The helper only the even workflows import changes: those five are deployed again, the others are not.
    await write(root, { 'kindeSrc/environment/lib/stamp.ts': 'export const stamp = () => "v2";\n' });
    const changed = await cli(['sync-workflows', root], env);
    assert.match(changed, /0 created, 5 updated, 5 unchanged, 0 removed/);
    for (const i of [0, 2, 4, 6, 8]) assert.match(changed, new RegExp(`updated and deployed "sync${i}"`));
    assert.equal(await versionsOf('sync0'), 2);
    assert.equal(await versionsOf('sync1'), 1);
    assert.equal(claimsOf((await requestToken(m, app)).body.access_token).w0, 'v2');

    // A folder removed: kept without --prune, removed (unbound and deleted) with it.
    await unlink(join(root, `${WORKFLOWS}/w9/w9Workflow.ts`));
    assert.match(await cli(['sync-workflows', root], env), /0 created, 0 updated, 9 unchanged, 0 removed; .* runs 10/);
    const pruned = await cli(['sync-workflows', root, '--prune'], env);
    assert.match(pruned, /removed "sync9"/);
    assert.match(pruned, /0 created, 0 updated, 9 unchanged, 1 removed; m2m:token_generation runs 9 workflow\(s\)/);
    assert.equal((await m.api('GET', '/actions/actions?actionName=sync9')).body.actions.length, 0);
    assert.equal(claimsOf((await requestToken(m, app)).body.access_token).w9, undefined);
    console.log(`# sync of a 10-workflow tree: ${Math.round(firstMs)} ms the first time`);
  });

  test('a failure names the URL it tried and what to set', async () => {
    const closed = `http://127.0.0.1:${await freeLoopbackPort()}`;
    await assert.rejects(
      cli(['sync-workflows', root], { ...env, MINTER_URL: closed }),
      (error: Error & { stderr: string }) => {
        assert.match(
          error.stderr,
          new RegExp(`cannot reach Minter at ${closed}/oauth/token \\(ECONNREFUSED\\); set MINTER_URL`),
        );
        return true;
      },
    );
    await assert.rejects(
      cli(['sync-workflows', root], { MINTER_URL: m.baseUrl }),
      (error: Error & { stderr: string }) => {
        assert.match(error.stderr, new RegExp(`admin credentials missing for ${m.baseUrl}; .*MINTER_ADMIN_CLIENT_ID`));
        return true;
      },
    );
  });
});

describe(`MINTER_WORKFLOWS_DIR (${anyStorage})`, () => {
  let m: RunningMinter;
  let root: string;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'kinde-dir-'));
    await write(root, project(2));
    m = await startMinter({ storage: anyStorage, env: { MINTER_WORKFLOWS_DIR: root } });
  });
  after(async () => {
    await m?.close();
    await rm(root, { recursive: true, force: true });
  });

  test('the folder is deployed at start and again when a file changes', async () => {
    const app = await provision(m);
    const first = claimsOf((await requestToken(m, app)).body.access_token);
    assert.deepEqual([first.w0, first.w1], ['v1', 'plain']);

    await write(root, { 'kindeSrc/environment/lib/stamp.ts': 'export const stamp = () => "edited";\n' });
    // The watcher syncs once the tree settles; poll for the outcome rather than timing it.
    const deadline = Date.now() + 30_000;
    let w0: unknown;
    while (Date.now() < deadline) {
      w0 = claimsOf((await requestToken(m, app)).body.access_token).w0;
      if (w0 === 'edited') break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.equal(w0, 'edited');
  });
});
