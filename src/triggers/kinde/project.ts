/**
 * Reads a Kinde project folder — the git repository Kinde syncs workflows from (notes §4.1) — into sources that
 * {@link compileKindeWorkflow} accepts. Used by `minter deploy-workflows <dir>`:
 *
 * ```ts
 * for (const source of await readKindeProject(dir)) {
 *   const { code, settings } = await compileKindeWorkflow(source); // throws WorkflowCompileError
 *   // …create/deploy the action and bind it to m2m:token_generation
 * }
 * ```
 * or `compileKindeProject(dir)` for both steps plus the duplicate-id check.
 *
 * Kinde refuses a sync with more than one workflow per trigger, so all M2M logic must live in one file there.
 * Minter allows several `m2m:token_generation` workflows: they run one after the other in binding order (after any
 * Auth0 `credentials-exchange` actions), each seeing the claims the previous ones set. Workflow ids must still be
 * unique, as on Kinde.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import {
  compileKindeWorkflow,
  WorkflowCompileError,
  type CompiledKindeWorkflow,
  type KindeWorkflowSource,
} from './compile.js';

/** Kinde's default `rootDir` in `kinde.json`. */
const DEFAULT_ROOT_DIR = 'kindeSrc';
/** `*Workflow.{ts,js,tsx,jsx}`, suffix case-insensitive (workflows-runtime `maybeAddWorkflow`). */
const WORKFLOW_FILE = /workflow\.(ts|js|tsx|jsx)$/i;
/** Files a workflow may import. */
const SOURCE_FILE = /\.(ts|tsx|js|jsx|mjs|cjs|mts|cts|json)$/i;
/** Guard against pointing the CLI at a huge tree: 10 MiB of sources in total. */
const MAX_TOTAL_BYTES = 10 * 1024 * 1024;

/** One workflow found in a project, with its compile result. */
export interface CompiledProjectWorkflow extends KindeWorkflowSource {
  compiled: CompiledKindeWorkflow;
}

/**
 * Find every workflow of a Kinde project. `root` is the folder holding `kinde.json` (its `rootDir`, default
 * `kindeSrc`, is honoured); without `kinde.json`, `root` is taken as the project root, or as the `rootDir` itself
 * when it directly contains `environment/workflows`. Paths in the result are relative to the project root and use
 * `/`. Each workflow gets every source file under `rootDir` (the same object, shared), so its relative imports
 * resolve; the bundler only reads the ones it imports. Sorted by entry path.
 */
export async function readKindeProject(root: string): Promise<KindeWorkflowSource[]> {
  const rootDir = await findRootDir(root);
  const workflowsDir = posix.join(rootDir, 'environment', 'workflows');
  if (!(await isDirectory(join(root, workflowsDir)))) {
    throw new Error(
      `no ${workflowsDir} folder in ${root} (expected a Kinde project: kinde.json + ${DEFAULT_ROOT_DIR}/environment/workflows)`,
    );
  }
  const paths = await listFiles(root, rootDir);
  const files: Record<string, string> = {};
  let total = 0;
  for (const path of paths) {
    const source = await readFile(join(root, path), 'utf8');
    total += Buffer.byteLength(source);
    if (total > MAX_TOTAL_BYTES) throw new Error(`${root}: sources under ${rootDir} exceed ${MAX_TOTAL_BYTES} bytes`);
    files[path] = source;
  }
  const prefix = `${workflowsDir}/`;
  return paths
    .filter((p) => p.startsWith(prefix) && WORKFLOW_FILE.test(posix.basename(p)))
    .map((entry) => ({ entry, files }));
}

/**
 * Read and compile every workflow of a project.
 * @throws {WorkflowCompileError} for the first workflow that does not compile, or when two share an id.
 */
export async function compileKindeProject(root: string): Promise<CompiledProjectWorkflow[]> {
  const out: CompiledProjectWorkflow[] = [];
  const byId = new Map<string, string>();
  for (const source of await readKindeProject(root)) {
    const compiled = await compileKindeWorkflow(source);
    const other = byId.get(compiled.settings.id);
    if (other !== undefined) {
      throw new WorkflowCompileError('settings', [
        {
          file: source.entry,
          line: 0,
          column: 0,
          text: `workflow id "${compiled.settings.id}" is also used by ${other}`,
        },
      ]);
    }
    byId.set(compiled.settings.id, source.entry);
    out.push({ ...source, compiled });
  }
  return out;
}

/** `rootDir` relative to `root`, `/`-separated ('.' when `root` is the rootDir itself). */
async function findRootDir(root: string): Promise<string> {
  let config: unknown;
  try {
    config = JSON.parse(await readFile(join(root, 'kinde.json'), 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(`${join(root, 'kinde.json')}: ${(error as Error).message}`, { cause: error });
    }
    if (await isDirectory(join(root, DEFAULT_ROOT_DIR))) return DEFAULT_ROOT_DIR;
    return (await isDirectory(join(root, 'environment', 'workflows'))) ? '.' : DEFAULT_ROOT_DIR;
  }
  const rootDir = (config as { rootDir?: unknown } | null)?.rootDir ?? DEFAULT_ROOT_DIR;
  if (typeof rootDir !== 'string' || rootDir.trim() === '') {
    throw new Error(`${join(root, 'kinde.json')}: rootDir must be a non-empty string`);
  }
  const normalized = posix.normalize(rootDir.replace(/\\/g, '/')).replace(/\/+$/, '');
  if (normalized.startsWith('..') || posix.isAbsolute(normalized)) {
    throw new Error(`${join(root, 'kinde.json')}: rootDir must stay inside the project (got ${rootDir})`);
  }
  return normalized;
}

/** Source files under `root/dir`, relative to `root`, `/`-separated, sorted; skips `node_modules` and dot-entries. */
async function listFiles(root: string, dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const e of await readdir(join(root, rel), { withFileTypes: true })) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const path = rel === '.' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) await walk(path);
      else if (e.isFile() && SOURCE_FILE.test(e.name) && !/\.d\.[mc]?ts$/i.test(e.name)) out.push(path);
    }
  };
  await walk(dir);
  return out.sort();
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
