/**
 * At start, before any action is bound: the versions the process before this one was loading or first running
 * when it died (crash-guard.ts) are quarantined in the database, where every instance and the management API see
 * them, and the journal is emptied. A database that refuses the write fails the start with the journal kept, so
 * the next start tries again.
 */
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { quarantineVersions } from '../../store/actions.js';
import type { Db } from '../../store/database.js';
import { errorSummary } from '../../observability/error-summary.js';
import { CRASH_GUARD_FILE, CrashGuard, quarantineReason } from './crash-guard.js';

export interface OpenedCrashGuard {
  guard: CrashGuard;
  /** Ids of the versions quarantined at this start. */
  quarantined: string[];
}

export async function openCrashGuard(db: Db, dataDir: string, log: FastifyBaseLogger): Promise<OpenedCrashGuard> {
  const file = join(dataDir, CRASH_GUARD_FILE);
  const { guard, suspects } = CrashGuard.open(file, (error) =>
    log.warn(
      { error: errorSummary(error), file },
      'crash guard journal not writable: versions that crash the process are not quarantined',
    ),
  );
  const quarantined =
    suspects.length === 0
      ? []
      : await quarantineVersions(
          db,
          suspects.map((suspect) => ({
            versionId: suspect.versionId,
            since: suspect.since,
            reason: quarantineReason(suspect),
          })),
        );
  for (const suspect of suspects) {
    if (!quarantined.includes(suspect.versionId)) continue;
    log.error(
      { version_id: suspect.versionId, phase: suspect.phase, since: suspect.since.toISOString() },
      'action version quarantined: the last process died while it was loading or first running it (docs/security.md, "quarantine")',
    );
  }
  guard.forget();
  return { guard, quarantined };
}
