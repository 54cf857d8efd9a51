/**
 * The pieces of an action's npm dependencies that need no registry: which built-ins a specifier names and how Minter
 * treats them (auth0/node-builtins.ts), which specs install from the registry (packages/dependency-spec.ts), and the
 * runnable module (packages/action-bundle.ts): the operator's lines unchanged, `'use strict'` kept in force, the
 * bundle's `require` in front of the isolate's.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import vm from 'node:vm';
import {
  builtinKind,
  builtinOf,
  refusedBuiltinMessage,
  SUPPORTED_BUILTINS,
} from '../../src/triggers/auth0/node-builtins.js';
import { assembleModule, isModuleOf, prefixOf } from '../../src/triggers/packages/action-bundle.js';
import {
  invalidDependency,
  isExactVersion,
  normalizeDependencies,
  packageOf,
} from '../../src/triggers/packages/dependency-spec.js';

/** Runs a module the way the isolate does: `(exports, require, module, __filename, __dirname)`, one line of header. */
function load(compiled: string, builtinRequire: (name: string) => unknown, filename = 'my-action.js') {
  const factory = vm.runInNewContext(
    `(function (exports, require, module, __filename, __dirname) {${compiled}\n})`,
    {},
    {
      filename,
    },
  ) as (...args: unknown[]) => void;
  const module = { exports: {} as Record<string, any> };
  factory(module.exports, builtinRequire, module, filename, '/');
  return module.exports;
}

describe('Node built-ins in actions', () => {
  test('a specifier names a built-in by its base name, with or without node:', () => {
    assert.equal(builtinOf('fs'), 'fs');
    assert.equal(builtinOf('node:fs/promises'), 'fs');
    assert.equal(builtinOf('stream/promises'), 'stream');
    assert.equal(builtinOf('_http_agent'), 'http');
    assert.equal(builtinOf('lodash'), undefined);
    assert.equal(builtinOf('events-polyfill'), undefined);
  });

  test('supported, refused and other built-ins', () => {
    for (const name of SUPPORTED_BUILTINS) assert.match(builtinKind(name), /^(provided|supported)$/);
    for (const name of ['fs', 'net', 'child_process', 'worker_threads', 'cluster', 'dgram', 'tls', 'vm'])
      assert.equal(builtinKind(name), 'refused', name);
    assert.equal(builtinKind('path'), 'provided');
    assert.equal(
      refusedBuiltinMessage('net'),
      'the Node built-in "net" is not available in Minter actions: use fetch() (or https), which Minter carries over its guarded egress',
    );
  });
});

describe('dependency specs', () => {
  test('registry versions, ranges and dist-tags are accepted; URLs, paths and git references are not', () => {
    for (const version of [
      '4.17.21',
      '^4',
      '~1.2.3',
      '>=1.2.0 <2',
      '1.x || 2.x',
      'latest',
      'next',
      '*',
      '1.0.0-beta.1',
    ])
      assert.equal(invalidDependency({ name: 'lodash', version }), undefined, version);
    for (const version of ['git+ssh://git@github.com/a/b.git', 'file:../x', 'github:a/b', 'https://x/y.tgz', 'a/b'])
      assert.match(invalidDependency({ name: 'lodash', version })!, /is not a version, range or dist-tag/, version);
    for (const name of ['Lodash', '-rf', '../x', '@scope', 'a b'])
      assert.match(invalidDependency({ name, version: '1.0.0' })!, /is not an npm package name/, name);
    assert.equal(invalidDependency({ name: '@auth0/auth0-spa-js', version: '2' }), undefined);
  });

  test('exact versions, package names of specifiers, normalized lists', () => {
    assert.ok(isExactVersion('1.2.3') && isExactVersion('1.2.3-rc.1') && !isExactVersion('^1.2.3'));
    assert.equal(packageOf('lodash/fp/get'), 'lodash');
    assert.equal(packageOf('@scope/pkg/sub/path'), '@scope/pkg');
    assert.deepEqual(
      normalizeDependencies([
        { name: 'uuid', version: '' },
        { name: 'axios', version: '^1' },
      ]),
      [
        { name: 'axios', version: '^1' },
        { name: 'uuid', version: 'latest' },
      ],
    );
  });
});

describe('the runnable module of an action with dependencies', () => {
  const body = 'exports["left-pad"] = function () { return function (s, n) { return String(s).padStart(n); }; };';

  test('bundled packages load through the bundle, anything else through the isolate’s require', () => {
    const asked: string[] = [];
    const code = `const pad = require('left-pad');\nconst c = require('crypto');\nexports.run = () => pad('x', 3) + c.name;`;
    const exported = load(assembleModule(code, [body]), (name) => (asked.push(name), { name: `builtin:${name}` }));
    assert.equal(exported.run(), '  xbuiltin:crypto');
    assert.deepEqual(asked, ['crypto']);
  });

  test("the operator's line numbers are unchanged: a throw on line 3 says line 3", () => {
    const code = `const pad = require('left-pad');\nexports.run = () => {\n  throw new Error('on line 3');\n};`;
    const exported = load(assembleModule(code, [body]), () => ({}));
    assert.throws(
      () => exported.run(),
      (error: Error) => /my-action\.js:3:9/.test(error.stack ?? ''),
    );
  });

  test("a leading 'use strict' stays in force", () => {
    const strict = `'use strict';\nexports.run = () => { undeclared = 1; };`;
    assert.equal(prefixOf(strict).startsWith("'use strict';"), true);
    // The context's own ReferenceError, another realm's class: compared by name.
    assert.throws(
      () => load(assembleModule(strict, [body]), () => ({})).run(),
      (error: Error) => error.name === 'ReferenceError',
    );
    const sloppy = `exports.run = () => { undeclared = 1; return 'ok'; };`;
    assert.equal(load(assembleModule(sloppy, [body]), () => ({})).run(), 'ok');
  });

  test('a module is recognised as made of its code, and of no other', () => {
    const compiled = assembleModule('exports.a = 1;', [body]);
    assert.ok(isModuleOf(compiled, 'exports.a = 1;'));
    assert.ok(!isModuleOf(compiled, 'exports.a = 2;'));
    assert.ok(!isModuleOf('exports.a = 1;', 'exports.a = 1;'));
  });
});
