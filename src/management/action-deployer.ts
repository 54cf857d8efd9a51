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
import { actionVersionView } from './action-views.js';

export interface ActionRouteOptions {
  issuer: string;
  tenantId: string;
  /** The running engine (undefined while it starts or when it could not start). */
  engine: () => TriggerEngine | undefined;
  /** Work before a test run (loading the GeoIP database). */
  beforeTest?: () => Promise<void>;
}

function buildFailed(error: ActionBuildError): BadRequest {
  const where = error.line ? `${error.file}:${error.line}:${error.column}` : error.file;
  return new BadRequest(`Build failed at ${where}: ${error.message}`, { errorCode: 'build_failed' });
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
    try {
      return await engineOf(options).build({
        triggerId: action.trigger_id as TriggerId,
        code: action.code,
        files: action.files,
        entryPath: action.entry_path,
      });
    } catch (error) {
      if (error instanceof ActionBuildError) throw buildFailed(error);
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
    });
    const updated = await setDeployedVersion(db, action.id, version.id);
    await registry.changed();
    return actionVersionView(updated, version);
  }

  return { build, deploy };
}
