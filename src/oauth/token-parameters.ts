/**
 * Reads the token request's parameters from a form or JSON body (RFC 6749 §3.2, §4.4.2). Parameters Minter does
 * not know are ignored; a known one sent twice, or not as a string, is an `invalid_request`.
 */
import { InvalidRequest, InvalidScope } from '../errors.js';

/** The parameters of a client credentials request, as sent. */
export interface TokenParameters {
  grant_type?: string;
  client_id?: string;
  client_secret?: string;
  client_assertion?: string;
  client_assertion_type?: string;
  audience?: string;
  resource?: string;
  scope?: string;
  organization?: string;
}

/** The parameters Minter reads (credential-parameters.ts knows the ones that are not credentials, as a shortcut). */
const KNOWN = [
  'grant_type',
  'client_id',
  'client_secret',
  'client_assertion',
  'client_assertion_type',
  'audience',
  'resource',
  'scope',
  'organization',
] as const;

export function readTokenParameters(body: unknown): TokenParameters {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new InvalidRequest('The request body must be application/x-www-form-urlencoded or a JSON object');
  }
  const source = body as Record<string, unknown>;
  const out: TokenParameters = {};
  for (const name of KNOWN) {
    const value = source[name];
    if (value === undefined) continue;
    if (Array.isArray(value)) throw new InvalidRequest(`Parameter "${name}" must not be included more than once`);
    if (typeof value !== 'string') throw new InvalidRequest(`Parameter "${name}" must be a string`);
    if (value !== '') out[name] = value;
  }
  return out;
}

/** RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), tokens separated by spaces. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/** Splits and checks a `scope` parameter; repeated tokens collapse. */
export function parseScope(scope: string): string[] {
  const tokens = scope.split(' ').filter((t) => t !== '');
  for (const token of tokens) {
    if (!SCOPE_TOKEN.test(token)) {
      throw new InvalidScope('malformed', `Scope "${token}" has a character RFC 6749 §3.3 does not allow`);
    }
  }
  return [...new Set(tokens)];
}
