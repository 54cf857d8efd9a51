/**
 * Installs one declared dependency from the npm registry into Minter's cache, one folder per package and exact
 * version (`<cache>/lodash@4.17.21/node_modules/…`), and reuses that folder for every later deploy that asks for the
 * same version. A range or a dist-tag (`^4`, `latest`) is resolved first, by npm itself (`--package-lock-only`), so
 * that it reaches the same folder when the version it names is already there. Nothing of a package runs
 * (`--ignore-scripts`); npm's lockfile gives the exact version of every package installed, transitive ones included.
 *
 * An install is made in a private folder and renamed into place once complete (with a `minter-install.json` marker),
 * so that two deploys at once, or a crash half-way, never leave a half-installed package in use.
 */
import { lstat, mkdir, mkdtemp, opendir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DependencyError } from './dependency-error.js';
import { isExactVersion, type Dependency, type PackageVersion } from './dependency-spec.js';
import { NpmFailure, runNpm, type NpmSettings } from './npm-command.js';

/** One declared dependency as installed. */
export interface InstalledDependency {
  name: string;
  /** The exact version the declared one resolved to. */
  version: string;
  /** Folder holding its `node_modules`. */
  dir: string;
  /** Every package installed for it (itself included), exact versions. */
  packages: PackageVersion[];
  /** Bytes of its `node_modules` on disk. */
  bytes: number;
}

export interface InstallerSettings {
  /** The cache folder (MINTER_ACTIONS_DEPS_CACHE). */
  cacheDir: string;
  registry?: string;
  /** Deadline of one npm run (ms). */
  timeoutMs: number;
}

const MARKER = 'minter-install.json';
const MANIFEST = JSON.stringify({ name: 'minter-action-dependency', private: true }) + '\n';

/** Bytes of the files under `dir` (links counted as themselves). */
async function sizeOf(dir: string): Promise<number> {
  let bytes = 0;
  const pending = [dir];
  while (pending.length > 0) {
    const current = pending.pop()!;
    for await (const entry of await opendir(current)) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) pending.push(path);
      else bytes += (await lstat(path)).size;
    }
  }
  return bytes;
}

/** Every package of npm's lockfile (v2/v3 `packages`), with its exact version. */
async function lockedPackages(dir: string): Promise<PackageVersion[]> {
  const lock = JSON.parse(await readFile(join(dir, 'package-lock.json'), 'utf8')) as {
    packages?: Record<string, { version?: string; name?: string }>;
  };
  return Object.entries(lock.packages ?? {})
    .filter(([path]) => path.startsWith('node_modules/'))
    .map(([path, entry]) => ({
      name: entry.name ?? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length),
      version: entry.version ?? '',
    }));
}

async function readMarker(dir: string): Promise<InstalledDependency | undefined> {
  try {
    const marker = JSON.parse(await readFile(join(dir, MARKER), 'utf8')) as Omit<InstalledDependency, 'dir'>;
    return { ...marker, dir };
  } catch {
    return undefined;
  }
}

export class PackageInstaller {
  readonly #settings: InstallerSettings;
  readonly #npm: NpmSettings;
  /** Installs under way, by `name@version` as declared: a second deploy waits for the first. */
  readonly #running = new Map<string, Promise<InstalledDependency>>();

  constructor(settings: InstallerSettings) {
    this.#settings = settings;
    this.#npm = {
      registry: settings.registry,
      timeoutMs: settings.timeoutMs,
      cacheDir: join(settings.cacheDir, '_npm'),
    };
  }

  /** The cache folder of an exact version (`@scope/pkg` is kept as `@scope+pkg`). */
  folderOf(name: string, version: string): string {
    return join(this.#settings.cacheDir, `${name.replace('/', '+')}@${version}`);
  }

  /** Installs `dependency`, or finds it installed. @throws {DependencyError} naming the package and why. */
  install(dependency: Dependency): Promise<InstalledDependency> {
    const key = `${dependency.name}@${dependency.version}`;
    let running = this.#running.get(key);
    if (!running) {
      running = this.#install(dependency).finally(() => this.#running.delete(key));
      this.#running.set(key, running);
    }
    return running;
  }

  async #install({ name, version }: Dependency): Promise<InstalledDependency> {
    if (isExactVersion(version)) {
      const cached = await readMarker(this.folderOf(name, version));
      if (cached) return cached;
    }
    await mkdir(this.#settings.cacheDir, { recursive: true });
    const work = await mkdtemp(join(this.#settings.cacheDir, '.install-'));
    try {
      await writeFile(join(work, 'package.json'), MANIFEST);
      let exact = version;
      if (!isExactVersion(version)) {
        await this.#run(name, ['install', '--package-lock-only', '--omit=dev', `${name}@${version}`], work);
        exact = (await lockedPackages(work)).find((p) => p.name === name)?.version ?? '';
        if (!exact) throw new DependencyError(name, `npm resolved ${version} to no version`);
        const cached = await readMarker(this.folderOf(name, exact));
        if (cached) return cached;
        await this.#run(name, ['install', '--omit=dev'], work);
      } else {
        await this.#run(name, ['install', '--omit=dev', `${name}@${exact}`], work);
      }
      const packages = await lockedPackages(work);
      const installed = { name, version: exact, packages, bytes: await sizeOf(join(work, 'node_modules')) };
      await writeFile(join(work, MARKER), JSON.stringify(installed) + '\n');
      return await this.#place(work, installed);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  async #run(name: string, args: string[], cwd: string): Promise<void> {
    try {
      await runNpm(args, cwd, this.#npm);
    } catch (error) {
      if (error instanceof NpmFailure) throw new DependencyError(name, error.message);
      throw error;
    }
  }

  /** Renames the finished install into place; another deploy's finished copy, if it won, is used instead. */
  async #place(work: string, installed: Omit<InstalledDependency, 'dir'>): Promise<InstalledDependency> {
    const final = this.folderOf(installed.name, installed.version);
    const existing = await readMarker(final);
    if (existing) return existing;
    // A folder without its marker is an install that never finished: replaced.
    await rm(final, { recursive: true, force: true });
    try {
      await rename(work, final);
    } catch (error) {
      const won = await readMarker(final);
      if (won) return won;
      throw error;
    }
    return { ...installed, dir: final };
  }
}
