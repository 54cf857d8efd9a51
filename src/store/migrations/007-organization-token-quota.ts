/** Organization token quotas (Auth0's `token_quota` on an organization): null when it has none, which is the default. */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('organizations').addColumn('token_quota', 'jsonb').execute();
}
