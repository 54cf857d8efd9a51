/**
 * `private_key_jwt` client authentication (RFC 7523 §2.2 and §3; OpenID Connect Core §9): the client sends a JWT
 * signed with a key registered under `/api/v2/clients/{id}/credentials`. Checked as Auth0 checks it: `iss` = `sub` =
 * the client id, `aud` = the issuer (with or without a trailing slash) or the token endpoint's URL, `exp` in the
 * future and at most five minutes after `iat` (or now), a `jti` not used before, the credential's own algorithm,
 * ±10 s of clock skew, at most 2,048 characters. Asynchronous (WebCrypto verification through jose): only requests
 * that send an assertion take this path.
 */
import { createPublicKey } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from 'jose';
import { ASSERTION_ALGS } from '../crypto/assertion-algorithms.js';
import { InvalidClient, InvalidRequest, type OAuthError } from '../errors.js';
import type { ClientEntry, Snapshot } from '../registry/snapshot.js';
import type { ReplayGuard } from './assertion-replay.js';
import type { TokenParameters } from './token-parameters.js';

export const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const MAX_ASSERTION_LENGTH = 2048;
const MAX_LIFETIME_S = 300;
const CLOCK_SKEW_S = 10;
const MAX_JTI_LENGTH = 256;

/** Whether the request authenticates with an assertion (then it must not send a secret or Basic credentials too). */
export const sendsAssertion = (params: TokenParameters) =>
  params.client_assertion !== undefined || params.client_assertion_type !== undefined;

/**
 * An RSA-2048 public key whose private key was thrown away: an assertion naming an unknown client, or a key it does
 * not have, is verified against it (and fails) with the same work as a known client's wrong signature.
 */
const NO_CLIENT_KEY = createPublicKey(`-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAp9oTqMs1hdBNAyW5Zq6Z
uGw+7oP3GTEnYAYD8LAq5iBd0Ez5Pji9tJJKH+l3JGDL8vhit1OPrOTVsRkWe7Lv
jqv8FJm9+OCZl6/XFtMQfqDsP0u9lIGMg4LqREqdUJjY02WUTheXGRsHCYv073bz
oaZkhUTaAHe04Evep/gmpwPife4aYwNK1FcbeH/iNlLJZFv0RKBTRuYtDsooi9j9
Dq48Nax/9KtXLg2KPZml1xFV8GwzETnRyh2eXPIdEWUsd1slrQF7P9s4RXynDRe/
Fri59I/ZX6eGg0w/DK2alJ/r2dyDD0EyPBGT98WWd8doWTRmxwxovtoiFNlUM/m6
wQIDAQAB
-----END PUBLIC KEY-----`);

const isAssertionAlg = (alg: string | undefined): alg is (typeof ASSERTION_ALGS)[number] =>
  (ASSERTION_ALGS as readonly (string | undefined)[]).includes(alg);

/**
 * The same answer for an unknown client, a key it does not have and a bad signature, so ids cannot be probed; which
 * one it was is the `reason`, for the log record only.
 */
const failed = (reason: string) => new InvalidClient('Client authentication failed', { reason });
const refused = (why: string) => new InvalidClient(`Invalid client assertion: ${why}`);

/** What the assertion says before it is verified: only used to find the client and its keys. */
function peek(assertion: string): { payload: JWTPayload; alg?: string; kid?: string } {
  try {
    const header = decodeProtectedHeader(assertion);
    return { payload: decodeJwt(assertion), alg: header.alg, kid: header.kid };
  } catch {
    throw refused('not a signed JWT');
  }
}

/**
 * The client id an assertion claims (its `sub`), unverified, for the failure's log record: so an operator can find a
 * misconfigured private_key_jwt client's failures. Undefined when there is none.
 */
export function claimedClientId(assertion: string | undefined): string | undefined {
  if (assertion === undefined || assertion.length > MAX_ASSERTION_LENGTH) return undefined;
  try {
    const { sub } = decodeJwt(assertion);
    return typeof sub === 'string' && sub.length <= 200 ? sub : undefined;
  } catch {
    return undefined;
  }
}

/** Why none of a known client's keys could check an assertion: the log record's reason. */
function noKeyReason(client: ClientEntry, alg: string | undefined, kid: string | undefined): string {
  const keys = client.assertionKeys;
  if (keys.length === 0) return 'the client has no private_key_jwt credential';
  const wanted = `alg ${String(alg).slice(0, 16)}${kid === undefined ? '' : ` and kid ${kid.slice(0, 100)}`}`;
  const expired = keys.every((k) => k.expiresAt <= Date.now());
  return expired
    ? 'every private_key_jwt credential of the client has expired'
    : `no unexpired credential of the client has ${wanted}`;
}

