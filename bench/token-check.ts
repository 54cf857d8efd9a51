/**
 * The check before each measurement: one request must answer 200 with a real JWT — verified against the target's
 * own JWKS with jose, signed with the expected algorithm, carrying the expected claims — so that every target in
 * the table does the same work.
 */
import {
  createRemoteJWKSet,
  decodeProtectedHeader,
  jwtVerify,
  type JWTPayload,
  type ProtectedHeaderParameters,
} from 'jose';
import type { RunningTarget } from './targets/target.js';

export interface CheckedToken {
  header: ProtectedHeaderParameters;
  payload: JWTPayload;
  /** Length of the compact JWT (characters). */
  length: number;
}

/** Requests one token and verifies it; throws with the reason when it is not what the target promises. */
export async function checkToken(target: RunningTarget): Promise<CheckedToken> {
  const response = await fetch(target.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: target.body,
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`token request answered ${response.status}: ${text.slice(0, 300)}`);
  const token = (JSON.parse(text) as { access_token?: unknown }).access_token;
  if (typeof token !== 'string' || token.split('.').length !== 3)
    throw new Error(`no compact JWT in the response: ${text.slice(0, 300)}`);
  const header = decodeProtectedHeader(token);
  const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(target.jwksUrl)), {
    algorithms: [target.alg],
    audience: target.audience,
    typ: 'at+jwt',
  });
  for (const [name, value] of Object.entries(target.expectClaims ?? {})) {
    if (payload[name] !== value)
      throw new Error(`claim ${name} is ${JSON.stringify(payload[name])}, expected ${JSON.stringify(value)}`);
  }
  return { header, payload, length: token.length };
}

/** {@link checkToken}, retried for up to `withinMs` (ms): bindings may take effect a moment after the API call. */
export async function checkTokenWithin(target: RunningTarget, withinMs: number): Promise<CheckedToken> {
  const until = Date.now() + withinMs;
  for (;;) {
    try {
      return await checkToken(target);
    } catch (error) {
      if (Date.now() > until) throw error;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
