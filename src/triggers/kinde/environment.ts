/**
 * Kinde environment variables as workflows read them (`kinde.env.get(key)`, `getEnvironmentVariable(key)` →
 * `{ value, isSecret }`): the one place their values are sealed and opened. Written by `/api/v1/environment_variables`
 * (kinde-api/environment-variables.ts), read here into every `m2m:token_generation` workflow of the bound chain.
 * A secret's value is sealed with the secret box, bound to the variable's id, and leaves the server only into a
 * workflow's isolate.
 */
import type { SecretBox } from '../../crypto/secret-box.js';
import type { Db } from '../../store/database.js';
import { listEnvironmentVariables, type EnvironmentVariableRow } from '../../store/environment-variables.js';

/** Context a secret variable's value is sealed with: its id, so that a sealed value cannot be moved to another. */
const context = (id: string) => `environment-variable:${id}`;

/** What `value` is stored as: sealed for a secret, as it is otherwise. */
export const storedValue = (box: SecretBox, id: string, value: string, isSecret: boolean) =>
  isSecret ? box.seal(value, context(id)) : value;

/** The variable's value in clear (for a workflow only: the API never shows a secret's). */
export const clearValue = (box: SecretBox, row: Pick<EnvironmentVariableRow, 'id' | 'value' | 'is_secret'>) =>
  row.is_secret ? box.open(row.value, context(row.id)) : row.value;

/**
 * Every variable as a workflow sees it: values by key, in clear, and the keys of those that are not secret. They
 * reach the isolate with the action's secrets; `kinde.env.get` answers `isSecret: false` for the plain ones.
 */
export interface KindeEnvironment {
  values: Record<string, string>;
  plain: string[];
}

export const NO_ENVIRONMENT: KindeEnvironment = Object.freeze({ values: {}, plain: [] });

export async function loadKindeEnvironment(db: Db, box: SecretBox): Promise<KindeEnvironment> {
  const values: Record<string, string> = {};
  const plain: string[] = [];
  for (const row of await listEnvironmentVariables(db)) {
    values[row.key] = clearValue(box, row);
    if (!row.is_secret) plain.push(row.key);
  }
  return { values, plain };
}
