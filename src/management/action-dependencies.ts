/**
 * An action draft's npm dependencies on the management API: Auth0's `dependencies: [{name, version}]` (a
 * `registry_url` is accepted and ignored: Minter installs from the registry its machine is configured for), and
 * Minter's own `bundle`, made by `minter actions bundle` where the registry is reachable, which the next deploy uses
 * instead of installing. A bundle must be of the draft's code and dependencies; a change to either drops it.
 */
import { BadRequest } from '../errors.js';
import type { ActionRow } from '../store/actions.js';
import { isModuleOf, UPLOADED_BUNDLE_SCHEMA, type UploadedBundle } from '../triggers/packages/action-bundle.js';
import {
  invalidDependency,
  normalizeDependencies,
  PACKAGE_NAME_PATTERN,
  type Dependency,
} from '../triggers/packages/dependency-spec.js';

/** Auth0: at most 10 dependencies per action. */
export const MAX_DEPENDENCIES = 10;

export const dependenciesSchema = {
  type: 'array',
  maxItems: MAX_DEPENDENCIES,
  description: 'npm packages, installed from the registry and bundled with the action at deploy',
  items: {
    type: 'object',
    required: ['name'],
    additionalProperties: false,
    properties: {
      name: { type: 'string', minLength: 1, maxLength: 214, pattern: PACKAGE_NAME_PATTERN },
      version: { type: 'string', maxLength: 100, description: 'a version, range or dist-tag; `latest` when empty' },
      registry_url: { type: 'string', maxLength: 2048, description: 'ignored: the machine’s registry is used' },
    },
  },
} as const;

export const bundleSchema = { ...UPLOADED_BUNDLE_SCHEMA, type: ['object', 'null'] } as const;

export interface DependencyBody {
  code?: string;
  dependencies?: Array<{ name: string; version?: string; registry_url?: string }>;
  bundle?: UploadedBundle | null;
}

const names = (list: ReadonlyArray<{ name: string }>) =>
  list
    .map((d) => d.name)
    .sort()
    .join(', ');

/**
 * The draft's dependencies and bundle after `body` (undefined: unchanged), for an action of `triggerId` whose draft
 * is `current` (undefined on create). @throws {BadRequest}
 */
export function draftDependencies(
  body: DependencyBody,
  triggerId: string,
  current: ActionRow | undefined,
): { dependencies?: Dependency[]; bundle?: UploadedBundle | null } {
  const declared = body.dependencies && normalizeDependencies(body.dependencies);
  for (const dependency of declared ?? []) {
    const invalid = invalidDependency(dependency);
    if (invalid) throw new BadRequest(`Payload validation error: dependency ${invalid}`);
  }
  if (new Set(declared?.map((d) => d.name)).size !== (declared?.length ?? 0))
    throw new BadRequest('Payload validation error: a dependency is listed twice');
  if (triggerId !== 'credentials-exchange' && ((declared?.length ?? 0) > 0 || body.bundle)) {
    throw new BadRequest(
      'Payload validation error: Kinde workflows take no npm dependencies; import @kinde/infrastructure only',
    );
  }
  const bundle = body.bundle;
  if (!bundle) {
    const changed = body.code !== undefined || declared !== undefined;
    return { dependencies: declared, ...((bundle === null || changed) && { bundle: null }) };
  }
  const dependencies = declared ?? bundle.dependencies;
  const code = body.code ?? current?.code ?? '';
  const ofCode = bundle.dependencies.length === 0 ? bundle.compiled === code : isModuleOf(bundle.compiled, code);
  if (!ofCode)
    throw new BadRequest(
      'Payload validation error: the bundle was made for other code; run minter actions bundle again',
    );
  if (names(bundle.dependencies) !== names(dependencies)) {
    throw new BadRequest(
      `Payload validation error: the bundle holds dependencies [${names(bundle.dependencies)}], ` +
        `the action declares [${names(dependencies)}]; run minter actions bundle again`,
    );
  }
  return { dependencies, bundle };
}
