/**
 * Building and deploying an action, shared by the action routes (`deploy: true` on create, actions.ts) and the
 * version routes (action-versions.ts): the route options both take, and the engine they build with.
 */
import { BadRequest, ServiceUnavailable } from '../errors.js';
import { newUuid } from '../ids.js';
import type { Registry } from '../registry/registry.js';
import { insertActionVersion, setDeployedVersion, type ActionRow } from '../store/actions.js';
import { ActionBuildError } from '../triggers/action-build.js';
import type { TriggerEngine, TriggerId } from '../triggers/contract.js';
import type { ActionPackager, PackagedAction } from '../triggers/packages/action-packager.js';
import { DependencyError } from '../triggers/packages/dependency-error.js';
import { normalizeDependencies } from '../triggers/packages/dependency-spec.js';
import { actionVersionView } from './action-views.js';

export interface ActionRouteOptions {
  issuer: string;
  tenantId: string;
  /** The running engine (undefined while it starts or when it could not start). */
  engine: () => TriggerEngine | undefined;
  /** Work before a test run (loading the GeoIP database). */
  beforeTest?: () => Promise<void>;
  /** Installs and bundles Auth0 actions' npm dependencies at deploy. */
  packager: ActionPackager;
  /** Body limit of the routes that take an action's code and bundle (bytes). */
  bodyLimit: number;
}

function buildFailed(error: ActionBuildError): BadRequest {
  const where = error.line ? `${error.file}:${error.line}:${error.column}` : error.file;
  return new BadRequest(`Build failed at ${where}: ${error.message}`, { errorCode: 'build_failed' });
}

function dependencyFailed(error: DependencyError): BadRequest {
  return new BadRequest(`Dependency failed: ${error.message}`, { errorCode: 'dependency_failed' });
}

/**
 * An Auth0 action made runnable in the server process, where npm and the registry are: its draft's uploaded bundle
 * (its code checked all the same), or its code with its dependencies installed and bundled.
 */
async function packaged(action: ActionRow, packager: ActionPackager): Promise<PackagedAction> {
  const declared = normalizeDependencies(action.dependencies);
  if (!action.bundle) return packager.package(action.code, declared);
  await packager.check(action.code, declared);
  const { compiled, dependencies, packages } = action.bundle;
  return { compiled, dependencies, packages };
}

/** The running engine, or a 503 while there is none. */
export function engineOf(options: ActionRouteOptions) {
  const engine = options.engine();
  if (!engine) throw new ServiceUnavailable('engine_unavailable', 'The trigger engine is not running');
  return engine;
}

/** Build and deploy, shared by the action routes (`deploy: true` on create) and the version routes. */
export function actionDeployer(registry: Registry, options: ActionRouteOptions) {
  const { db } = registry;
  /** Builds the draft, where actions run (its top-level code runs in the check); a build failure is the operator's 400. */
  async function build(action: ActionRow) {
    const triggerId = action.trigger_id as TriggerId;
    try {
      const engine = engineOf(options);
      const auth0 = triggerId === 'credentials-exchange' ? await packaged(action, options.packager) : undefined;
      const built = await engine.build({
        triggerId,
        code: auth0?.compiled ?? action.code,
        ownCode: action.code,
        files: action.files,
        entryPath: action.entry_path,
      });
      return { ...built, dependencies: auth0?.dependencies ?? [], packages: auth0?.packages ?? [] };
    } catch (error) {
      if (error instanceof ActionBuildError) throw buildFailed(error);
      if (error instanceof DependencyError) throw dependencyFailed(error);
      throw error;
    }
  }

  async function deploy(action: ActionRow) {
    const built = await build(action);
    const version = await insertActionVersion(db, {
      id: newUuid(),
      action_id: action.id,
      code: action.code,
      files: action.files,
      entry_path: action.entry_path,
      compiled: built.compiled,
      runtime: action.runtime,
      secrets: action.secrets,
      settings: built.settings as Record<string, unknown>,
      dependencies: built.dependencies,
      packages: built.packages,
    });
    const updated = await setDeployedVersion(db, action.id, version.id);
    await registry.changed();
    return actionVersionView(updated, version);
  }

  return { build, deploy };
}
