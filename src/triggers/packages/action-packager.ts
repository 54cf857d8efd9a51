/**
 * Turns an Auth0 action's code and declared npm dependencies into the module the isolate runs, at deploy, in the
 * server process: it checks what the code requires (a refused Node built-in, a relative path or an undeclared package
 * fails here, naming it), installs the dependencies from the registry (package-installer.ts) within the size and
 * count limits, and bundles them behind the code (dependency-bundle.ts, action-bundle.ts). Every failure is a
 * {@link DependencyError} naming the package or module and why, or an {@link ActionBuildError} for code esbuild
 * cannot read.
 */
import { ActionBuildError } from '../action-build.js';
import { builtinOf } from '../auth0/node-builtins.js';
import { assembleModule } from './action-bundle.js';
import { bundleDependencies, type BundleEntry } from './dependency-bundle.js';
import { DependencyError } from './dependency-error.js';
import { isPathSpecifier, packageOf, type Dependency, type PackageVersion } from './dependency-spec.js';
import { PackageInstaller, type InstalledDependency } from './package-installer.js';
import { scanRequires, type RequiredModule } from './require-scan.js';

export interface PackagerSettings {
  /** Install cache (MINTER_ACTIONS_DEPS_CACHE). */
  cacheDir: string;
  /** Registry URL (MINTER_NPM_REGISTRY, npm_config_registry), else npm's own configuration. */
  registry?: string;
  /** Deadline of one npm run (ms). */
  timeoutMs: number;
  /** Bytes all of an action's installs may take on disk, and packages they may count. */
  maxBytes: number;
  maxPackages: number;
}

/** An action made runnable. */
export interface PackagedAction {
  /** What the isolate compiles: the code itself when there are no dependencies. */
  compiled: string;
  /** The declared dependencies, each with the exact version it resolved to. */
  dependencies: PackageVersion[];
  /** Every package installed (transitive ones included), by name. */
  packages: PackageVersion[];
}

const MB = 1024 * 1024;

/** What the code requires, checked against the declared dependencies. */
function checkRequires(required: RequiredModule[], declared: ReadonlySet<string>): RequiredModule[] {
  const packages: RequiredModule[] = [];
  for (const module of required) {
    const at = module.line ? `required at line ${module.line}; ` : '';
    const builtin = builtinOf(module.specifier);
    if (builtin !== undefined) {
      // A built-in the operator's own code requires is the build check's (action-build.ts): a build_failed at its
      // line and column, with or without dependencies.
      continue;
    } else if (isPathSpecifier(module.specifier)) {
      throw new DependencyError(module.specifier, `${at}an action is one file: require packages by name`);
    } else if (!declared.has(packageOf(module.specifier))) {
      const name = packageOf(module.specifier);
      throw new DependencyError(
        name,
        `${at}the package is not among the action's dependencies: add {"name": "${name}", "version": "…"}`,
      );
    } else {
      packages.push(module);
    }
  }
  return packages;
}

export class ActionPackager {
  readonly #settings: PackagerSettings;
  readonly #installer: PackageInstaller;

  constructor(settings: PackagerSettings) {
    this.#settings = settings;
    this.#installer = new PackageInstaller(settings);
  }

  /**
   * Checks what `code` requires against `dependencies`, without installing: the modules it requires from them.
   * Code esbuild cannot read fails only when there are dependencies to bundle with it; without, the build check in
   * the isolate reports the syntax error in V8's words, as it always has.
   */
  async check(code: string, dependencies: readonly Dependency[]): Promise<RequiredModule[]> {
    const scanned = await scanRequires(code);
    if (Array.isArray(scanned)) return checkRequires(scanned, new Set(dependencies.map((d) => d.name)));
    if (dependencies.length === 0) return [];
    throw new ActionBuildError(`SyntaxError: ${scanned.message}`, 'action.js', scanned.line, scanned.column);
  }

  /** Checks, installs and bundles; `dependencies` must be valid (dependency-spec.ts) and normalized. */
  async package(code: string, dependencies: readonly Dependency[]): Promise<PackagedAction> {
    const required = await this.check(code, dependencies);
    if (dependencies.length === 0) return { compiled: code, dependencies: [], packages: [] };

    const installed = await Promise.all(dependencies.map((d) => this.#installer.install(d)));
    const packages = this.#withinLimits(installed);
    const dirOf = new Map(installed.map((i) => [i.name, i.dir]));
    const entries: BundleEntry[] = [
      ...installed.map((i) => ({
        specifier: i.name,
        dir: i.dir,
        optional: !required.some((r) => r.specifier === i.name),
      })),
      ...required
        .filter((r) => !dirOf.has(r.specifier))
        .map((r) => ({ specifier: r.specifier, dir: dirOf.get(packageOf(r.specifier))!, optional: false })),
    ];
    const bodies = await bundleDependencies(entries, this.#settings.cacheDir);
    return {
      compiled: assembleModule(code, bodies),
      dependencies: installed.map((i) => ({ name: i.name, version: i.version })),
      packages,
    };
  }

  /** Every package of the installs, once each; refuses a set past the size or count limit. */
  #withinLimits(installed: InstalledDependency[]): PackageVersion[] {
    const unique = new Map<string, PackageVersion>();
    for (const i of installed) for (const p of i.packages) unique.set(`${p.name}@${p.version}`, p);
    const largest = installed.reduce((a, b) => (b.bytes > a.bytes ? b : a));
    if (unique.size > this.#settings.maxPackages) {
      throw new DependencyError(
        largest.name,
        `the dependencies install ${unique.size} packages, more than the limit of ${this.#settings.maxPackages} ` +
          `(MINTER_ACTIONS_DEPS_MAX_PACKAGES); ${largest.name} alone installs ${largest.packages.length}`,
      );
    }
    const bytes = installed.reduce((sum, i) => sum + i.bytes, 0);
    if (bytes > this.#settings.maxBytes) {
      throw new DependencyError(
        largest.name,
        `the dependencies take ${(bytes / MB).toFixed(1)} MB installed, more than the limit of ` +
          `${Math.round(this.#settings.maxBytes / MB)} MB (MINTER_ACTIONS_DEPS_MAX_MB); ` +
          `${largest.name} alone takes ${(largest.bytes / MB).toFixed(1)} MB`,
      );
    }
    return [...unique.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}