/** Maps jose's claim errors to what the client got wrong; a signature that fails is {@link failed}. */
function claimError(error: unknown): OAuthError {
  if (error instanceof errors.JWTExpired) return refused('it has expired (exp)');
  if (error instanceof errors.JWTClaimValidationFailed) {
    const { claim } = error;
    if (claim === 'aud') return refused("aud must be this server's issuer or token endpoint URL");
    if (claim === 'iss' || claim === 'sub') return refused('iss and sub must both be the client_id');
    if (claim === 'nbf' || claim === 'iat') return refused(`${claim} is in the future`);
    return refused(`the ${claim} claim is missing or invalid`);
  }
  return failed(`the assertion did not verify: ${error instanceof errors.JOSEError ? error.code : String(error)}`);
}

/**
 * Authenticates the client of a token request that sends `client_assertion`; `audiences` are the values `aud` may
 * take. Rejects with `invalid_request` or `invalid_client` (an {@link OAuthError}).
 */
export async function authenticateAssertion(
  snapshot: Snapshot,
  params: TokenParameters,
  hasBasic: boolean,
  audiences: string[],
  replay: ReplayGuard,
): Promise<ClientEntry> {
  if (hasBasic || params.client_secret !== undefined) {
    throw new InvalidRequest(
      'Use one client authentication method: client_assertion, Basic or client_secret, not several',
    );
  }
  const assertion = params.client_assertion;
  if (assertion === undefined) throw new InvalidRequest('client_assertion is required with client_assertion_type');
  if (params.client_assertion_type !== ASSERTION_TYPE) {
    throw new InvalidRequest(`client_assertion_type must be ${ASSERTION_TYPE}`);
  }
  if (assertion.length > MAX_ASSERTION_LENGTH) throw refused(`longer than ${MAX_ASSERTION_LENGTH} characters`);

  const { payload, alg, kid } = peek(assertion);
  if (typeof payload.sub !== 'string') throw refused('sub (the client_id) is missing');
  if (params.client_id !== undefined && params.client_id !== payload.sub)
    throw refused("client_id does not match the assertion's sub");
  const client = snapshot.clients.get(payload.sub);
  const now = Date.now();
  const keys = (client?.assertionKeys ?? []).filter(
    (k) => k.alg === alg && k.expiresAt > now && (kid === undefined || k.kid === kid),
  );
  if (!client || keys.length === 0) {
    // The work of a wrong signature, so that the time of the answer does not tell which clients hold keys.
    if (isAssertionAlg(alg)) await jwtVerify(assertion, NO_CLIENT_KEY, { algorithms: [alg] }).catch(() => undefined);
    throw failed(client ? noKeyReason(client, alg, kid) : 'the assertion names an unknown client_id (sub)');
  }

  let verified: JWTPayload | undefined;
  for (const key of keys) {
    try {
      ({ payload: verified } = await jwtVerify(assertion, key.key, {
        algorithms: [key.alg],
        issuer: client.clientId,
        subject: client.clientId,
        audience: audiences,
        clockTolerance: CLOCK_SKEW_S,
        requiredClaims: ['exp', 'jti'],
      }));
      break;
    } catch (error) {
      // Another key of the client may have signed it (two keys during a roll-over); a claim error is final.
      if (!(error instanceof errors.JWSSignatureVerificationFailed)) throw claimError(error);
    }
  }
  if (verified === undefined)
    throw failed(`the signature does not verify with the ${keys.length} matching key(s) of the client`);

  const exp = verified.exp as number;
  const nowS = Math.floor(now / 1000);
  if (exp - (typeof verified.iat === 'number' ? Math.min(verified.iat, nowS) : nowS) > MAX_LIFETIME_S + CLOCK_SKEW_S) {
    throw refused(`it may live at most ${MAX_LIFETIME_S} s (exp − iat)`);
  }
  const jti = verified.jti;
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_JTI_LENGTH)
    throw refused(`jti must have 1 to ${MAX_JTI_LENGTH} characters`);
  if (!(await replay.claim(client.clientId, jti, (exp + CLOCK_SKEW_S) * 1000)))
    throw refused('it was already used (jti)');
  return client;
}
