/**
 * Issue 13, Node built-ins at deploy: `engine.build` refuses an action whose own code requires a built-in Minter does
 * not provide, naming the module, what to use instead and the line (found by esbuild, so a `require` in a comment or
 * a string does not count); a supported one required at the top level works at deploy as on the token path; a
 * computed name passes the deploy and throws the same text when it runs.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ActionBuildError } from '../../src/triggers/action-build.js';
import type { ActionSource } from '../../src/triggers/contract.js';
import { auth0Action, request, ROOMY_SLICE, withEngine } from './engine-helpers.js';

const source = (code: string): ActionSource => ({
  triggerId: 'credentials-exchange',
  code,
  files: {},
  entryPath: null,
});
const HANDLER = 'exports.onExecuteCredentialsExchange = async (event, api) => {};';

describe('Node built-ins at deploy', () => {
  test('a refused built-in fails the deploy with its name, what to use instead, and where', async () => {
    await withEngine({}, async (engine) => {
      const code = `// require('child_process') in a comment does not count\nconst note = "require('net')";\n${HANDLER}\nexports.helper = () => require('node:fs').readFileSync('/etc/passwd');`;
      await assert.rejects(engine.build(source(code)), (error: unknown) => {
        assert.ok(error instanceof ActionBuildError);
        assert.equal(
          error.message,
          `require('node:fs'): the Node built-in "node:fs" is not available in Minter actions: there is no file system: keep configuration in event.secrets, or fetch() it over https`,
        );
        assert.deepEqual([error.file, error.line, error.column], ['action.js', 4, 32]);
        return true;
      });
      for (const [name, instead] of [
        ['child_process', 'there are no processes or threads to start'],
        ['net', 'use fetch() (or https)'],
        ['zlib', 'Minter provides buffer, crypto,'],
      ] as const) {
        await assert.rejects(
          engine.build(source(`const m = require('${name}');\n${HANDLER}`)),
          (error: Error) =>
            error.message.startsWith(`require('${name}'): the Node built-in "${name}"`) &&
            error.message.includes(instead),
        );
      }
    });
  });

  test('supported built-ins load at the top level at deploy, and the action runs as built', async () => {
    const code = `const crypto = require('node:crypto'), { URL: LegacyURL } = require('url'), { inherits } = require('util');
const stream = require('stream'), EventEmitter = require('events'), path = require('path');
const digest = crypto.createHash('sha256').update('built at deploy').digest('base64url');
function Emitter() { EventEmitter.call(this); } inherits(Emitter, EventEmitter);
exports.onExecuteCredentialsExchange = async (event, api) => {
  api.accessToken.setCustomClaim('https://t/d', [digest, typeof stream.Readable, path.join('a', 'b'), LegacyURL === URL]);
};`;
    await withEngine(ROOMY_SLICE, async (engine) => {
      const built = await engine.build(source(code));
      assert.equal(built.compiled, code);
      engine.setBindings([auth0Action(built.compiled)]);
      const result = await engine.run(request());
      assert.deepEqual(result.claims['https://t/d'], [
        '_g4vBjI7DeFOZDt1FsHeJylvof6n1DAuF7T7V8u85oE',
        'function',
        'a/b',
        true,
      ]);
    });
  });

  test('the module’s own load failure and a missing handler still fail the deploy as before', async () => {
    await withEngine({}, async (engine) => {
      await assert.rejects(engine.build(source(`throw new Error('boom');\n${HANDLER}`)), {
        message: 'The module failed while loading: boom',
      });
      await assert.rejects(engine.build(source(`exports.other = 1;`)), {
        message:
          'The action must export onExecuteCredentialsExchange: exports.onExecuteCredentialsExchange = async (event, api) => { … }',
      });
      await assert.rejects(engine.build(source(`const x = ;`)), (error: ActionBuildError) => error.line === 1);
      // Top-level fetch has no network at deploy: it rejects, which the module does not await.
      await engine.build(source(`fetch('https://example.com/').catch(() => {});\n${HANDLER}`));
    });
  });

  test('a computed name passes the deploy and throws the deploy check’s text when it runs', async () => {
    const code = `exports.onExecuteCredentialsExchange = async (event, api) => {
  const name = ['f', 's'].join('');
  try { require(name); } catch (e) { api.accessToken.setCustomClaim('https://t/e', e.message); }
};`;
    await withEngine(ROOMY_SLICE, async (engine) => {
      await engine.build(source(code));
      engine.setBindings([auth0Action(code)]);
      const result = await engine.run(request());
      assert.match(
        result.claims['https://t/e'] as string,
        /^the Node built-in "fs" is not available in Minter actions/,
      );
    });
  });
});
