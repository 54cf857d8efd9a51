/**
 * An action's secrets on create and update, in Auth0's shape: `[{name, value}]`. A name with a value sets the secret;
 * a name alone keeps the value it has (what a GET or an export returns, sent back); a new name needs a value. Values
 * are sealed with the action's id as context (triggers/chain-loader.ts opens them).
 */
import type { SecretBox } from '../crypto/secret-box.js';
import { BadRequest } from '../errors.js';
import { ignoredFields } from './schemas.js';
import type { ActionRow } from '../store/actions.js';
import { openSecrets } from '../triggers/chain-loader.js';

/** The `secrets` field of an action's body: names and values; `updated_at`, which GET returns, is accepted back. */
export const secretsSchema = {
  type: 'array',
  maxItems: 30,
  items: {
    type: 'object',
    required: ['name'],
    additionalProperties: false,
    properties: {
      name: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
      value: { type: 'string', maxLength: 4096 },
      ...ignoredFields('updated_at'),
    },
  },
} as const;

/** Secrets as a request sends them (`updated_at`, which GET returns, is dropped before this: request-body.ts). */
export type SecretsUpdate = Array<{ name: string; value?: string }>;

/** The secrets after `update`: their values (to seal) and names with the time each value last changed. */
export function mergeSecrets(box: SecretBox, action: ActionRow | undefined, update: SecretsUpdate | undefined) {
  const current = action ? openSecrets(box, action.id, action.secrets) : {};
  if (!update) return { values: current, names: action?.secret_names ?? [] };
  const now = new Date().toISOString();
  // Null prototype and own-key lookups: a secret named `toString` or `__proto__` is a name like any other.
  const values: Record<string, string> = Object.create(null) as Record<string, string>;
  const names: Array<{ name: string; updated_at: string }> = [];
  for (const s of update) {
    const kept = Object.hasOwn(current, s.name) ? current[s.name] : undefined;
    // An export carries names only: docs/migrating-from-auth0.md gives the values back with keyword replacement.
    if (s.value === undefined && kept === undefined)
      throw new BadRequest(`Payload validation error: secret "${s.name}" needs a value`);
    values[s.name] = s.value ?? kept!;
    const old = action?.secret_names.find((n) => n.name === s.name);
    names.push({ name: s.name, updated_at: s.value === undefined && old ? old.updated_at : now });
  }
  return { values, names };
}
