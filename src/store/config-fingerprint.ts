/**
 * A fingerprint of the configuration tables — everything the registry's snapshot and its reload hook (the bound
 * trigger chain) are built from — in one cheap query, so the periodic poll can skip the rebuild when nothing
 * changed.
 *
 * Per table it takes the row count and a digest of the sorted `xmin` values (the id of the transaction that wrote
 * each row version), not `max(updated_at)`: every INSERT and UPDATE gives the row version it writes the writing
 * transaction's id, whichever columns it sets (deploying a version changes `actions.deployed_version_id` without
 * `updated_at`; `signing_keys` and `action_versions` have no `updated_at`; and two instances' clocks may disagree).
 * A committed change is therefore always seen: a written row brings an `xmin` no earlier reading saw (its
 * transaction was not yet visible then), and a change that only deletes leaves fewer rows. A rewrite that changes
 * nothing (VACUUM FULL) may change the digest: that costs one needless rebuild, never a missed one.
 */
import { sql } from 'kysely';
import type { Db } from './database.js';

/** The tables read by `Registry#rebuild` and by the trigger chain loader. */
export const CONFIGURATION_TABLES = [
  'clients',
  'client_credentials',
  'resource_servers',
  'client_grants',
  'organizations',
  'organization_client_grants',
  'signing_keys',
  'actions',
  'action_versions',
  'trigger_bindings',
  'environment_variables',
] as const;

const part = (table: string) =>
  sql`(select count(*) || ':' || coalesce(md5(string_agg(xmin::text, ',' order by xmin::text)), '') from ${sql.table(table)})`;

const QUERY = sql<{
  fingerprint: string;
}>`select concat_ws(' ', ${sql.join(CONFIGURATION_TABLES.map(part), sql`, `)}) as fingerprint`;

/** One string that changes whenever any row of a configuration table is inserted, updated or deleted. */
export async function configFingerprint(db: Db): Promise<string> {
  const { rows } = await QUERY.execute(db);
  return rows[0]!.fingerprint;
}
