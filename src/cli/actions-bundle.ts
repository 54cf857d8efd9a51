/**
 * `minter actions bundle` and `minter actions upload`: an Auth0 action with npm dependencies, for a Minter that cannot
 * reach the npm registry. `bundle` runs where the registry is reachable: it installs and bundles exactly as a deploy
 * does (triggers/packages/) and writes `{code, dependencies, bundle}`, a body the management API takes on
 * `POST`/`PATCH /api/v2/actions/actions`. `upload` sends that file to a Minter, creating or updating the action by
 * name, and deploys it; the deploy then uses the bundle and installs nothing.
 *
 * Sources: a file (its dependencies from `--dependency name@version`), or a folder with a `package.json` whose `main`
 * (else `index.js`, else `action.js`) is the action and whose `dependencies` are its dependencies. Installs are cached
 * in MINTER_ACTIONS_DEPS_CACHE (default `~/.cache/minter/npm-cache`); the registry is MINTER_NPM_REGISTRY or npm's.
 */
import { existsSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ActionBuildError } from '../triggers/action-build.js';
import { ActionPackager } from '../triggers/packages/action-packager.js';
import { BUNDLE_FORMAT, type UploadedBundle } from '../triggers/packages/action-bundle.js';
import { invalidDependency, normalizeDependencies, type Dependency } from '../triggers/packages/dependency-spec.js';
import { CliError, connect } from './management-client.js';

export const ACTIONS_USAGE = `       minter actions bundle <action.js | folder> [--dependency NAME@VERSION]... [--out FILE]
       minter actions upload <bundle.json> --name NAME [--url URL] [--client-id ID] [--client-secret SECRET]`;

/** What `bundle` writes and `upload` sends. */
interface BundleFile {
  code: string;
  dependencies: Array<{ name: string; version: string }>;
  bundle: UploadedBundle;
}

const MB = 1024 * 1024;

/** `lodash@4.17.21`, `@scope/pkg@^1`, `uuid` (latest). */
function parseDependency(text: string): Dependency {
  const at = text.lastIndexOf('@');
  return at > 0 ? { name: text.slice(0, at), version: text.slice(at + 1) } : { name: text, version: 'latest' };
}

/** The action's code and declared dependencies from a file or a folder. */
async function readSource(path: string, extra: string[]): Promise<{ code: string; dependencies: Dependency[] }> {
  let file = path;
  let declared: Dependency[] = [];
  if ((await stat(path)).isDirectory()) {
    const manifestPath = join(path, 'package.json');
    const manifest = existsSync(manifestPath)
      ? (JSON.parse(await readFile(manifestPath, 'utf8')) as { main?: string; dependencies?: Record<string, string> })
      : {};
    declared = Object.entries(manifest.dependencies ?? {}).map(([name, version]) => ({ name, version }));
    file = join(path, manifest.main ?? (existsSync(join(path, 'index.js')) ? 'index.js' : 'action.js'));
  }
  const byName = new Map(declared.map((d) => [d.name, d]));
  for (const d of extra.map(parseDependency)) byName.set(d.name, d);
  const dependencies = normalizeDependencies([...byName.values()]);
  for (const d of dependencies) {
    const invalid = invalidDependency(d);
    if (invalid) throw new CliError(`dependency ${invalid}`);
  }
  return { code: await readFile(file, 'utf8'), dependencies };
}

async function bundle(path: string, options: { dependency: string[]; out?: string }): Promise<void> {
  const env = process.env;
  const packager = new ActionPackager({
    cacheDir: env.MINTER_ACTIONS_DEPS_CACHE ?? join(homedir(), '.cache', 'minter', 'npm-cache'),
    registry: env.MINTER_NPM_REGISTRY ?? env.npm_config_registry ?? undefined,
    timeoutMs: Number(env.MINTER_ACTIONS_DEPS_TIMEOUT_MS ?? 120_000),
    maxBytes: Number(env.MINTER_ACTIONS_DEPS_MAX_MB ?? 50) * MB,
    maxPackages: Number(env.MINTER_ACTIONS_DEPS_MAX_PACKAGES ?? 300),
  });
  const source = await readSource(path, options.dependency);
  let packaged;
  try {
    packaged = await packager.package(source.code, source.dependencies);
  } catch (error) {
    if (error instanceof ActionBuildError)
      throw new CliError(`${path}:${error.line}:${error.column}: ${error.message}`);
    throw error;
  }
  const { compiled, dependencies, packages } = packaged;
  const file: BundleFile = {
    code: source.code,
    dependencies,
    bundle: { format: BUNDLE_FORMAT, dependencies, packages, compiled },
  };
  const json = JSON.stringify(file) + '\n';
  if (options.out) await writeFile(options.out, json);
  else process.stdout.write(json);
  const summary = dependencies.map((d) => `${d.name}@${d.version}`).join(', ') || 'no dependencies';
  console.error(
    `bundled ${summary}: ${packages.length} package(s), ${(compiled.length / 1024).toFixed(0)} KB` +
      (options.out ? ` → ${options.out}` : ''),
  );
}

async function upload(path: string, options: { name?: string; url: string; clientId?: string; clientSecret?: string }) {
  if (!options.name) throw new CliError('--name NAME is required: the action to create or update');
  const file = JSON.parse(await readFile(path, 'utf8')) as BundleFile;
  if (file.bundle?.format !== BUNDLE_FORMAT)
    throw new CliError(`${path} is not a file written by minter actions bundle`);
  const call = await connect(options);
  const listed = await call('GET', `/actions/actions?actionName=${encodeURIComponent(options.name)}`);
  const existing = listed.actions[0] as { id: string; supported_triggers: Array<{ id: string }> } | undefined;
  if (existing && existing.supported_triggers[0]!.id !== 'credentials-exchange')
    throw new CliError(`an action named "${options.name}" exists for ${existing.supported_triggers[0]!.id}`);
  const body = { code: file.code, dependencies: file.dependencies, bundle: file.bundle };
  const action = existing
    ? await call('PATCH', `/actions/actions/${existing.id}`, body)
    : await call('POST', '/actions/actions', {
        name: options.name,
        supported_triggers: [{ id: 'credentials-exchange', version: 'v2' }],
        ...body,
      });
  const version = await call('POST', `/actions/actions/${action.id}/deploy`);
  console.log(`deployed "${options.name}" (${action.id}) as version ${version.number}`);
}

/** `minter actions <bundle | upload> …`. */
export async function actionsCommand(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      dependency: { type: 'string', multiple: true, default: [] },
      out: { type: 'string' },
      name: { type: 'string' },
      url: { type: 'string' },
      'client-id': { type: 'string' },
      'client-secret': { type: 'string' },
      audience: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, path] = positionals;
  if (command === 'bundle' && path && !values.help)
    return bundle(path, { dependency: values.dependency!, out: values.out });
  if (command === 'upload' && path && !values.help) {
    return upload(path, {
      name: values.name,
      url: values.url ?? process.env.MINTER_URL ?? 'http://localhost:3000',
      clientId: values['client-id'] ?? process.env.MINTER_ADMIN_CLIENT_ID,
      clientSecret: values['client-secret'] ?? process.env.MINTER_ADMIN_CLIENT_SECRET,
      ...(values.audience && { audience: values.audience }),
    });
  }
  console.log(`usage:\n${ACTIONS_USAGE}`);
  if (!values.help) process.exitCode = 2;
}
