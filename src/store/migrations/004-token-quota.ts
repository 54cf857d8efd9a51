/** Per-client token quotas (Auth0's `token_quota`): null when the client has none, which is the default. */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('clients').addColumn('token_quota', 'jsonb').execute();
}
