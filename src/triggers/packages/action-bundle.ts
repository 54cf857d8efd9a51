/**
 * The runnable form of an action with dependencies — the text the isolate compiles as the action module — and the
 * uploaded form of it that `minter actions bundle` writes for air-gapped operators.
 *
 * The operator's code comes first, as written, so that its line numbers in stack traces stay the operator's own; only
 * line 1 is preceded by one statement, which replaces the module's `require` with the bundle's. The bundle follows
 * the code as one function declaration, hoisted, so it exists when that first statement runs:
 *
 * ```text
 * require = __minterDependencies(require);<the action's code, unchanged>
 * ;function __minterDependencies(builtinRequire) { …the dependencies' loaders… }
 * ```
 *
 * The bundle's `require(name)` loads a bundled package (once, on first use) and hands anything else — Node built-ins
 * above all — to the isolate's own `require`. Column numbers on line 1 are shifted by the length of that statement.
 */
import type { PackageVersion } from './dependency-spec.js';

const LOADER = '__minterDependencies';

/** A `'use strict'` directive opening the code: kept in force by repeating it before the statement added. */
const STRICT = /^(?:\s+|\/\/[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*(['"])use strict\1/;

/** What goes before the operator's code on line 1. */
export function prefixOf(code: string): string {
  return `${STRICT.test(code) ? "'use strict';" : ''}require = ${LOADER}(require);`;
}

/** The operator's code followed by the loader over the bundled module bodies (dependency-bundle.ts). */
export function assembleModule(code: string, bodies: readonly string[]): string {
  const groups = bodies.map((body) => `function (module, exports, require) {\n${body}\n}`).join(',\n');
  return `${prefixOf(code)}${code}
;function ${LOADER}(builtinRequire) {
  var loaders = Object.create(null);
  [${groups}].forEach(function (body) {
    var module = { exports: {} };
    body(module, module.exports, builtinRequire);
    Object.keys(module.exports).forEach(function (name) { loaders[name] = module.exports[name]; });
  });
  return function require(name) {
    var specifier = String(name);
    return specifier in loaders ? loaders[specifier]() : builtinRequire(specifier);
  };
}
`;
}

/** True when `compiled` is `code` assembled with some bundle (an uploaded bundle must be of the action's code). */
export const isModuleOf = (compiled: string, code: string): boolean =>
  compiled.startsWith(`${prefixOf(code)}${code}\n;function ${LOADER}(`);

/** The file `minter actions bundle` writes and the management API takes as an action's `bundle`. */
export interface UploadedBundle {
  format: typeof BUNDLE_FORMAT;
  /** The declared dependencies with the exact versions they resolved to. */
  dependencies: PackageVersion[];
  /** Every package installed, transitive ones included. */
  packages: PackageVersion[];
  /** The runnable module ({@link assembleModule}). */
  compiled: string;
}

export const BUNDLE_FORMAT = 'minter-action-bundle/1';

const packageList = {
  type: 'array',
  maxItems: 10_000,
  items: {
    type: 'object',
    required: ['name', 'version'],
    additionalProperties: false,
    properties: { name: { type: 'string', maxLength: 214 }, version: { type: 'string', maxLength: 256 } },
  },
} as const;

/** JSON schema of {@link UploadedBundle} for the management routes. */
export const UPLOADED_BUNDLE_SCHEMA = {
  type: 'object',
  required: ['format', 'dependencies', 'packages', 'compiled'],
  additionalProperties: false,
  description: 'A bundle made by `minter actions bundle` where the registry is reachable (docs/auth0-actions.md)',
  properties: {
    format: { type: 'string', enum: [BUNDLE_FORMAT] },
    dependencies: packageList,
    packages: packageList,
    compiled: { type: 'string' },
  },
} as const;
