/**
 * The check before each measurement: one request must answer 200 with a real JWT — verified against the target's
 * own JWKS with jose, signed with the expected algorithm, carrying the expected claims — so that every target in
 * the table does the same work. A target of several workers (node:cluster) is asked several times, each request on
 * a connection of its own so that the primary hands them to different workers, and every token is verified
 * against one JWKS read once: workers that signed with keys of their own would fail here.
 */
import { request } from 'node:http';
import {
  createLocalJWKSet,
  decodeProtectedHeader,
  jwtVerify,
  type JSONWebKeySet,
  type JWTPayload,
  type ProtectedHeaderParameters,
} from 'jose';
import type { RunningTarget } from './targets/target.js';

/** Tokens asked of each worker of a multi-worker target (round robin over new connections spreads them). */
const PER_WORKER = 3;
const TIMEOUT_MS = 10_000;

export interface CheckedToken {
  header: ProtectedHeaderParameters;
  payload: JWTPayload;
  /** Length of the compact JWT (characters). */
  length: number;
}

/** One request on a connection of its own (`agent: false`: it is closed after the answer). */
function once(url: string, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    const req = request(
      url,
      { method: body === undefined ? 'GET' : 'POST', agent: false, headers, timeout: TIMEOUT_MS },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.once('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.once('error', reject);
      },
    );
    req.once('timeout', () => req.destroy(new Error(`no answer from ${url} within ${TIMEOUT_MS} ms`)));
    req.once('error', reject);
    req.end(body);
  });
}

/**
 * Requests one token (several from a target of several workers) and verifies each; throws with the reason when one
 * is not what the target promises. Returns the first.
 */
export async function checkToken(target: RunningTarget): Promise<CheckedToken> {
  const jwks = await once(target.jwksUrl);
  if (jwks.status !== 200) throw new Error(`JWKS answered ${jwks.status}: ${jwks.text.slice(0, 300)}`);
  const keys = createLocalJWKSet(JSON.parse(jwks.text) as JSONWebKeySet);
  const workers = target.workers ?? 1;
  let first: CheckedToken | undefined;
  for (let i = 0; i < (workers > 1 ? workers * PER_WORKER : 1); i++) {
    const response = await once(target.tokenUrl, target.body);
    const text = response.text;
    if (response.status !== 200) throw new Error(`token request answered ${response.status}: ${text.slice(0, 300)}`);
    const token = (JSON.parse(text) as { access_token?: unknown }).access_token;
    if (typeof token !== 'string' || token.split('.').length !== 3)
      throw new Error(`no compact JWT in the response: ${text.slice(0, 300)}`);
    const header = decodeProtectedHeader(token);
    const { payload } = await jwtVerify(token, keys, {
      algorithms: [target.alg],
      audience: target.audience,
      typ: 'at+jwt',
    }).catch((error: unknown) => {
      throw new Error(`token ${i + 1} of ${workers} worker(s) does not verify: ${String(error)}`);
    });
    for (const [name, value] of Object.entries(target.expectClaims ?? {})) {
      if (payload[name] !== value)
        throw new Error(`claim ${name} is ${JSON.stringify(payload[name])}, expected ${JSON.stringify(value)}`);
    }
    first ??= { header, payload, length: token.length };
  }
  return first!;
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
