/**
 * Kinde's global `kinde` bindings (`m2m:token_generation`, Kinde notes §1.2, §2). Bindings exist only when declared in
 * `workflowSettings.bindings`; using another one throws a clear error instead of Kinde's bare TypeError.
 * `kinde.fetch` is a blocking host call (`applySyncPromise`): Kinde's own helper reads `.json` without awaiting
 * (§2.1), and awaiting works too.
 */
import { customClaims, recordClaim } from '../claims.js';
import { hostMessage, requestParts, textBody } from '../fetch/request.js';
import { PLAIN, SECRETS, config, host } from '../host.js';
import {
  DateNow,
  ErrorCtor,
  JSONparse,
  JSONstringify,
  ObjectCreate,
  ObjectKeys,
  PromiseCtor,
  StringCtor,
  TypeErrorCtor,
  hasOwn,
  promiseThen,
  reflectApply,
} from '../intrinsics.js';
import { current, refuseCall, type Denial, type Invocation } from '../invocation.js';
import { atob } from '../node-globals.js';
import { slice } from '../safe.js';

/** The bindings the workflow declared. */
export const DECLARED: Record<string, true> = ObjectCreate(null);
for (let bi = 0; bi < config.bindings.length; bi++) DECLARED[config.bindings[bi]!] = true;

/** A binding the workflow may not use: every use throws, with the reason. */
function unavailable(name: string): unknown {
  const message =
    DECLARED[name] === true
      ? 'binding ' + name + ' is not available in m2m:token_generation workflows on Minter'
      : 'binding ' + name + ' is not declared in workflowSettings.bindings';
  function fail(): never {
    throw new ErrorCtor(message);
  }
  return new Proxy(fail, {
    apply: fail,
    construct: fail,
    get: function (_target, key) {
      if (typeof key !== 'string' || key === 'then' || key === 'toJSON') return undefined;
      fail();
    },
  });
}

/** The invocation running now, or the error a binding throws outside one. */
function active(name: string): Invocation {
  const inv = current;
  if (inv === null || inv.done) throw new ErrorCtor(name + ' can only be used while the workflow runs');
  return inv;
}

function envGet(key: unknown): { value: string; isSecret: boolean } | undefined {
  active('kinde.env');
  const name = StringCtor(key);
  return hasOwn.call(SECRETS, name) ? { value: SECRETS[name]!, isSecret: PLAIN[name] !== true } : undefined;
}

/** The host's answer to `kinde.fetch`. */
interface HostAnswer {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  body: string;
  error?: string;
  refused?: boolean;
}

/** Kinde's response object: plain properties for synchronous use, and a then() that yields a plain copy. */
function kindeResponse(r: HostAnswer, format: 'json' | 'text'): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSONparse(r.body);
  } catch {
    json = undefined;
  }
  const res: Record<string, unknown> = {
    status: r.status,
    statusText: r.statusText,
    ok: r.status >= 200 && r.status <= 299,
    headers: r.headers,
    json: json,
    text: r.body,
    data: format === 'text' ? r.body : json,
  };
  Object.defineProperty(res, 'then', {
    enumerable: false,
    value: function (onFulfilled?: (value: unknown) => unknown, onRejected?: (reason: unknown) => unknown) {
      const plain: Record<string, unknown> = {};
      const keys = ObjectKeys(res);
      for (let i = 0; i < keys.length; i++) plain[keys[i]!] = res[keys[i]!];
      return reflectApply(promiseThen, PromiseCtor.resolve(plain), [onFulfilled, onRejected]);
    },
  });
  return res;
}

/** kinde.fetch's bodies: an object is sent as JSON (Kinde's `KindeFetchOptions.body`). */
function kindeBody(body: unknown, headers: Record<string, string>): string {
  return textBody(body, headers, true);
}

function kindeFetch(url: unknown, options?: unknown): Record<string, unknown> {
  const inv = active('kinde.fetch');
  const req = requestParts(url, options, kindeBody);
  let raw: string;
  try {
    raw = host.kindeFetch.applySyncPromise(undefined, [req.url, JSONstringify(req.init), inv.issuer!]);
  } catch (e) {
    throw new TypeErrorCtor('kinde.fetch failed: ' + hostMessage(e));
  }
  const r: HostAnswer = JSONparse(raw);
  if (r.refused === true) refuseCall(inv, 'fetch');
  if (r.error !== undefined) {
    throw new TypeErrorCtor((r.refused === true ? 'kinde.fetch refused: ' : 'kinde.fetch failed: ') + r.error);
  }
  const format = options && (options as { responseFormat?: unknown }).responseFormat === 'text' ? 'text' : 'json';
  return kindeResponse(r, format);
}

/**
 * `kinde.auth.denyAccess(reason)`: the token is refused with `access_denied` and the reason (Kinde lists the binding
 * for user flows; in `m2m:token_generation` it is a Minter extension). The first denial of a run stands.
 */
