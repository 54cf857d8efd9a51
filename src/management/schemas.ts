/** JSON schemas shared by the management routes (validated by Fastify's Ajv; they also feed the OpenAPI document). */
import type {} from '@fastify/swagger';
import { BadRequest } from '../errors.js';

/** Auth0 limits on `client_metadata`: ≤ 10 keys, keys and string values ≤ 255 characters. */
export const clientMetadataSchema = {
  type: 'object',
  maxProperties: 10,
  propertyNames: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[A-Za-z0-9_-]+$' },
  additionalProperties: { type: 'string', maxLength: 255 },
} as const;

/** RFC 6749 §3.3 scope-token. */
export const scopeTokenSchema = {
  type: 'string',
  minLength: 1,
  maxLength: 280,
  pattern: '^[\\x21\\x23-\\x5B\\x5D-\\x7E]+$',
} as const;

export const errorResponseSchema = {
  type: 'object',
  properties: {
    statusCode: { type: 'integer' },
    error: { type: 'string' },
    message: { type: 'string' },
    errorCode: { type: 'string' },
  },
} as const;

/**
 * An id in a path: 1–600 characters, no control characters (ids Minter makes are letters, digits, `_`, `-`; the admin
 * client's comes from the environment, and a resource server is found by its identifier too, a URL).
 */
export const ID = { type: 'string', minLength: 1, maxLength: 600, pattern: '^[^\\u0000-\\u001F\\u007F]+$' } as const;

export const idParam = (name: string) => ({ type: 'object', required: [name], properties: { [name]: ID } }) as const;

/** Path parameters, each an {@link ID}. */
export const idParams = <const N extends string>(...names: N[]) =>
  ({
    type: 'object',
    required: names,
    properties: Object.fromEntries(names.map((n) => [n, ID])) as Record<N, typeof ID>,
  }) as const;

/**
 * Dates PostgreSQL's `timestamptz` and JavaScript's `Date` both hold, and that ISO 8601's four-digit year can write:
 * 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z (ms since the epoch).
 */
export const DATE_RANGE_MS = {
  min: Date.parse('0001-01-01T00:00:00Z'),
  max: Date.parse('9999-12-31T23:59:59.999Z'),
} as const;

/** Whether an RFC 3339 date-time that passed the format's grammar is a real instant in {@link DATE_RANGE_MS}. */
export function isStorableDateTime(text: string): boolean {
  // Date.parse refuses what the grammar lets through but the calendar does not have (23:59:60, a leap second).
  const ms = Date.parse(text);
  return Number.isFinite(ms) && ms >= DATE_RANGE_MS.min && ms <= DATE_RANGE_MS.max;
}

type FormatTest = (text: string) => boolean;

/**
 * Narrows Ajv's `date-time` format (from ajv-formats) to {@link isStorableDateTime}, so that every `format:
 * 'date-time'` field of the API is a date the database can store. Called by Fastify once its Ajv exists.
 */
export function narrowDateTimeFormat(ajv: {
  formats: Record<string, unknown>;
  addFormat(name: string, format: unknown): unknown;
}): void {
  const grammar = ajv.formats['date-time'];
  let test: FormatTest;
  if (grammar instanceof RegExp) test = (text) => grammar.test(text);
  else if (typeof grammar === 'function') test = grammar as FormatTest;
  else if (
    grammar &&
    typeof grammar === 'object' &&
    typeof (grammar as { validate?: unknown }).validate === 'function'
  ) {
    test = (grammar as { validate: FormatTest }).validate;
  } else throw new Error('Ajv has no date-time format to narrow (ajv-formats missing?)');
  ajv.addFormat('date-time', { type: 'string', validate: (text: string) => test(text) && isStorableDateTime(text) });
}

/**
 * Auth0's fine-grained M2M `token_quota` (a client's or an organization's): `{client_credentials: {per_hour?, per_day?,
 * enforce?}}`, at least one window; `null` removes it.
 */
export const tokenQuotaSchema = {
  anyOf: [
    { type: 'null' },
    {
      type: 'object',
      required: ['client_credentials'],
      additionalProperties: false,
      properties: {
        client_credentials: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: {
            per_hour: { type: 'integer', minimum: 1, maximum: 1_000_000_000 },
            per_day: { type: 'integer', minimum: 1, maximum: 1_000_000_000 },
            enforce: { type: 'boolean' },
          },
          anyOf: [{ required: ['per_hour'] }, { required: ['per_day'] }],
        },
      },
    },
  ],
} as const;

/** A field Minter returns that a caller may send back: validated, then dropped before the handler (request-body.ts). */
const ignored = <const S extends object>(schema: S) => ({ ...schema, readOnly: true }) as const;

/** `created_at` and `updated_at` as the API writes them, accepted back and ignored. */
export const timestampsSent = {
  created_at: ignored({ type: 'string', maxLength: 64 }),
  updated_at: ignored({ type: 'string', maxLength: 64 }),
} as const;

/** `is_system`, which only Minter sets (the management API, the admin client and its grant). */
export const isSystemSent = { is_system: ignored({ type: 'boolean' }) } as const;

/** Read-only fields of any shape (an action's `deployed_version`, its `status`), accepted back and ignored. */
export const ignoredFields = <const N extends string>(...names: N[]) =>
  Object.fromEntries(names.map((name) => [name, ignored({})])) as Record<N, { readOnly: true }>;

/**
 * Identity fields a PATCH body may repeat (what a GET returned, sent back) but not change: equal, they are dropped
 * from `body`; different, a 400 naming the field and saying what to do instead.
 */
export function unchangeable(body: object, current: object, fields: readonly string[], instead: string): void {
  const sent = body as Record<string, unknown>;
  const stored = current as Record<string, unknown>;
  for (const field of fields) {
    if (!Object.hasOwn(sent, field)) continue;
    if (sent[field] !== stored[field]) {
      throw new BadRequest(
        `Payload validation error: body.${field} cannot be changed (it is ${JSON.stringify(stored[field])}); ${instead}`,
      );
    }
    delete sent[field];
  }
}
