/**
 * Reads the bound chain from storage for the engine: each binding's deployed version, secrets opened, in run order
 * (`credentials-exchange` bindings first, then `m2m:token_generation`; by position within a trigger). A Kinde
 * workflow also gets the environment variables (`kinde.env.get`), under its own secrets: a secret of the action
 * wins over a variable of the same name.
 */
import type { SecretBox } from '../crypto/secret-box.js';
import { listBoundVersions } from '../store/actions.js';
import type { Db } from '../store/database.js';
import type { DeployedAction, FailurePolicy, TriggerId } from './contract.js';
import { loadKindeEnvironment, NO_ENVIRONMENT, type KindeEnvironment } from './kinde/environment.js';

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
  /** Kinde: the environment variables (none when left out). */
  environment?: KindeEnvironment;
}): DeployedAction {
  const { settings, triggerId, quarantine, environment = NO_ENVIRONMENT, ...rest } = fields;
  const kinde = settings as { bindings?: string[]; failurePolicy?: FailurePolicy };
  return {
    ...rest,
    triggerId: triggerId as TriggerId,
    ...(triggerId === 'm2m:token_generation' && {
      secrets: { ...environment.values, ...rest.secrets },
      // An action's own secret of the same name wins, and is a secret.
      plainSecrets: environment.plain.filter((key) => !Object.hasOwn(rest.secrets, key)),
      bindings: kinde.bindings ?? [],
      failurePolicy: kinde.failurePolicy ?? 'stop',
    }),
    ...(quarantine && { quarantine }),
  };
}

export async function loadBoundChain(db: Db, box: SecretBox): Promise<DeployedAction[]> {
  const rows = await listBoundVersions(db);
  const environment = rows.some((row) => row.trigger_id === 'm2m:token_generation')
    ? await loadKindeEnvironment(db, box)
    : NO_ENVIRONMENT;
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
      environment,
      ...(row.quarantined_at && {
        quarantine: { since: row.quarantined_at.toISOString(), reason: row.quarantine_reason ?? '' },
      }),
    }),
  );
}
