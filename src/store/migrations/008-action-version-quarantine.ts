/**
 * Quarantined action versions (docs/security.md, "quarantine"): a version that ended or wedged the sandbox process
 * while it loaded or ran is never loaded again until an operator deploys another, rolls back, or lifts it. Both null
 * when it is not quarantined.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('action_versions')
    .addColumn('quarantined_at', 'timestamptz')
    .addColumn('quarantine_reason', 'text')
    .execute();
}
