/** Queries on actions, their immutable versions, trigger bindings. */
import { sql, type Selectable } from 'kysely';
import type { Db } from './database.js';
import type {
  ActionBundleJson,
  ActionsTable,
  ActionVersionsTable,
  PackageVersionJson,
  TriggerBindingsTable,
} from './schema.js';

export type ActionRow = Selectable<ActionsTable>;
export type ActionVersionRow = Selectable<ActionVersionsTable>;
export type BindingRow = Selectable<TriggerBindingsTable>;

export interface NewAction {
  id: string;
  name: string;
  trigger_id: string;
  code: string;
  files: Record<string, string>;
  entry_path: string | null;
  runtime: string;
  dependencies: Array<{ name: string; version: string }>;
  secrets: string;
  secret_names: Array<{ name: string; updated_at: string }>;
  /** A bundle made elsewhere for this draft (null: the deploy installs and bundles). */
  bundle?: ActionBundleJson | null;
}

const bundleJson = (bundle: ActionBundleJson | null | undefined) =>
  bundle === undefined ? undefined : bundle === null ? null : JSON.stringify(bundle);

export const insertAction = (db: Db, action: NewAction) =>
  db
    .insertInto('actions')
    .values({
      ...action,
      files: JSON.stringify(action.files),
      dependencies: JSON.stringify(action.dependencies),
      secret_names: JSON.stringify(action.secret_names),
      bundle: bundleJson(action.bundle),
    })
    .returningAll()
    .executeTakeFirstOrThrow();

export const listActions = (db: Db) =>
  db.selectFrom('actions').selectAll().orderBy('created_at').orderBy('id').execute();

export const findAction = (db: Db, id: string) =>
  db.selectFrom('actions').selectAll().where('id', '=', id).executeTakeFirst();

export const findActionByName = (db: Db, name: string) =>
  db.selectFrom('actions').selectAll().where('name', '=', name).executeTakeFirst();

export type ActionChanges = Partial<Omit<NewAction, 'id' | 'trigger_id'>> & { deployed_version_id?: string | null };

