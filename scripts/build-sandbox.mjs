#!/usr/bin/env node
// `npm run build`, first step: bundles the code that runs inside each isolate (src/triggers/sandbox/program/, TypeScript
// type-checked by its own tsconfig) with esbuild, and writes the bundles as strings into
// src/triggers/sandbox/bundles.generated.ts, which tsc then compiles with the rest (git ignores it):
//
// - the Auth0 and Kinde programs: the body of the function sandbox/bootstrap.ts wraps around each, ending `return load;`;
//   the Auth0 one followed by its Node layer (program/node/: Node's built-ins, with the npm packages that stand in
//   for them) as one function, `__minterNode(kernel)`, which V8 compiles only when it is first called;
// - the URL classes alone, as a script defining `URL` and `URLSearchParams` (sandbox/url.ts, for the URL tests);
// - the hardening alone, as a script (sandbox/hardening.ts, for the deploy-time contexts);
// - Minter's `@kinde/infrastructure`, as an ES2019 module (kinde/infrastructure/source.ts, for the Kinde compiler).
//
// ES2022 as V8 in isolated-vm runs it, not minified: stack traces and heap snapshots stay readable, and V8's code cache
// (runtime/isolate-factory.ts) makes the size cost nothing after the first isolate of a process.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const PROGRAM = 'src/triggers/sandbox/program';
const OUT = 'src/triggers/sandbox/bundles.generated.ts';

function fail(message) {
  console.error(`build-sandbox: ${message}`);
  process.exit(1);
}

/**
 * The `buffer` package (6.0.3, the last) lacks Node's `base64url` encoding (Node 15+), which JWT code uses: added to
 * its encoding switches — `toString` writes URL-safe base64 without padding; reading already takes `-` and `_`.
 */
function withBase64url(source) {
  const slice = "      case 'base64':\n        return base64Slice(this, start, end)\n";
  if (source.split(slice).length !== 2) fail('buffer: the base64 case of toString was not found (package changed?)');
  let out = source.replace(
    slice,
    `${slice}\n      case 'base64url':\n        return base64Slice(this, start, end).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '')\n`,
  );
  let labels = 0;
  out = out.replace(/case 'base64':(?!\n\s*return base64Slice)/g, () => {
    labels++;
    return "case 'base64':\n      case 'base64url':";
  });
  if (labels !== 3) fail(`buffer: expected 3 more base64 cases (isEncoding, byteLength, write), found ${labels}`);
  return out;
}

const TYPED_ARRAY_TAG =
  'var tag = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), Symbol.toStringTag).get;\n';
/** Small stand-ins for util's type tests (same answers, from V8's tags). */
const UTIL_TYPES = {
  'is-arguments':
    "var toString = Object.prototype.toString;\nmodule.exports = function isArguments(v) { return toString.call(v) === '[object Arguments]'; };",
  'is-generator-function':
    "var toString = Object.prototype.toString;\nmodule.exports = function isGeneratorFunction(fn) { return typeof fn === 'function' && toString.call(fn) === '[object GeneratorFunction]'; };",
  'which-typed-array': `${TYPED_ARRAY_TAG}module.exports = function whichTypedArray(v) { var t = tag.call(v); return t === undefined ? false : t; };`,
  'is-typed-array': `${TYPED_ARRAY_TAG}module.exports = function isTypedArray(v) { return tag.call(v) !== undefined; };`,
};

/**
 * Where the Node stand-ins reach past themselves: `process` (readable-stream's `require('process/')`, and the free
 * `process` of a package such as util, which is given a `require` of it here) is program/node/process-shim.ts, the
 * `url` package's `qs` is querystring (qs-shim.ts), and readable-stream's `abort-controller` is that package's own
 * implementation.
 */
