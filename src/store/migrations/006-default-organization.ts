/** A client's default organization (Auth0's `default_organization`), used when its grant requires one and the request names none. */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('clients').addColumn('default_organization', 'jsonb').execute();
}
