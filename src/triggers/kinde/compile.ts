/**
 * Deploy-time compiler for Kinde workflows (`m2m:token_generation`).
 *
 * Kinde's own pipeline (notes §4.1, workflows-runtime `workflowBundler`) bundles a workflow with esbuild into one
 * CommonJS file, runs it once to read `workflowSettings` statically, and checks the default export. Minter does the
 * same, at deploy and never at token time: every problem — syntax, an unavailable package, a wrong trigger, a
 * missing default export — becomes a {@link WorkflowCompileError} with a file and line.
 */
import { posix } from 'node:path';
import * as esbuild from 'esbuild';
import ivm from 'isolated-vm';
import { KINDE_INFRASTRUCTURE_SOURCE, KINDE_INFRASTRUCTURE_SPECIFIER } from './infrastructure/source.js';
import { hardenedContext } from '../sandbox/hardening.js';

/** The only trigger Minter runs Kinde workflows for. */
export const KINDE_M2M_TRIGGER = 'm2m:token_generation';

/** Source files of one workflow: the entry and the local files it imports, by path (`/`-separated). */
export interface KindeWorkflowSource {
  files: Record<string, string>;
  /** Key of `files` holding the workflow module. */
  entry: string;
}

/** `workflowSettings` as Minter keeps it. */
export interface KindeWorkflowSettings {
  id: string;
  name?: string;
  trigger: string;
  failurePolicy: 'stop' | 'continue';
  /** Keys of `workflowSettings.bindings`, in declaration order. */
  bindings: string[];
}

/** A compiled workflow: the runnable bundle and its settings. */
export interface CompiledKindeWorkflow {
  /** One CommonJS file; `module.exports.default` is the workflow function or `{ handle }` object. */
  code: string;
  settings: KindeWorkflowSettings;
}

/** One problem found while compiling. `line` is 1-based, `column` 1-based; both 0 when not tied to a place. */
export interface CompileDiagnostic {
  file: string;
  line: number;
  column: number;
  text: string;
}

/** Which deploy check failed. */
export type WorkflowCompileErrorCode = 'build' | 'import' | 'evaluate' | 'settings' | 'trigger' | 'default_export';

/** A workflow that cannot be deployed. `message` is the first diagnostic, prefixed with `file:line:column`. */
export class WorkflowCompileError extends Error {
  override readonly name = 'WorkflowCompileError';
  readonly code: WorkflowCompileErrorCode;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Every diagnostic (esbuild reports all errors of a build); the first is the one in `message`. */
  readonly diagnostics: readonly CompileDiagnostic[];

  constructor(code: WorkflowCompileErrorCode, diagnostics: readonly [CompileDiagnostic, ...CompileDiagnostic[]]) {
    const [first] = diagnostics;
    const where = first.line > 0 ? `${first.file}:${first.line}:${first.column}` : first.file;
    super(`${where}: ${first.text}`);
    this.code = code;
    this.file = first.file;
    this.line = first.line;
    this.column = first.column;
    this.diagnostics = diagnostics;
  }
}

/**
 * Binding names Kinde knows (INFRA `KindeBindings` plus the runtime-only `kinde.cache`, `kinde.risk`,
 * `kinde.plan`, `util`). Declaring one Minter does not provide is allowed, as on Kinde; using it throws the
 * package's "binding not available" error at run time. An unknown name is almost always a typo, so it is refused.
 */
const KNOWN_BINDINGS: ReadonlySet<string> = new Set([
  'kinde.idToken',
  'kinde.accessToken',
  'kinde.m2mToken',
  'console',
  'kinde.fetch',
  'kinde.secureFetch',
  'kinde.widget',
  'kinde.env',
  'kinde.auth',
  'kinde.localization',
  'kinde.mfa',
  'kinde.ssoSession',
  'url',
  'kinde.cache',
  'kinde.risk',
  'kinde.plan',
  'util',
]);