const nodeStandIns = {
  name: 'minter-node-stand-ins',
  setup(build) {
    build.onResolve({ filter: /^process\/?$/ }, () => ({ path: join(ROOT, PROGRAM, 'node/process-shim.ts') }));
    build.onResolve({ filter: /^qs$/ }, () => ({ path: join(ROOT, PROGRAM, 'node/qs-shim.ts') }));
    // util's `types` needs four packages that pull in get-intrinsic and a dozen more (~6 ms at the first
    // require('util') of each isolate): each is one test of V8's own tags.
    build.onResolve({ filter: /^(is-arguments|is-generator-function|which-typed-array|is-typed-array)$/ }, (args) => ({
      path: args.path,
      namespace: 'minter-util-types',
    }));
    build.onLoad({ filter: /.*/, namespace: 'minter-util-types' }, (args) => ({
      contents: UTIL_TYPES[args.path],
      loader: 'js',
    }));
    // Its browser build reads `self` or `window`, which an isolate has not: its own implementation instead.
    build.onResolve({ filter: /^abort-controller$/ }, () => ({
      path: createRequire(join(ROOT, 'package.json')).resolve('abort-controller'),
    }));
    build.onLoad({ filter: /[\\/]node_modules[\\/].*\.js$/ }, (args) => {
      let contents = readFileSync(args.path, 'utf8');
      if (/[\\/]node_modules[\\/]buffer[\\/]index\.js$/.test(args.path)) contents = withBase64url(contents);
      if (/\bprocess\.\w/.test(contents) && !/\b(?:const|let|var)\s+process\b/.test(contents))
        contents = `var process = require('process/').process;\n${contents}`;
      return { contents, loader: 'js' };
    });
  },
};

/** Bundles `entry` (relative to the program folder) as one module's text (ES, unless `options` say otherwise). */
async function bundle(entry, target = 'es2022', options = {}) {
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: [`${PROGRAM}/${entry}`],
    tsconfig: `${PROGRAM}/tsconfig.json`,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target,
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
    ...options,
  });
  return result.outputFiles[0].text;
}

/**
 * The Node layer (program/node/index.ts) as the body of `function __minterNode(__kernel)`: CommonJS, its npm packages
 * in their browser builds (readable-stream's) with Node's `global` and `process` supplied. A program module outside
 * node/ is not bundled again but read from `__kernel` (program/node-kernel.ts), which must list every name used.
 */
async function nodeLayer() {
  const kernelSource = readFileSync(join(ROOT, PROGRAM, 'node-kernel.ts'), 'utf8');
  const listed = new Map();
  for (const [, id, names] of kernelSource.matchAll(/^\s+'?([\w/-]+)'?: \{([^}]*)\}/gm)) {
    listed.set(
      id,
      names
        .split(',')
        .map((n) => n.trim())
        .filter(Boolean),
    );
  }
  const kernel = {
    name: 'minter-node-kernel',
    setup(build) {
      build.onResolve({ filter: /^\.\.?\// }, (args) => {
        const path = join(args.resolveDir, args.path);
        const from = join(ROOT, PROGRAM);
        if (!path.startsWith(from + '/') || path.startsWith(join(from, 'node') + '/')) return undefined;
        const id = path.slice(from.length + 1).replace(/\.js$/, '');
        if (!listed.has(id)) fail(`the Node layer imports ${id}, which program/node-kernel.ts does not hand it`);
        return { path: id, namespace: 'kernel' };
      });
      // Each kernel module exports exactly what node-kernel.ts lists for it: esbuild refuses any other import.
      build.onLoad({ filter: /.*/, namespace: 'kernel' }, (args) => ({
        contents: `const k = __kernel[${JSON.stringify(args.path)}];\n${listed
          .get(args.path)
          .map((n) => `export const ${n} = k.${n};`)
          .join('\n')}`,
        loader: 'js',
      }));
    },
  };
  const body = await bundle('node/index.ts', 'es2022', {
    format: 'cjs',
    platform: 'browser',
    define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
    plugins: [kernel, nodeStandIns],
  });
  for (const name of [
    'TextEncoder',
    'TextDecoder',
    'KeyObject',
    'CryptoKey',
    'SubtleCrypto',
    'Hash',
    'Hmac',
    'Sign',
    'Verify',
  ]) {
    if (!new RegExp(`^\\s*(?:var )?${name} = class \\{`, 'm').test(body)) fail(`the Node layer lost the name ${name}`);
  }
  return `function __minterNode(__kernel) {\nvar module = { exports: {} }, exports = module.exports;\n${body}return module.exports;\n}\n`;
}

/** An ES module's text without its closing `export { … };`, and what it exported (`local` names `exported`). */
function withoutExports(text) {
  const clause = /\nexport \{([^}]*)\};\n$/.exec(text);
  if (clause === null) return { body: text, exports: new Map() };
  const exports = new Map();
  for (const spec of clause[1].split(',')) {
    const [local, as, exported] = spec.trim().split(/\s+/);
    if (local !== undefined && local !== '') exports.set(as === 'as' ? exported : local, local);
  }
  return { body: text.slice(0, clause.index + 1), exports };
}

