/** How actions, versions and bindings look on the wire (Auth0's shapes, plus Kinde's settings and files). */
import type { ActionRow, ActionVersionRow, BindingRow } from '../store/actions.js';
import { BUNDLE_FORMAT, type UploadedBundle } from '../triggers/packages/action-bundle.js';

/** Trigger versions as Auth0 names them. */
export const TRIGGER_VERSION: Record<string, string> = { 'credentials-exchange': 'v2', 'm2m:token_generation': 'v1' };

const supportedTriggers = (triggerId: string) => [{ id: triggerId, version: TRIGGER_VERSION[triggerId] ?? 'v1' }];

export function actionVersionView(action: ActionRow, version: ActionVersionRow) {
  return {
    id: version.id,
    action_id: version.action_id,
    number: version.number,
    code: version.code,
    ...(Object.keys(version.files).length > 0 && { files: version.files, entry_path: version.entry_path }),
    runtime: version.runtime,
    // The declared dependencies at the exact versions they resolved to; Minter's own `packages` lists all it bundled.
    dependencies: version.dependencies,
    ...(version.packages.length > 0 && { packages: version.packages }),
    deployed: action.deployed_version_id === version.id,
    status: 'built',
    supported_triggers: supportedTriggers(action.trigger_id),
    ...(Object.keys(version.settings).length > 0 && { settings: version.settings }),
    // Minter's own field, present only while the version is quarantined (docs/security.md, "quarantine").
    ...(version.quarantined_at && {
      quarantine: {
        quarantined_at: version.quarantined_at.toISOString(),
        reason: version.quarantine_reason ?? '',
        lift: `DELETE /api/v2/actions/actions/${version.action_id}/versions/${version.id}/quarantine`,
      },
    }),
    built_at: version.created_at.toISOString(),
    created_at: version.created_at.toISOString(),
    updated_at: version.created_at.toISOString(),
  };
}

/** A deployed version's bundle in the uploaded form, for a roll back that copies it into the draft. */
export function versionBundle(version: ActionVersionRow): UploadedBundle {
  const { dependencies, packages, compiled } = version;
  return { format: BUNDLE_FORMAT, dependencies, packages, compiled };
}

export function actionView(action: ActionRow, deployed?: ActionVersionRow) {
  return {
    id: action.id,
    name: action.name,
    supported_triggers: supportedTriggers(action.trigger_id),
    code: action.code,
    ...(Object.keys(action.files).length > 0 && { files: action.files, entry_path: action.entry_path }),
    runtime: action.runtime,
    dependencies: action.dependencies,
    secrets: action.secret_names,
    status: 'built',
    all_changes_deployed: Boolean(deployed && deployed.created_at >= action.updated_at),
    ...(deployed && { deployed_version: actionVersionView(action, deployed) }),
    created_at: action.created_at.toISOString(),
    updated_at: action.updated_at.toISOString(),
  };
}

export function bindingView(binding: BindingRow, action: ActionRow) {
  return {
    id: binding.id,
    trigger_id: binding.trigger_id,
    display_name: binding.display_name,
    action: { id: action.id, name: action.name, supported_triggers: supportedTriggers(action.trigger_id) },
    created_at: binding.created_at.toISOString(),
    updated_at: binding.updated_at.toISOString(),
  };
}
