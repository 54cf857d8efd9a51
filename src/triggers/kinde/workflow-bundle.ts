/**
 * Bundles a workflow's files with esbuild into one CommonJS file, as Kinde's own pipeline does (notes §4.1,
 * workflows-runtime `workflowBundler`): the files are a virtual file system, `@kinde/infrastructure` is Minter's
 * own, and any other package is refused with the file and line that imports it.
 */
import { posix } from 'node:path';
import * as esbuild from 'esbuild';
import { KINDE_INFRASTRUCTURE_SOURCE, KINDE_INFRASTRUCTURE_SPECIFIER } from './infrastructure/source.js';
import { WorkflowCompileError, type CompileDiagnostic } from './workflow.js';

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

/** A path as the bundler keys it: `/`-separated, relative, normalised. */
export function normalizePath(path: string): string {
  return posix
    .normalize(path.replace(/\\/g, '/'))
    .replace(/^(\.\/)+/, '')
    .replace(/^\/+/, '');
}

export function normalizeFiles(files: Record<string, string>): Record<string, string> {
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

/** One CommonJS file from `files`, starting at `entry`, and the paths of the files it took (the entry first). */
export async function bundle(
  files: Record<string, string>,
  entry: string,
): Promise<{ code: string; inputs: string[] }> {
  let result: esbuild.BuildResult<{ write: false }>;
  try {
    result = await esbuild.build({
      entryPoints: [entry],
      bundle: true,
      format: 'cjs',
      platform: 'neutral',
      target: 'es2020',
      write: false,
      metafile: true,
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
  const inputs = Object.keys(result.metafile?.inputs ?? {})
    .filter((path) => path.startsWith(`${VFS}:`))
    .map((path) => path.slice(VFS.length + 1));
  return { code: output.text, inputs: [entry, ...inputs.filter((path) => path !== entry).sort()] };
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
