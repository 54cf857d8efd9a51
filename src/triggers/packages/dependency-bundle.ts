/**
 * Bundles an action's installed dependencies with esbuild into CommonJS module bodies, each exporting a table of
 * loaders (`exports["lodash"] = () => require_lodash()`), so that a package's code runs only when the action first
 * requires it, as on Node. Node built-ins stay outside the bundle (`require("crypto")`), for the isolate's own
 * `require` (auth0/node-builtins.ts).
 *
 * Which build of a package: the isolate is neither Node nor a browser, so each entry is bundled twice if need be.
 * Its Node build (conditions `node`, `require`; `main` before `module`) when every built-in that build reaches is one
 * the isolate provides; otherwise its browser build (`browser` conditions and field: axios and the `auth0` SDK then
 * use `fetch` instead of `http`, `zlib` and `fs`) when that one reaches none the isolate lacks; otherwise the Node
 * build, unless it reaches a refused built-in (`fs`, `net`, …), then the browser build, unless that one does too:
 * then the deploy fails naming the module, the package that requires it, and what to use instead.
 */
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { builtinKind, builtinOf, refusedBuiltinMessage } from '../auth0/node-builtins.js';
import { DependencyError } from './dependency-error.js';
import { packageOf } from './dependency-spec.js';

/** One module the bundle can load: a declared package or a path into it the action requires. */
export interface BundleEntry {
  specifier: string;
  /** Folder whose `node_modules` holds its package (the install, package-installer.ts). */
  dir: string;
  /** Only declared, not required by the action's code: left out, rather than failing, when it cannot be loaded. */
  optional: boolean;
}

type Mode = 'node' | 'browser';

/** What one esbuild run made and what each of its entries reaches. */
interface Run {
  code: string;
  /** Entry specifier → built-ins its module graph requires (base names). */
  builtins: Map<string, Set<string>>;
  /** Built-in → packages whose code requires it. */
  requiredBy: Map<string, Set<string>>;
  /** Optional entries that could not be resolved. */
  missing: Set<string>;
}

const STDIN = '<stdin>';
const SKIP = Symbol('minter-resolving');

/** The package a file in node_modules belongs to (the innermost `node_modules/<pkg>`). */
function packageOfFile(path: string): string {
  const at = path.lastIndexOf('node_modules/');
  return at < 0 ? path : packageOf(path.slice(at + 'node_modules/'.length));
}

function options(mode: Mode): esbuild.BuildOptions {
  const common: esbuild.BuildOptions = {
    bundle: true,
    write: false,
    format: 'cjs',
    metafile: true,
    logLevel: 'silent',
    charset: 'ascii',
    legalComments: 'none',
    // Packages read these; the isolate has no `process`, and Node's `global` is `globalThis`.
    define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
  };
  return mode === 'node'
    ? { ...common, platform: 'neutral', mainFields: ['main', 'module'], conditions: ['node'] }
    : { ...common, platform: 'browser' };
}

async function run(entries: BundleEntry[], mode: Mode, root: string): Promise<Run> {
  const dirOf = new Map(entries.map((e) => [e.specifier, e]));
  const requiredBy = new Map<string, Set<string>>();
  const missing = new Set<string>();
  // esbuild names the entry's importer after its resolve folder.
  const stdin = join(root, STDIN);
  const plugin: esbuild.Plugin = {
    name: 'minter-dependencies',
    setup(build) {
      build.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData === SKIP) return undefined;
        if (args.importer === stdin) {
          const entry = dirOf.get(args.path)!;
          const found = await build.resolve(args.path, { kind: args.kind, resolveDir: entry.dir, pluginData: SKIP });
          if (found.errors.length === 0) return found;
          if (!entry.optional)
            throw new DependencyError(packageOf(args.path), `cannot load "${args.path}": ${found.errors[0]!.text}`);
          missing.add(args.path);
          return { path: args.path, external: true };
        }
        const builtin = builtinOf(args.path);
        if (builtin === undefined) return undefined;
        // A browser build may map a built-in away (`"browser": {"fs": false}`) or to a package it depends on.
        if (mode === 'browser' && !args.path.startsWith('node:')) {
          const found = await build.resolve(args.path, {
            kind: args.kind,
            resolveDir: args.resolveDir,
            importer: args.importer,
            pluginData: SKIP,
          });
          if (found.errors.length === 0 && !found.external) return found;
        }
        let packages = requiredBy.get(builtin);
        if (!packages) requiredBy.set(builtin, (packages = new Set()));
        packages.add(packageOfFile(args.importer));
        return { path: args.path.replace(/^node:/, ''), external: true };
      });
    },
  };
  const contents = entries
    .map(
      (e) =>
        `exports[${JSON.stringify(e.specifier)}] = function () { return require(${JSON.stringify(e.specifier)}); };`,
    )
    .join('\n');
  let result: esbuild.BuildResult & { metafile: esbuild.Metafile; outputFiles: esbuild.OutputFile[] };
  try {
    result = (await esbuild.build({
      ...options(mode),
      absWorkingDir: root,
      stdin: { contents, resolveDir: root, loader: 'js', sourcefile: STDIN },
      plugins: [plugin],
    })) as typeof result;
  } catch (error) {
    throw bundleFailure(error);
  }
  return { code: result.outputFiles[0]!.text, builtins: reachedBuiltins(result.metafile), requiredBy, missing };
}