export const updateAction = (db: Db, id: string, changes: ActionChanges) => {
  const { files, dependencies, secret_names, bundle, ...plain } = changes;
  return db
    .updateTable('actions')
    .set({
      ...plain,
      ...(files && { files: JSON.stringify(files) }),
      ...(dependencies && { dependencies: JSON.stringify(dependencies) }),
      ...(secret_names && { secret_names: JSON.stringify(secret_names) }),
      ...(bundle !== undefined && { bundle: bundleJson(bundle) }),
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
};

/** Points the action at a version without touching `updated_at` (the draft did not change). */
export const setDeployedVersion = (db: Db, id: string, versionId: string) =>
  db
    .updateTable('actions')
    .set({ deployed_version_id: versionId })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();

export const deleteAction = (db: Db, id: string) => db.deleteFrom('actions').where('id', '=', id).execute();

export interface NewActionVersion {
  id: string;
  action_id: string;
  code: string;
  files: Record<string, string>;
  entry_path: string | null;
  compiled: string;
  runtime: string;
  secrets: string;
  settings: Record<string, unknown>;
  /** Auth0: declared dependencies at their exact versions, and every package bundled. */
  dependencies: PackageVersionJson[];
  packages: PackageVersionJson[];
}

/**
 * Inserts the next numbered version (number = previous max + 1) in one transaction, holding the action's row so that
 * concurrent deploys of one action number their versions one after the other instead of colliding on a number.
 */
export async function insertActionVersion(db: Db, version: NewActionVersion): Promise<ActionVersionRow> {
  return db.transaction().execute(async (tx) => {
    await tx.selectFrom('actions').select('id').where('id', '=', version.action_id).forUpdate().execute();
    const last = await tx
      .selectFrom('action_versions')
      .select((eb) => eb.fn.max('number').as('n'))
      .where('action_id', '=', version.action_id)
      .executeTakeFirst();
    return tx
      .insertInto('action_versions')
      .values({
        ...version,
        number: Number(last?.n ?? 0) + 1,
        files: JSON.stringify(version.files),
        settings: JSON.stringify(version.settings),
        dependencies: JSON.stringify(version.dependencies),
        packages: JSON.stringify(version.packages),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}

export const listActionVersions = (db: Db, actionId: string) =>
  db.selectFrom('action_versions').selectAll().where('action_id', '=', actionId).orderBy('number', 'desc').execute();

export const findActionVersion = (db: Db, actionId: string, versionId: string) =>
  db
    .selectFrom('action_versions')
    .selectAll()
    .where('action_id', '=', actionId)
    .where('id', '=', versionId)
    .executeTakeFirst();

export const listBindings = (db: Db, triggerId: string) =>
  db.selectFrom('trigger_bindings').selectAll().where('trigger_id', '=', triggerId).orderBy('position').execute();

export const countBindingsOf = async (db: Db, actionId: string) =>
  Number(
    (
      await db
        .selectFrom('trigger_bindings')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('action_id', '=', actionId)
        .executeTakeFirstOrThrow()
    ).n,
  );

/**
 * Replaces a trigger's bindings with `bindings`, in order, in one transaction. Writers of bindings take turns (a
 * table lock readers do not wait for): two replacements at once would each delete only the rows they saw, and the
 * trigger would end up with both lists.
 */
export async function replaceBindings(
  db: Db,
  triggerId: string,
  bindings: Array<{ id: string; action_id: string; display_name: string }>,
): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await sql`lock table trigger_bindings in share row exclusive mode`.execute(tx);
    await tx.deleteFrom('trigger_bindings').where('trigger_id', '=', triggerId).execute();
    if (bindings.length === 0) return;
    await tx
      .insertInto('trigger_bindings')
      .values(bindings.map((b, position) => ({ ...b, trigger_id: triggerId, position })))
      .execute();
  });
}

export const deleteBindingsOf = (db: Db, actionId: string) =>
  db.deleteFrom('trigger_bindings').where('action_id', '=', actionId).execute();

/** The bound chain with each action's deployed version: credentials-exchange first, then m2m:token_generation. */
export const listBoundVersions = (db: Db) =>
  db
    .selectFrom('trigger_bindings as b')
    .innerJoin('actions as a', 'a.id', 'b.action_id')
    .innerJoin('action_versions as v', 'v.id', 'a.deployed_version_id')
    .select([
      'b.trigger_id',
      'b.position',
      'a.id as action_id',
      'a.name',
      'v.id as version_id',
      'v.compiled',
      'v.secrets',
      'v.settings',
      'v.quarantined_at',
      'v.quarantine_reason',
    ])
    .orderBy('b.trigger_id')
    .orderBy('b.position')
    .execute();

/** A version the crash guard found loading or on its first run when the process before this one died. */
export interface QuarantineEntry {
  versionId: string;
  /** When that phase started: the version is quarantined as of then. */
  since: Date;
  reason: string;
}

/**
 * Quarantines versions (docs/security.md, "quarantine"); one already quarantined keeps its first date and reason.
 * Ids of deleted versions match no row. Returns the ids it quarantined.
 */
export async function quarantineVersions(db: Db, entries: readonly QuarantineEntry[]): Promise<string[]> {
  const quarantined: string[] = [];
  for (const entry of entries) {
    const row = await db
      .updateTable('action_versions')
      .set({ quarantined_at: entry.since, quarantine_reason: entry.reason })
      .where('id', '=', entry.versionId)
      .where('quarantined_at', 'is', null)
      .returning('id')
      .executeTakeFirst();
    if (row) quarantined.push(row.id);
  }
  return quarantined;
}

/** Lifts a version's quarantine; false when it was not quarantined. */
export async function liftQuarantine(db: Db, actionId: string, versionId: string): Promise<boolean> {
  const row = await db
    .updateTable('action_versions')
    .set({ quarantined_at: null, quarantine_reason: null })
    .where('action_id', '=', actionId)
    .where('id', '=', versionId)
    .where('quarantined_at', 'is not', null)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}
