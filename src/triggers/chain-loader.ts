/**
 * Reads the bound chain from storage for the engine: each binding's deployed version, secrets opened, in run order
 * (`credentials-exchange` bindings first, then `m2m:token_generation`; by position within a trigger).
 */
import type { SecretBox } from '../crypto/secret-box.js';
import { listBoundVersions } from '../store/actions.js';
import type { Db } from '../store/database.js';
import type { DeployedAction, FailurePolicy, TriggerId } from './contract.js';

/** Context string the version secrets are sealed with. */
export const versionSecretsContext = (actionId: string) => `action-secrets:${actionId}`;

export function openSecrets(box: SecretBox, actionId: string, sealed: string): Record<string, string> {
  return JSON.parse(box.open(sealed, versionSecretsContext(actionId))) as Record<string, string>;
}

/** An action as the engine runs it; a Kinde workflow's settings give its bindings and failure policy. */
export function deployedAction(fields: {
  actionId: string;
  versionId: string;
  name: string;
  triggerId: string;
  code: string;
  secrets: Record<string, string>;
  settings: Record<string, unknown>;
  quarantine?: DeployedAction['quarantine'];
}): DeployedAction {
  const { settings, triggerId, quarantine, ...rest } = fields;
  const kinde = settings as { bindings?: string[]; failurePolicy?: FailurePolicy };
  return {
    ...rest,
    triggerId: triggerId as TriggerId,
    ...(triggerId === 'm2m:token_generation' && {
      bindings: kinde.bindings ?? [],
      failurePolicy: kinde.failurePolicy ?? 'stop',
    }),
    ...(quarantine && { quarantine }),
  };
}

export async function loadBoundChain(db: Db, box: SecretBox): Promise<DeployedAction[]> {
  const rows = await listBoundVersions(db);
  // 'credentials-exchange' sorts before 'm2m:token_generation', which is the order DESIGN.md asks for.
  return rows.map((row) =>
    deployedAction({
      actionId: row.action_id,
      versionId: row.version_id,
      name: row.name,
      triggerId: row.trigger_id,
      code: row.compiled,
      secrets: openSecrets(box, row.action_id, row.secrets),
      settings: row.settings,
      ...(row.quarantined_at && {
        quarantine: { since: row.quarantined_at.toISOString(), reason: row.quarantine_reason ?? '' },
      }),
    }),
  );
}
