/** JSON schemas shared by the management routes (validated by Fastify's Ajv; they also feed the OpenAPI document). */
import type {} from '@fastify/swagger';

/** Auth0 limits on `client_metadata`: ≤ 10 keys, keys and string values ≤ 255 characters. */
export const clientMetadataSchema = {
  type: 'object',
  maxProperties: 10,
  propertyNames: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[A-Za-z0-9_-]+$' },
  additionalProperties: { type: 'string', maxLength: 255 },
} as const;

/** RFC 6749 §3.3 scope-token. */
export const scopeTokenSchema = { type: 'string', minLength: 1, maxLength: 280, pattern: '^[\\x21\\x23-\\x5B\\x5D-\\x7E]+$' } as const;

export const errorResponseSchema = {
  type: 'object',
  properties: {
    statusCode: { type: 'integer' },
    error: { type: 'string' },
    message: { type: 'string' },
    errorCode: { type: 'string' },
  },
} as const;

export const idParam = (name: string) =>
  ({ type: 'object', required: [name], properties: { [name]: { type: 'string', minLength: 1, maxLength: 600 } } }) as const;

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
