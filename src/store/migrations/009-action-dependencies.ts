/**
 * npm dependencies of actions (docs/auth0-actions.md, "npm dependencies"). A version keeps the exact versions its
 * declared dependencies resolved to and every package its bundle holds; its `compiled` column holds the bundle, so a
 * restart or another instance runs it without the registry. An action's draft may carry a bundle made elsewhere
 * (`minter actions bundle`), used by its next deploy instead of installing.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('action_versions')
    .addColumn('dependencies', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('packages', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .execute();
  await db.schema.alterTable('actions').addColumn('bundle', 'jsonb').execute();
}
