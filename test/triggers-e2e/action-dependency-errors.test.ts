/**
 * A deploy whose dependencies cannot be installed or bundled is a 400 `dependency_failed` naming the package (or the
 * module) and why (issue 13, "Dependencies"): not in the registry, no such version, a refused Node built-in (`fs`),
 * an undeclared package, a relative require, a spec that is not from the registry, past the size or count limit, and
 * a registry that does not answer in time. The action's code never reaches the token path.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { startMinter, type RunningMinter } from '../helpers/minter.js';

const HANDLER = 'exports.onExecuteCredentialsExchange = async (event, api) => {};';

async function deploy(m: RunningMinter, code: string, dependencies: unknown[], trigger = 'credentials-exchange') {
  return m.api('POST', '/actions/actions', {
    name: `a-${Math.random().toString(36).slice(2, 10)}`,
    supported_triggers: [{ id: trigger }],
    code,
    dependencies,
    deploy: true,
  });
}

function assertFailed(response: { status: number; body: any }, message: RegExp, errorCode = 'dependency_failed') {
  assert.equal(response.status, 400, JSON.stringify(response.body));
  assert.equal(response.body.errorCode, errorCode);
  assert.match(response.body.message, message);
}

describe('deploy errors of actions with dependencies name the package and why', () => {
  let m: RunningMinter;
  before(async () => {
    m = await startMinter();
  });
  after(() => m?.close());

  test('a package the registry does not have', async () => {
    const name = 'minter-test-no-such-package-7f3q';
    assertFailed(
      await deploy(m, `const x = require('${name}');\n${HANDLER}`, [{ name, version: '1.0.0' }]),
      new RegExp(`^Dependency failed: ${name}: not found in the registry \\(https?://`),
    );
  });

  test('a version the registry does not have', async () => {
    assertFailed(
      await deploy(m, HANDLER, [{ name: 'lodash', version: '99.0.0' }]),
      /^Dependency failed: lodash: no version matches in the registry \(No matching version found for lodash@99\.0\.0\)/,
    );
  });

  test("require('fs') fails at deploy, naming the module and what to use instead", async () => {
    // The operator's own code: the build check's answer, at the line and column (node-builtins.test.ts too).
    assertFailed(
      await deploy(m, `const fs = require('fs');\n${HANDLER}`, []),
      /^Build failed at action\.js:1:\d+: require\('fs'\): the Node built-in "fs" is not available in Minter actions: there is no file system/,
      'build_failed',
    );
    assertFailed(
      await deploy(m, `${HANDLER}\nconst spawn = () => require('node:child_process').spawn('sh');`, []),
      /^Build failed at action\.js:\d+:\d+: require\('node:child_process'\): the Node built-in "node:child_process" is not available .*no processes or threads/,
      'build_failed',
    );
  });

  test('a package the action requires but does not declare', async () => {
    assertFailed(
      await deploy(m, `${HANDLER}\nconst get = require('lodash/get');`, [{ name: 'uuid', version: 'latest' }]),
      /^Dependency failed: lodash: required at line 2; the package is not among the action's dependencies: add \{"name": "lodash"/,
    );
    assertFailed(
      await deploy(m, `const helper = require('./helper');\n${HANDLER}`, []),
      /^Dependency failed: \.\/helper: required at line 1; an action is one file/,
    );
  });

  test('a syntax error in an action with dependencies is a build failure at its line', async () => {
    assertFailed(
      await deploy(m, `const _ = require('lodash');\n${HANDLER}\nconst = 3;`, [{ name: 'lodash', version: '4.17.21' }]),
      /^Build failed at action\.js:3:7: SyntaxError: Expected identifier but found "="/,
      'build_failed',
    );
  });

  test('a spec that would install from elsewhere than the registry, a duplicate, a Kinde workflow', async () => {
    for (const version of ['git+https://github.com/lodash/lodash.git', 'file:../lodash', 'https://x.example/l.tgz']) {
      assertFailed(
        await deploy(m, HANDLER, [{ name: 'lodash', version }]),
        /^Payload validation error: dependency ".*" is not a version, range or dist-tag/,
        'invalid_body',
      );
    }
    assertFailed(
      await deploy(m, HANDLER, [
        { name: 'lodash', version: '4' },
        { name: 'lodash', version: '3' },
      ]),
      /a dependency is listed twice/,
      'invalid_body',
    );
    const kinde = await deploy(m, 'export default async () => {};', [{ name: 'lodash' }], 'm2m:token_generation');
    assertFailed(kinde, /Kinde workflows take no npm dependencies/, 'invalid_body');
  });

  test('past the size limit and the package count limit', async () => {
    await m.restart({ MINTER_ACTIONS_DEPS_MAX_MB: '1', MINTER_ACTIONS_DEPS_MAX_PACKAGES: '5' });
    assertFailed(
      await deploy(m, HANDLER, [{ name: 'lodash', version: '4.17.21' }]),
      /^Dependency failed: lodash: the dependencies take \d+\.\d MB installed, more than the limit of 1 MB \(MINTER_ACTIONS_DEPS_MAX_MB\)/,
    );
    assertFailed(
      await deploy(m, HANDLER, [{ name: 'jsonwebtoken', version: '9.0.2' }]),
      /^Dependency failed: jsonwebtoken: the dependencies install \d+ packages, more than the limit of 5 \(MINTER_ACTIONS_DEPS_MAX_PACKAGES\)/,
    );
  });

  test('a registry that does not answer: the install times out', async () => {
    // Accepts connections and never answers.
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      await m.restart({ MINTER_NPM_REGISTRY: `http://127.0.0.1:${port}/`, MINTER_ACTIONS_DEPS_TIMEOUT_MS: '3000' });
      const started = Date.now();
      assertFailed(
        await deploy(m, HANDLER, [{ name: 'lodash', version: '^4' }]),
        /^Dependency failed: lodash: (the install did not finish within 3 s|the registry http:\/\/127\.0\.0\.1:\d+\/ cannot be reached)/,
      );
      assert.ok(Date.now() - started < 15_000, 'the deadline holds');
    } finally {
      silent.close();
    }
  });
});