const VFS = 'kinde-vfs';
const INFRA = 'kinde-infrastructure';
const LOADERS: Readonly<Record<string, esbuild.Loader>> = {
  '.ts': 'ts',
  '.mts': 'ts',
  '.cts': 'ts',
  '.tsx': 'tsx',
  '.js': 'js',
  '.mjs': 'js',
  '.cjs': 'js',
  '.jsx': 'jsx',
  '.json': 'json',
};
const RESOLVE_EXTENSIONS = ['.ts', '.tsx', '.js', '.jsx', '.mjs', '.cjs', '.mts', '.cts', '.json'];
/** NodeNext-style `./helper.js` naming a `helper.ts`. */
const TS_FOR_JS: Readonly<Record<string, string[]>> = {
  '.js': ['.ts', '.tsx'],
  '.jsx': ['.tsx'],
  '.mjs': ['.mts'],
  '.cjs': ['.cts'],
};

/** Settings read-out budget: the bundle's top-level code only builds objects. */
const INTROSPECT_MEMORY_MB = 8;
const INTROSPECT_TIMEOUT_MS = 1000;

/**
 * Bundle a Kinde workflow and read its settings.
 * @throws {WorkflowCompileError} on any reason the workflow could not run on Minter.
 */
export async function compileKindeWorkflow(input: KindeWorkflowSource): Promise<CompiledKindeWorkflow> {
  const files = normalizeFiles(input.files);
  const entry = normalizePath(input.entry);
  if (!(entry in files)) {
    throw new WorkflowCompileError('build', [
      { file: entry, line: 0, column: 0, text: `entry "${input.entry}" is not among the workflow's files` },
    ]);
  }
  const code = await bundle(files, entry);
  const exported = await introspect(code, entry);
  return { code, settings: validate(exported, entry, files[entry] ?? '') };
}

function normalizePath(path: string): string {
  return posix
    .normalize(path.replace(/\\/g, '/'))
    .replace(/^(\.\/)+/, '')
    .replace(/^\/+/, '');
}

function normalizeFiles(files: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [path, source] of Object.entries(files)) out[normalizePath(path)] = source;
  return out;
}

function resolveLocal(files: Record<string, string>, importer: string, specifier: string): string | undefined {
  const base = specifier.startsWith('/')
    ? normalizePath(specifier)
    : posix.normalize(posix.join(posix.dirname(importer), specifier));
  const ext = posix.extname(base);
  const candidates = [
    base,
    ...(TS_FOR_JS[ext] ?? []).map((alt) => base.slice(0, -ext.length) + alt),
    ...RESOLVE_EXTENSIONS.map((e) => base + e),
    ...RESOLVE_EXTENSIONS.map((e) => `${base}/index${e}`),
  ];
  return candidates.find((c) => c in files && LOADERS[posix.extname(c)] !== undefined);
}

function virtualFiles(files: Record<string, string>): esbuild.Plugin {
  return {
    name: 'kinde-workflow-files',
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind === 'entry-point') return { path: args.path, namespace: VFS };
        if (args.path === KINDE_INFRASTRUCTURE_SPECIFIER) return { path: args.path, namespace: INFRA };
        if (args.path.startsWith('.') || args.path.startsWith('/')) {
          const found = resolveLocal(files, args.importer, args.path);
          if (found !== undefined) return { path: found, namespace: VFS };
          return {
            errors: [{ text: `Cannot find "${args.path}" imported by ${args.importer} among the workflow's files` }],
          };
        }
        return {
          errors: [
            {
              text: `Cannot import "${args.path}" in ${args.importer}: only ${KINDE_INFRASTRUCTURE_SPECIFIER} is available in the sandbox`,
            },
          ],
        };
      });
      build.onLoad({ filter: /.*/, namespace: VFS }, (args) => ({
        contents: files[args.path] ?? '',
        loader: LOADERS[posix.extname(args.path)] ?? 'ts',
      }));
      build.onLoad({ filter: /.*/, namespace: INFRA }, () => ({ contents: KINDE_INFRASTRUCTURE_SOURCE, loader: 'js' }));
    },
  };
}