function denyAccess(reason?: unknown): void {
  const inv = active('kinde.auth');
  if (inv.denial !== null) return;
  const denial: Denial = ObjectCreate(null);
  denial.code = 'access_denied';
  denial.reason = reason === undefined || reason === null ? '' : slice(StringCtor(reason), 0, 1000);
  inv.denial = denial;
}

/** `kinde.risk.setScore(score)`: a finite number, kept for this run and shown in its execution record. */
function setScore(score: unknown): void {
  const inv = active('kinde.risk');
  if (typeof score !== 'number' || score !== score || score === 1 / 0 || score === -1 / 0) {
    throw new TypeErrorCtor('kinde.risk.setScore takes a finite number');
  }
  inv.risk = score;
}

/** `kinde.risk.getScore()`: the score set in this run, 0 before one is. */
function getScore(): number {
  const inv = active('kinde.risk');
  return inv.risk === null ? 0 : inv.risk;
}

/** Tokens `kinde.cache.jwtToken` keeps between runs on this isolate, by name, until 30 s before they expire. */
const JWT_CACHE: Record<string, { token: string; expiresAt: number }> = ObjectCreate(null);
let jwtCached = 0;
const MAX_CACHED_JWTS = 100;
const JWT_EARLY_MS = 30_000;

/** A JWT's `exp` in ms, or 0 when it has none or is not a JWT (then it is not kept). */
function jwtExpiry(token: string): number {
  const parts = token.split('.');
  if (parts.length !== 3) return 0;
  try {
    const b64 = parts[1]!.replace(/-/g, '+').replace(/_/g, '/');
    const payload = JSONparse(atob(b64 + '==='.slice((b64.length + 3) % 4)));
    const exp = payload !== null && typeof payload === 'object' ? (payload as { exp?: unknown }).exp : undefined;
    return typeof exp === 'number' && exp > 0 ? exp * 1000 : 0;
  } catch {
    return 0;
  }
}

/**
 * `kinde.cache.jwtToken(name, { onMissingOrExpired })`: the token kept under `name`, or a new one from
 * `onMissingOrExpired()` (kept until 30 s before its `exp`). `validation` is accepted; the token is not verified
 * (it comes from the workflow's own call), only its expiry read.
 */
async function jwtToken(name: unknown, options?: unknown): Promise<string> {
  active('kinde.cache');
  const key = StringCtor(name);
  const hit = hasOwn.call(JWT_CACHE, key) ? JWT_CACHE[key] : undefined;
  if (hit !== undefined && hit.expiresAt - JWT_EARLY_MS > DateNow()) return hit.token;
  const make =
    options !== null && typeof options === 'object'
      ? (options as { onMissingOrExpired?: unknown }).onMissingOrExpired
      : undefined;
  if (typeof make !== 'function') {
    throw new TypeErrorCtor('kinde.cache.jwtToken: no token cached under "' + key + '" and no onMissingOrExpired');
  }
  const token = StringCtor(await make());
  const expiresAt = jwtExpiry(token);
  if (expiresAt > 0 && (hit !== undefined || jwtCached < MAX_CACHED_JWTS)) {
    if (hit === undefined) jwtCached++;
    JWT_CACHE[key] = { token, expiresAt };
  }
  return token;
}

/** The global `kinde`. */
export const kinde: Record<string, unknown> = {
  m2mToken:
    DECLARED['kinde.m2mToken'] === true
      ? {
          setCustomClaim: function setCustomClaim(key: unknown, value: unknown) {
            recordClaim(active('kinde.m2mToken'), key, value);
          },
          getCustomClaims: function getCustomClaims() {
            return customClaims(active('kinde.m2mToken'));
          },
        }
      : unavailable('kinde.m2mToken'),
  env: DECLARED['kinde.env'] === true ? { get: envGet, getEnvironmentVariable: envGet } : unavailable('kinde.env'),
  fetch: DECLARED['kinde.fetch'] === true ? kindeFetch : unavailable('kinde.fetch'),
  // Kinde encrypts the body with the workflow's key; Minter has no workflow keys, so this is kinde.fetch, async.
  secureFetch:
    DECLARED['kinde.secureFetch'] === true
      ? function secureFetch(url: unknown, options?: unknown) {
          return new PromiseCtor(function (resolve) {
            resolve(kindeFetch(url, options));
          });
        }
      : unavailable('kinde.secureFetch'),
};
kinde.auth = DECLARED['kinde.auth'] === true ? { denyAccess } : unavailable('kinde.auth');
kinde.risk = DECLARED['kinde.risk'] === true ? { setScore, getScore } : unavailable('kinde.risk');
kinde.cache = DECLARED['kinde.cache'] === true ? { jwtToken } : unavailable('kinde.cache');
// No meaning in m2m:token_generation: refused at deploy (kinde/workflow-settings.ts); kept failing here all the same.
[
  'kinde.idToken',
  'kinde.accessToken',
  'kinde.mfa',
  'kinde.widget',
  'kinde.localization',
  'kinde.ssoSession',
  'kinde.plan',
].forEach(function (name) {
  kinde[name.slice(6)] = unavailable(name);
});
