/**
 * Which request parameters carry a credential, and a request body without them: the one rule for every place a
 * token request's body is shown (the token endpoint's trigger event, a platform's event, a test payload). Below both
 * oauth/ and triggers/, which each apply it.
 */

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

/**
 * The names the token endpoint reads that are not credentials (oauth/token-parameters.ts), known in advance: the
 * common case, answered without normalising the name. Only a shortcut: a name missing here is still answered right.
 */
const NOT_CREDENTIALS: ReadonlySet<string> = new Set(
  ['grant_type', 'client_id', 'client_assertion_type', 'audience', 'resource', 'scope', 'organization'].filter(
    (name) => !CREDENTIALS.has(comparable(name)),
  ),
);

/**
 * Whether a parameter name is a credential's, under any spelling a client may use: `Client_Secret`, `CLIENT_SECRET`,
 * `clientSecret` and `client-secret` are all `client_secret`. One rule for every place a request body is shown.
 */
export function isCredentialParameter(name: string): boolean {
  return !NOT_CREDENTIALS.has(name) && CREDENTIALS.has(comparable(name));
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