async function bundle(files: Record<string, string>, entry: string): Promise<string> {
  let result: esbuild.BuildResult<{ write: false }>;
  try {
    result = await esbuild.build({
      entryPoints: [entry],
      bundle: true,
      format: 'cjs',
      platform: 'neutral',
      target: 'es2020',
      write: false,
      logLevel: 'silent',
      charset: 'utf8',
      // No tsconfig lookup on disk: the virtual files are the whole world.
      tsconfigRaw: {},
      plugins: [virtualFiles(files)],
    });
  } catch (error) {
    throw fromBuildFailure(error, entry);
  }
  const [output] = result.outputFiles;
  if (output === undefined || output.text.trim() === '') {
    throw new WorkflowCompileError('build', [{ file: entry, line: 0, column: 0, text: 'the bundle is empty' }]);
  }
  return output.text;
}

function fromBuildFailure(error: unknown, entry: string): unknown {
  const messages = (error as { errors?: esbuild.Message[] } | null)?.errors;
  if (!Array.isArray(messages) || messages.length === 0) return error;
  const diagnostics = messages.map((m): CompileDiagnostic => ({
    file: m.location ? m.location.file.replace(`${VFS}:`, '') : entry,
    line: m.location?.line ?? 0,
    column: m.location ? m.location.column + 1 : 0,
    text: m.text.includes(`${INFRA}:`)
      ? `${m.text.replaceAll(`${INFRA}:`, '')} (Minter's ${KINDE_INFRASTRUCTURE_SPECIFIER} has the m2m:token_generation helpers only)`
      : m.text,
  }));
  const first = messages[0];
  const code = first?.pluginName === 'kinde-workflow-files' ? 'import' : 'build';
  return new WorkflowCompileError(code, diagnostics as [CompileDiagnostic, ...CompileDiagnostic[]]);
}

/** What the introspection script copies out of the isolate. */
interface Exported {
  hasSettings: boolean;
  settings: unknown;
  defaultType: string;
  handleType: string;
  error?: string;
}

/**
 * Run the bundle's top-level code once in a throwaway isolate and copy out `workflowSettings` and the shape of the
 * default export. Stub bindings keep top-level code that touches `kinde` or `console` from crashing.
 */
async function introspect(code: string, entry: string): Promise<Exported> {
  const isolate = new ivm.Isolate({ memoryLimit: INTROSPECT_MEMORY_MB });
  try {
    const context = await hardenedContext(isolate);
    const script = await isolate.compileScript(introspectionScript(code), { filename: `${entry}.bundle.js` });
    const json: unknown = await script.run(context, { timeout: INTROSPECT_TIMEOUT_MS, copy: true });
    const exported = JSON.parse(String(json)) as Exported;
    if (exported.error !== undefined) throw new Error(exported.error);
    return exported;
  } catch (error) {
    if (error instanceof WorkflowCompileError) throw error;
    const text = error instanceof Error ? error.message : String(error);
    throw new WorkflowCompileError('evaluate', [
      { file: entry, line: 0, column: 0, text: `reading workflowSettings failed: ${text}` },
    ]);
  } finally {
    if (!isolate.isDisposed) isolate.dispose();
  }
}

function introspectionScript(code: string): string {
  return `(function () {
  var noop = function () {};
  globalThis.console = { log: noop, info: noop, debug: noop, warn: noop, error: noop };
  globalThis.kinde = {
    m2mToken: { setCustomClaim: noop, getCustomClaims: function () { return {}; } },
    env: { get: function () { return undefined; } },
    fetch: function () { throw new Error("kinde.fetch cannot be called at the top level of a workflow"); }
  };
  var module = { exports: {} };
  try {
    (function (module, exports) {
${code}
    })(module, module.exports);
    var m = module.exports;
    if (m === null || (typeof m !== "object" && typeof m !== "function")) m = {};
    var d = m["default"];
    return JSON.stringify({
      hasSettings: "workflowSettings" in m,
      settings: m.workflowSettings,
      defaultType: typeof d,
      handleType: d !== null && typeof d === "object" ? typeof d.handle : "undefined"
    });
  } catch (e) {
    return JSON.stringify({ error: "top-level code threw: " + (e && e.message ? e.message : String(e)) });
  }
})()`;
}

