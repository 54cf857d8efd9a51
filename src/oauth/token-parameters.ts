/**
 * Reads the token request's parameters from a form or JSON body (RFC 6749 §3.2, §4.4.2). Parameters Minter does
 * not know are ignored; a known one sent twice, or not as a string, is an `invalid_request`.
 */
import { invalidRequest, OAuthError } from '../errors.js';

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

/**
 * Every token-endpoint parameter that carries a credential, in any grant or client authentication a client might
 * send (Minter reads only the first two; the others are still a client's secrets when sent by mistake).
 * `client_assertion_type`, `token_type_hint` and the like name a kind of thing and are not credentials.
 */
export const CREDENTIAL_PARAMETERS: readonly string[] = [
  'client_secret', // RFC 6749 §2.3.1
  'client_assertion', // RFC 7521 §4.2, RFC 7523 §2.2
  'password', // RFC 6749 §4.3
  'code', // RFC 6749 §4.1.3
  'code_verifier', // RFC 7636 §4.5
  'refresh_token', // RFC 6749 §6
  'assertion', // RFC 7521 §4.1
  'subject_token', // RFC 8693 §2.1
  'actor_token', // RFC 8693 §2.1
  'device_code', // RFC 8628 §3.4
  'auth_req_id', // OpenID CIBA §10.1
  'access_token', // RFC 6750 §2.2
  'id_token', // OpenID Connect
  'token', // RFC 7009 §2.1, RFC 7662 §2.1
  'otp', // Auth0 MFA grants
  'oob_code',
  'binding_code',
  'recovery_code',
  'mfa_token',
];

/** A parameter name as compared with {@link CREDENTIAL_PARAMETERS}: lower case, without separators. */
const comparable = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '');
const CREDENTIALS: ReadonlySet<string> = new Set(CREDENTIAL_PARAMETERS.map(comparable));
/** The rule's answer for the names Minter reads that are not credentials, known in advance: the common case. */
const NOT_CREDENTIALS: ReadonlySet<string> = new Set(KNOWN.filter((name) => !CREDENTIALS.has(comparable(name))));

/**
 * Whether a parameter name is a credential's, under any spelling a client may use: `Client_Secret`, `CLIENT_SECRET`,
 * `clientSecret` and `client-secret` are all `client_secret`. One rule for every place a request body is shown.
 */
export function isCredentialParameter(name: string): boolean {
  return !NOT_CREDENTIALS.has(name) && CREDENTIALS.has(comparable(name));
}

export function readTokenParameters(body: unknown): TokenParameters {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw invalidRequest('The request body must be application/x-www-form-urlencoded or a JSON object');
  }
  const source = body as Record<string, unknown>;
  const out: TokenParameters = {};
  for (const name of KNOWN) {
    const value = source[name];
    if (value === undefined) continue;
    if (Array.isArray(value)) throw invalidRequest(`Parameter "${name}" must not be included more than once`);
    if (typeof value !== 'string') throw invalidRequest(`Parameter "${name}" must be a string`);
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
      throw new OAuthError('invalid_scope', 400, `Scope "${token}" has a character RFC 6749 §3.3 does not allow`);
    }
  }
  return [...new Set(tokens)];
}

/** The request body a trigger may see: every string parameter except credentials ({@link isCredentialParameter}). */
export function redactedBody(body: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (body && typeof body === 'object') {
    for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
      if (typeof value === 'string' && !isCredentialParameter(key)) out[key] = value;
    }
  }
  return out;
}