/** The modules of a bundle in evaluation order, from esbuild's `// path` comments. */
const modulesOf = (body) => [...body.matchAll(/^\/\/ (src\/\S+\.ts)$/gm)].map((m) => m[1].slice(PROGRAM.length + 1));

/**
 * The security of the sandbox depends on what runs first: the hardening, then the capture of the intrinsics, before
 * any other module (intrinsics.ts). A module is evaluated where the first import reaches it, so an import added
 * above them in an entry would move them: refuse to build then. Globals the action sees keep their own names.
 */
function checkProgram(platform, body, observable) {
  const modules = modulesOf(body);
  if (modules[0] !== 'hardening.ts' || modules[1] !== 'intrinsics.ts') {
    fail(`the ${platform} program must evaluate hardening.ts, then intrinsics.ts, first; got ${modules.slice(0, 3)}`);
  }
  for (const name of observable) {
    if (
      !new RegExp(
        `^(?:function\\*? ${name}\\(|var ${name} = class (?:extends \\w+ )?\\{|  ${name}: function\\()`,
        'm',
      ).test(body)
    ) {
      fail(`the ${platform} program lost the name ${name} (renamed by the bundler?)`);
    }
  }
  // The Node layer comes as one function of its own (nodeLayer), never among the modules that run at start.
  if (/__esm\(|__commonJS\(|node_modules/.test(body) || modules.some((m) => m.startsWith('node/'))) {
    fail(`the ${platform} program evaluates Node layer or npm code at start`);
  }
}

async function program(platform, observable, tail = '') {
  const { body, exports } = withoutExports(await bundle(`${platform}/program.ts`));
  if (exports.size !== 1 || !exports.has('load')) fail(`${platform}/program.ts must export load alone`);
  checkProgram(platform, body, observable);
  return `${body}${tail}return ${exports.get('load')};\n`;
}

const SHARED = ['Timeout', 'require', 'URL', 'URLSearchParams'];
const auth0 = await program(
  'auth0',
  [
    ...SHARED,
    'setTimeout',
    'clearTimeout',
    'queueMicrotask',
    'atob',
    'btoa',
    'fetch',
    'Headers',
    'FormData',
    'Blob',
    'File',
    'Response',
    'AbortController',
    'AbortSignal',
    'DOMException',
  ],
  await nodeLayer(),
);
const kinde = await program('kinde', [...SHARED, 'kindeFetch', 'envGet']);

const url = withoutExports(await bundle('url/index.ts'));
const urlScript = `var URLClasses = (function () {
'use strict';
${url.body}return { URL: ${url.exports.get('URL')}, URLSearchParams: ${url.exports.get('URLSearchParams')} };
})();
var URL = URLClasses.URL, URLSearchParams = URLClasses.URLSearchParams;
`;

const hardening = withoutExports(await bundle('hardening.ts'));
if (hardening.exports.size !== 0) fail('hardening.ts exports nothing');
const hardeningScript = `(function () {\n'use strict';\n${hardening.body}})();\n`;

const infrastructure = await bundle('kinde/infrastructure.ts', 'es2019');

const constant = (doc, name, text) => `/** ${doc} */\nexport const ${name} = ${JSON.stringify(text)};\n`;
writeFileSync(
  join(ROOT, OUT),
  [
    `// Generated by scripts/build-sandbox.mjs from ${PROGRAM}/ (npm run build): do not edit.\n`,
    constant('The Auth0 program: the body of the function sandbox/bootstrap.ts wraps.', 'AUTH0_PROGRAM_BODY', auth0),
    constant('The Kinde program: the body of the function sandbox/bootstrap.ts wraps.', 'KINDE_PROGRAM_BODY', kinde),
    constant('A script that defines `URL` and `URLSearchParams` (url/index.ts).', 'URL_SCRIPT', urlScript),
    constant('A script that hardens a context (hardening.ts).', 'HARDENING_SCRIPT', hardeningScript),
    constant(
      "Minter's `@kinde/infrastructure`, an ES2019 module (kinde/infrastructure.ts).",
      'KINDE_INFRASTRUCTURE_MODULE',
      infrastructure,
    ),
  ].join('\n'),
);
