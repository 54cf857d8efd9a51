/**
 * Quarantine when actions run in a sandbox process (the default): the server outlives the crash, so nothing waits
 * for the next start. When the supervisor loses the sandbox process (sandbox-supervisor.ts), the versions it was
 * loading (their top-level code, the same for every request) and those on their first run in this server process are
 * quarantined at once, on every instance, and the chain is reloaded without them (docs/security.md, "Quarantine").
 *
 * A version that had already finished a run is never quarantined for a loss: what ended the sandbox then may follow
 * one request's input, and quarantining it would let whoever sends that input stop token issuance for everyone. The
 * supervisor replaces the sandbox process and backs off when losses repeat.
 */
import type { FastifyBaseLogger } from 'fastify';
import { errorSummary } from '../../observability/error-summary.js';
import type { Registry } from '../../registry/registry.js';
import { quarantineVersions, type QuarantineEntry } from '../../store/actions.js';
import type { Db } from '../../store/database.js';
import type { DeployedAction } from '../contract.js';
import type { SandboxLoss } from './sandbox-supervisor.js';

/** The operator's explanation of a quarantine that followed a lost sandbox process. */
export function lossReason(loss: SandboxLoss, phase: 'loading' | 'first_run', at: Date): string {
  const what =
    phase === 'loading' ? 'loading this version (its top-level code)' : 'running this version for the first time';
  return (
    `The sandbox process that runs actions ended (${loss.how}) at ${at.toISOString()} while it was ${what}: the ` +
    'version may end it again, so it was quarantined.'
  );
}

/** The versions a lost sandbox process quarantines (see the module's comment), each with its reason. */
export function lossEntries(loss: SandboxLoss, at = new Date()): QuarantineEntry[] {
  return [
    ...loss.loading.map((versionId) => ({ versionId, since: at, reason: lossReason(loss, 'loading', at) })),
    ...loss.firstRuns
      .filter((versionId) => !loss.loading.includes(versionId))
      .map((versionId) => ({ versionId, since: at, reason: lossReason(loss, 'first_run', at) })),
  ];
}

/** What the supervisor is answered: the quarantine of each entry, so the next process is sent the chain without it. */
export const quarantineMap = (entries: readonly QuarantineEntry[]) =>
  new Map(entries.map((entry) => [entry.versionId, { since: entry.since.toISOString(), reason: entry.reason }]));

/**
 * Records the quarantine in the database (every instance sees it, and the chain is reloaded). A token worker's losses
 * come here through the primary (cluster/primary.ts).
 */
export function storeQuarantine(
  db: Db,
  registry: Registry,
  log: FastifyBaseLogger,
  entries: readonly QuarantineEntry[],
  how: string,
): void {
  if (entries.length === 0) return;
  void (async () => {
    const stored = await quarantineVersions(db, entries);
    for (const entry of entries) {
      if (!stored.includes(entry.versionId)) continue;
      log.error(
        { version_id: entry.versionId, how },
        'action version quarantined: the sandbox process ended while it was loading or first running it (docs/security.md, "quarantine")',
      );
    }
    if (stored.length > 0) await registry.changed();
  })().catch((error: unknown) =>
    log.error(
      { error: errorSummary(error), versions: entries.map((entry) => entry.versionId) },
      'could not quarantine after a sandbox loss',
    ),
  );
}

/** The supervisor's `onLoss` in a process that owns the store: records the quarantine and answers it at once. */
export function quarantineOnLoss(
  db: Db,
  registry: Registry,
  log: FastifyBaseLogger,
): (loss: SandboxLoss) => Map<string, NonNullable<DeployedAction['quarantine']>> {
  return (loss) => {
    const entries = lossEntries(loss);
    storeQuarantine(db, registry, log, entries, loss.how);
    return quarantineMap(entries);
  };
}
