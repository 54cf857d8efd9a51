/**
 * How the management API reads a body, beside each route's schema:
 *
 * - JSON only: a body of another content type (a form, text) is a 415 naming the type it sent, not a schema error
 *   about what the form lacked.
 * - An unknown property is named first. Ajv reports one error (`allErrors: false`) and checks `required` before
 *   `additionalProperties`, so `{"nmae": "x"}` read as `missing required property "name"`; this check walks the
 *   route's schema first and names the property it does not know (and the known one it is closest to).
 * - Read-only fields (`readOnly: true` in the schema: `created_at`, `is_system`, … which Minter returns) are accepted
 *   back and dropped before the handler, as Auth0 ignores them: what a GET returned can be sent back on PATCH.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BadRequest, UnsupportedMediaType } from '../errors.js';

interface SchemaNode {
  properties?: Record<string, SchemaNode>;
  additionalProperties?: unknown;
  items?: SchemaNode;
  readOnly?: boolean;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Whether the request carries a body (Node's parser: a length above 0, or chunked). */
function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return (length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined;
}

function checkContentType(request: FastifyRequest): void {
  if (!hasBody(request)) return;
  const sent = request.headers['content-type'];
  const type = sent?.split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json') return;
  throw new UnsupportedMediaType(
    `The management API reads JSON bodies: send Content-Type: application/json (this request sent ${sent ? JSON.stringify(sent) : 'no Content-Type'})`,
  );
}

/** Levenshtein distance, for the "did you mean" of a misspelt property (names are short: ≤ 40 characters). */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return previous[b.length]!;
}

function unknownMessage(where: string, key: string, known: string[]): string {
  const close = key.length <= 40 ? known.filter((k) => distance(key, k) <= 2).sort() : [];
  const hint = close.length ? `; did you mean "${close[0]}"?` : '';
  return `Payload validation error: ${where}: unknown property ${JSON.stringify(key)}${hint}`;
}

/** The first property `schema` does not allow anywhere in `value` (plain `properties` and `items`; not `anyOf`). */
export function findUnknownProperty(schema: SchemaNode | undefined, value: unknown, where: string): string | undefined {
  if (!schema) return undefined;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = findUnknownProperty(schema.items, item, `${where}.${index}`);
      if (found) return found;
    }
    return undefined;
  }
  if (!isRecord(value) || !schema.properties) return undefined;
  const properties = schema.properties;
  if (schema.additionalProperties === false) {
    const unknown = Object.keys(value).find((key) => !Object.hasOwn(properties, key));
    if (unknown !== undefined) return unknownMessage(where, unknown, Object.keys(properties));
  }
  for (const [key, sub] of Object.entries(properties)) {
    if (!Object.hasOwn(value, key)) continue;
    const found = findUnknownProperty(sub, value[key], `${where}.${key}`);
    if (found) return found;
  }
  return undefined;
}

/** Removes every property the schema marks `readOnly` from `value`, at any depth its `properties`/`items` reach. */
export function dropReadOnly(schema: SchemaNode | undefined, value: unknown): void {
  if (!schema) return;
  if (Array.isArray(value)) {
    for (const item of value) dropReadOnly(schema.items, item);
    return;
  }
  if (!isRecord(value) || !schema.properties) return;
  for (const [key, sub] of Object.entries(schema.properties)) {
    if (!Object.hasOwn(value, key)) continue;
    if (sub.readOnly === true) delete value[key];
    else dropReadOnly(sub, value[key]);
  }
}

const bodySchemaOf = (request: FastifyRequest) =>
  (request.routeOptions.schema as { body?: SchemaNode } | undefined)?.body;

/** Registers the three checks on every route of `app` (the management API). */
export function registerRequestBodyChecks(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => checkContentType(request));
  app.addHook('preValidation', async (request) => {
    const message = findUnknownProperty(bodySchemaOf(request), request.body, 'body');
    if (message) throw new BadRequest(message);
  });
  app.addHook('preHandler', async (request) => dropReadOnly(bodySchemaOf(request), request.body));
}
