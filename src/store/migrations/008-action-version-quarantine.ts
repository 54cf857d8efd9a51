/**
 * Quarantined action versions (docs/security.md, "quarantine"): a version whose loading or first run was under way
 * when a Minter process died is marked here on that process's next start, so that no instance runs it again until
 * an operator deploys another version, rolls back, or lifts the quarantine. Null when the version is not quarantined.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('action_versions')
    .addColumn('quarantined_at', 'timestamptz')
    .addColumn('quarantine_reason', 'text')
    .execute();
}