/** 1-based line of the first match in `source`, 0 when absent. */
function lineOf(source: string, pattern: RegExp): number {
  const match = pattern.exec(source);
  return match === null ? 0 : source.slice(0, match.index).split('\n').length;
}

function validate(exported: Exported, entry: string, source: string): KindeWorkflowSettings {
  const settingsLine =
    lineOf(source, /\bexport\s+(?:const|let|var)\s+workflowSettings\b/) || lineOf(source, /\bworkflowSettings\b/);
  const fail = (code: WorkflowCompileErrorCode, text: string, line = settingsLine): never => {
    throw new WorkflowCompileError(code, [{ file: entry, line, column: line > 0 ? 1 : 0, text }]);
  };
  const s = exported.settings;
  if (!exported.hasSettings || s === null || typeof s !== 'object' || Array.isArray(s)) {
    fail(
      'settings',
      'the workflow must export a "workflowSettings" object (export const workflowSettings = { id, trigger, ... })',
      0,
    );
  }
  const settings = s as Record<string, unknown>;
  if (typeof settings.id !== 'string' || settings.id.trim() === '') {
    fail('settings', 'workflowSettings.id must be a non-empty string');
  }
  if (settings.name !== undefined && typeof settings.name !== 'string') {
    fail('settings', 'workflowSettings.name must be a string when present');
  }
  if (settings.trigger !== KINDE_M2M_TRIGGER) {
    const hint = settings.trigger === 'm2m:tokens_generation' ? ` (did you mean "${KINDE_M2M_TRIGGER}"?)` : '';
    fail(
      'trigger',
      `workflowSettings.trigger is ${JSON.stringify(settings.trigger)}${hint}: Minter only runs "${KINDE_M2M_TRIGGER}" workflows (WorkflowTrigger.M2MTokenGeneration)`,
      lineOf(source, /\btrigger\s*:/) || settingsLine,
    );
  }
  let failurePolicy: 'stop' | 'continue' = 'stop';
  if (settings.failurePolicy !== undefined) {
    const action = (settings.failurePolicy as { action?: unknown } | null)?.action;
    if (action !== 'stop' && action !== 'continue') {
      fail(
        'settings',
        'workflowSettings.failurePolicy.action must be "stop" or "continue"',
        lineOf(source, /\bfailurePolicy\b/) || settingsLine,
      );
    }
    failurePolicy = action as 'stop' | 'continue';
  }
  const bindings = settings.bindings ?? {};
  if (bindings === null || typeof bindings !== 'object' || Array.isArray(bindings)) {
    fail('settings', 'workflowSettings.bindings must be an object such as { "kinde.m2mToken": {} }');
  }
  const names = Object.keys(bindings as object);
  const unknown = names.filter((n) => !KNOWN_BINDINGS.has(n));
  if (unknown.length > 0) {
    fail(
      'settings',
      `unknown binding ${unknown.map((n) => JSON.stringify(n)).join(', ')} in workflowSettings.bindings; known: ${[...KNOWN_BINDINGS].join(', ')}`,
      lineOf(source, /\bbindings\s*:/) || settingsLine,
    );
  }
  if (exported.defaultType !== 'function' && exported.handleType !== 'function') {
    fail(
      'default_export',
      'the workflow must have a default export: an async function (export default async function Workflow(event) {}) or an object with a handle function',
      lineOf(source, /\bexport\s+default\b/),
    );
  }
  return {
    id: settings.id as string,
    ...(typeof settings.name === 'string' ? { name: settings.name } : {}),
    trigger: KINDE_M2M_TRIGGER,
    failurePolicy,
    bindings: names,
  };
}
