/** Queries on `environment_variables` (Kinde's, read by workflows through `kinde.env.get`). */
import type { Selectable } from 'kysely';
import type { Db } from './database.js';
import type { EnvironmentVariablesTable } from './schema.js';

export type EnvironmentVariableRow = Selectable<EnvironmentVariablesTable>;

/** `value` is already sealed when `is_secret`: this module stores what it is given. */
export interface NewEnvironmentVariable {
  id: string;
  key: string;
  value: string;
  is_secret: boolean;
}

export const insertEnvironmentVariable = (db: Db, variable: NewEnvironmentVariable) =>
  db.insertInto('environment_variables').values(variable).returningAll().executeTakeFirstOrThrow();

/** Every variable, by key. */
export const listEnvironmentVariables = (db: Db) =>
  db.selectFrom('environment_variables').selectAll().orderBy('key').execute();

export const findEnvironmentVariable = (db: Db, id: string) =>
  db.selectFrom('environment_variables').selectAll().where('id', '=', id).executeTakeFirst();

export const findEnvironmentVariableByKey = (db: Db, key: string) =>
  db.selectFrom('environment_variables').selectAll().where('key', '=', key).executeTakeFirst();

export interface EnvironmentVariableChanges {
  key?: string;
  value?: string;
  is_secret?: boolean;
}

export const updateEnvironmentVariable = (db: Db, id: string, changes: EnvironmentVariableChanges) =>
  db
    .updateTable('environment_variables')
    .set({ ...changes, updated_at: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();

export async function deleteEnvironmentVariable(db: Db, id: string): Promise<boolean> {
  const result = await db.deleteFrom('environment_variables').where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}