/** An esbuild failure as the package it happened in and why (a native add-on said plainly). */
function bundleFailure(error: unknown): unknown {
  const failure = error as { errors?: esbuild.Message[] };
  const first = failure.errors?.[0];
  if (!first) return error;
  if (first.detail instanceof DependencyError) return first.detail;
  const file = first.location?.file ?? '';
  const name = file ? packageOfFile(file) : 'dependencies';
  if (/\.node\b/.test(first.text))
    return new DependencyError(name, 'it needs a native add-on (a .node file), which actions cannot load');
  const where = first.location ? ` (${file.slice(file.lastIndexOf('node_modules/'))}:${first.location.line})` : '';
  return new DependencyError(name, `cannot be bundled: ${first.text}${where}`);
}

/** For each entry, the built-ins its module graph reaches (metafile imports, followed from the entry's file). */
function reachedBuiltins(metafile: esbuild.Metafile): Map<string, Set<string>> {
  const reached = new Map<string, Set<string>>();
  for (const entry of metafile.inputs[STDIN]?.imports ?? []) {
    if (entry.external || !entry.original) continue;
    const builtins = new Set<string>();
    const seen = new Set([entry.path]);
    const pending = [entry.path];
    while (pending.length > 0) {
      for (const imported of metafile.inputs[pending.pop()!]?.imports ?? []) {
        if (imported.external) {
          const builtin = builtinOf(imported.path);
          if (builtin !== undefined) builtins.add(builtin);
        } else if (!seen.has(imported.path)) {
          seen.add(imported.path);
          pending.push(imported.path);
        }
      }
    }
    reached.set(entry.original, builtins);
  }
  return reached;
}

const allProvided = (builtins: Set<string> | undefined) =>
  [...(builtins ?? [])].every((b) => builtinKind(b) === 'provided');
const refusedIn = (builtins: Set<string> | undefined) =>
  [...(builtins ?? [])].find((b) => builtinKind(b) === 'refused');

/** The refusal of an entry both of whose builds need a refused built-in. */
function refusal(entry: BundleEntry, builtin: string, requiredBy: Map<string, Set<string>>): DependencyError {
  const name = packageOf(entry.specifier);
  const by = [...(requiredBy.get(builtin) ?? [])].filter((p) => p !== name);
  const through = by.length > 0 ? ` (through ${by.slice(0, 3).join(', ')})` : '';
  return new DependencyError(name, `its code requires "${builtin}"${through}; ${refusedBuiltinMessage(builtin)}`);
}

/**
 * Bundles `entries` (each from its own install under `root`); returns one or two CommonJS module bodies whose
 * `exports` together map every loadable entry to its loader. @throws {DependencyError}
 */
export async function bundleDependencies(entries: BundleEntry[], root: string): Promise<string[]> {
  if (entries.length === 0) return [];
  const node = await run(entries, 'node', root);
  const present = entries.filter((e) => !node.missing.has(e.specifier));
  const other = present.filter((e) => !allProvided(node.builtins.get(e.specifier)));
  const browser = other.length > 0 ? await run(other, 'browser', root) : undefined;
  const modes = new Map<string, Mode>();
  for (const entry of present) {
    const fromNode = node.builtins.get(entry.specifier);
    const fromBrowser = browser?.builtins.get(entry.specifier);
    let mode: Mode;
    if (allProvided(fromNode)) mode = 'node';
    else if (browser && !browser.missing.has(entry.specifier) && allProvided(fromBrowser)) mode = 'browser';
    else if (!refusedIn(fromNode)) mode = 'node';
    else if (browser && !browser.missing.has(entry.specifier) && !refusedIn(fromBrowser)) mode = 'browser';
    else throw refusal(entry, refusedIn(fromNode)!, node.requiredBy);
    modes.set(entry.specifier, mode);
  }
  const inMode = (mode: Mode) => present.filter((e) => modes.get(e.specifier) === mode);
  const same = (a: BundleEntry[], b: BundleEntry[]) => a.length === b.length && a.every((e, i) => e === b[i]);
  const bodies: string[] = [];
  const nodeEntries = inMode('node');
  if (nodeEntries.length > 0)
    bodies.push(same(nodeEntries, entries) ? node.code : (await run(nodeEntries, 'node', root)).code);
  const browserEntries = inMode('browser');
  if (browserEntries.length > 0)
    bodies.push(same(browserEntries, other) ? browser!.code : (await run(browserEntries, 'browser', root)).code);
  return bodies;
}
