/**
 * Air-gapped operators (issue 13, "Dependencies"): `minter actions bundle` installs and bundles an action's
 * dependencies where the registry is reachable; `minter actions upload` gives the bundle to a Minter that cannot
 * reach any registry, whose deploy then installs nothing. The management API checks that a bundle is of the draft's
 * code and dependencies, and drops it when either changes.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { bind, claimsOf, requestToken } from '../helpers/actions.js';
import { provision, startMinter, type RunningMinter } from '../helpers/minter.js';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'minter.js');

const ACTION = `const { kebabCase } = require('lodash');
exports.onExecuteCredentialsExchange = async (event, api) => {
  api.accessToken.setCustomClaim('https://example.com/slug', kebabCase('Bundled Where The Registry Is'));
};
`;

describe('minter actions bundle, then upload to a Minter without a registry', () => {
  let m: RunningMinter;
  let folder: string;
  let bundleFile: string;
  const run = (args: string[], env: Record<string, string> = {}) =>
    promisify(execFile)(process.execPath, ['--no-node-snapshot', cli, ...args], { env: { ...process.env, ...env } });

  before(async () => {
    folder = await mkdtemp(join(tmpdir(), 'minter-action-'));
    bundleFile = join(folder, 'bundle.json');
    await writeFile(join(folder, 'action.js'), ACTION);
    await writeFile(
      join(folder, 'package.json'),
      JSON.stringify({ main: 'action.js', dependencies: { lodash: '4.17.21' } }),
    );
    m = await startMinter({ env: { npm_config_registry: 'http://127.0.0.1:9/' } });
  });
  after(async () => {
    await m?.close();
    await rm(folder, { recursive: true, force: true });
  });

  test('bundle writes {code, dependencies, bundle}; upload creates and deploys the action; its token has the claim', async () => {
    const bundled = await run(['actions', 'bundle', folder, '--out', bundleFile], {
      MINTER_ACTIONS_DEPS_CACHE: join(folder, 'cache'),
    });
    assert.match(bundled.stderr, /^bundled lodash@4\.17\.21: 1 package\(s\), \d+ KB → /);
    const file = JSON.parse(await readFile(bundleFile, 'utf8'));
    assert.equal(file.code, ACTION);
    assert.deepEqual(file.dependencies, [{ name: 'lodash', version: '4.17.21' }]);
    assert.equal(file.bundle.format, 'minter-action-bundle/1');

    const uploaded = await run([
      'actions',
      'upload',
      bundleFile,
      '--name',
      'slugger',
      '--url',
      m.baseUrl,
      '--client-id',
      m.admin.clientId,
      '--client-secret',
      m.admin.clientSecret,
    ]);
    assert.match(uploaded.stdout, /^deployed "slugger" \(.+\) as version 1/);
    const listed = await m.api('GET', '/actions/actions?actionName=slugger');
    const action = listed.body.actions[0];
    assert.deepEqual(action.deployed_version.dependencies, [{ name: 'lodash', version: '4.17.21' }]);
    await bind(m, 'credentials-exchange', [action.id]);
    const client = await provision(m);
    const token = await requestToken(m, client);
    assert.equal(token.status, 200, JSON.stringify(token.body));
    assert.equal(claimsOf(token.body.access_token)['https://example.com/slug'], 'bundled-where-the-registry-is');
  });

  test('a bundle must be of the code it comes with; a change of code drops it, and the deploy then needs npm', async () => {
    const file = JSON.parse(await readFile(bundleFile, 'utf8'));
    const other = await m.api('POST', '/actions/actions', {
      name: 'mismatch',
      supported_triggers: [{ id: 'credentials-exchange', version: 'v2' }],
      code: ACTION.replace('Registry', 'Network'),
      dependencies: file.dependencies,
      bundle: file.bundle,
    });
    assert.equal(other.status, 400);
    assert.match(other.body.message, /the bundle was made for other code; run minter actions bundle again/);

    const listed = await m.api('GET', '/actions/actions?actionName=slugger');
    const id = listed.body.actions[0].id;
    const patched = await m.api('PATCH', `/actions/actions/${id}`, { code: ACTION.replace('Registry', 'Network') });
    assert.equal(patched.status, 200);
    const deployed = await m.api('POST', `/actions/actions/${id}/deploy`);
    assert.equal(deployed.status, 400);
    assert.equal(deployed.body.errorCode, 'dependency_failed');
    assert.match(
      deployed.body.message,
      /^Dependency failed: lodash: the registry http:\/\/127\.0\.0\.1:9\/ cannot be reached/,
    );
  });
});
