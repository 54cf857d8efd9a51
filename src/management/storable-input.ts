/**
 * The management API's first check on every request, before its route's schema: each string in the path, the query
 * and the body — property names included — must be text PostgreSQL can store. A NUL (U+0000) is refused by `text`
 * and `jsonb` alike, and an unpaired UTF-16 surrogate by `jsonb` (a `text` column silently turns it into U+FFFD):
 * either used to reach the database and come back as a 500. Bodies nested deeper than {@link MAX_DEPTH} are refused
 * too: nothing the API takes is that deep, and the serialisers that would meet it later recurse. After the schema,
 * numbers in the query must be finite.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BadRequest } from '../errors.js';

/** Nesting levels (objects and arrays) a body may have; the deepest real body (an action test payload) has a few. */
export const MAX_DEPTH = 32;

/** A NUL, or a surrogate that is not half of a pair (with the `u` flag a well-formed pair is one code point). */
// eslint-disable-next-line no-control-regex -- finding NUL is the point
const UNSTORABLE = /[\u0000\p{Cs}]/u;

/** Why this string cannot be stored, or undefined when it can. */
export function unstorableReason(text: string): string | undefined {
  const match = UNSTORABLE.exec(text);
  if (!match) return undefined;
  if (match[0] === '\u0000') return 'contains a NUL character (U+0000), which cannot be stored';
  const unit = match[0].charCodeAt(0).toString(16).toUpperCase();
  return `contains an unpaired UTF-16 surrogate (U+${unit}), which is not Unicode text`;
}

/**
 * The first place in `value` that cannot be stored: its path (`body.client_metadata.plan`) and why. Iterative, so
 * that the depth check, not the call stack, decides how deep is too deep.
 */
export function findUnstorable(value: unknown, root: string): { where: string; reason: string } | undefined {
  const stack: Array<[unknown, string, number]> = [[value, root, 0]];
  while (stack.length > 0) {
    const [node, where, depth] = stack.pop()!;
    if (typeof node === 'string') {
      const reason = unstorableReason(node);
      if (reason) return { where, reason };
      continue;
    }
    if (node === null || typeof node !== 'object') continue;
    if (depth >= MAX_DEPTH) return { where, reason: `is nested more than ${MAX_DEPTH} levels deep` };
    if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) stack.push([node[i], `${where}.${i}`, depth + 1]);
      continue;
    }
    for (const key of Object.keys(node)) {
      const reason = unstorableReason(key);
      if (reason) return { where: `${where}: property name ${JSON.stringify(key)}`, reason };
      stack.push([(node as Record<string, unknown>)[key], `${where}.${key}`, depth + 1]);
    }
  }
  return undefined;
}

/** Auth0's error codes for each part of the request. */
const PARTS = [
  ['params', 'invalid_uri'],
  ['query', 'invalid_query_string'],
  ['body', 'invalid_body'],
] as const;

function check(request: FastifyRequest): void {
  for (const [part, errorCode] of PARTS) {
    const flaw = findUnstorable(request[part], part === 'query' ? 'querystring' : part);
    if (flaw) throw new BadRequest(`Payload validation error: ${flaw.where} ${flaw.reason}`, { errorCode });
  }
}

/**
 * Ajv coerces the query text `Infinity` to a number that passes `type: 'integer'` and skips `maximum` (its bound
 * checks only run on finite numbers), so `?page=Infinity` got through the schema: after validation, every number in
 * the query must be finite.
 */
function checkFinite(request: FastifyRequest): void {
  const query = request.query as Record<string, unknown> | undefined;
  for (const [name, value] of Object.entries(query ?? {})) {
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new BadRequest(`Payload validation error: querystring.${name} must be a finite number`, {
        errorCode: 'invalid_query_string',
      });
    }
  }
}

/** Refuses unstorable input on every route of `app` (after authorization, before and after schema validation). */
export function registerStorableInput(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => check(request));
  app.addHook('preHandler', async (request) => checkFinite(request));
}
