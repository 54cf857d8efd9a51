/**
 * An action's npm dependency as Auth0 declares it (`{name, version}`), and the rules Minter holds it to before npm
 * sees it: a registry package name, and a version that is a version, a range or a dist-tag — never a URL, a path or
 * a git reference, which would install from somewhere other than the registry.
 */

/** A declared dependency: `version` is what the operator wrote (`4.17.21`, `^4`, `latest`). */
export interface Dependency {
  name: string;
  version: string;
}

/** An installed package: its exact version. */
export interface PackageVersion {
  name: string;
  version: string;
}

/** npm's rules for a new package name: lowercase, URL-safe, optionally scoped; at most 214 characters. */
export const PACKAGE_NAME_PATTERN = '^(@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9][a-z0-9._~-]*$';

/** Versions, ranges (`^4`, `>=1.2 <2`, `1.x || 2.x`) and dist-tags (`latest`, `next`): no `:` or `/`. */
export const VERSION_PATTERN = '^[A-Za-z0-9.^~<>=|*+ -]+$';

const NAME = new RegExp(PACKAGE_NAME_PATTERN);
const VERSION = new RegExp(VERSION_PATTERN);
const EXACT = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/** Why a declared dependency cannot be installed from the registry, or undefined when it can. */
export function invalidDependency(dependency: Dependency): string | undefined {
  if (dependency.name.length > 214 || !NAME.test(dependency.name))
    return `"${dependency.name}" is not an npm package name`;
  if (dependency.version.length > 100 || !VERSION.test(dependency.version))
    return `"${dependency.version}" is not a version, range or dist-tag (URLs, paths and git references are not installed)`;
  return undefined;
}

/** An exact version (`4.17.21`, `1.0.0-beta.1`), which needs no registry to resolve. */
export const isExactVersion = (version: string): boolean => EXACT.test(version);

/** The package a bare specifier loads: `lodash/get` → `lodash`, `@scope/pkg/sub` → `@scope/pkg`. */
export function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** A relative or absolute path rather than a package (`./x`, `../x`, `/x`). */
export const isPathSpecifier = (specifier: string): boolean => /^\.{0,2}\//.test(specifier) || specifier === '.';

/** Sorted by name, a missing or empty version read as `latest` (what Auth0 installs for it). */
export function normalizeDependencies(dependencies: ReadonlyArray<{ name: string; version?: string }>): Dependency[] {
  return dependencies
    .map((d) => ({ name: d.name, version: d.version?.trim() || 'latest' }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
