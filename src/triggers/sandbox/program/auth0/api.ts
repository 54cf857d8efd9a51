/**
 * Auth0's `api` object for one invocation (`credentials-exchange`, Auth0 notes §1–2). Its methods only record into
 * the invocation; `api.cache.*` are synchronous Reference calls (public samples do not await them, awaiting a plain
 * value works too). Target scopes follow the May 2026 EA `api.transaction.*`: a live set handed from action to
 * action, intersected with the grant by the host after the chain.
 */
import { recordClaim } from '../claims.js';
import { inspect } from '../format.js';
import { host } from '../host.js';
import {
  ArrayIsArray,
  JSONparse,
  JSONstringify,
  ObjectCreate,
  RangeErrorCtor,
  StringCtor,
  TypeErrorCtor,
} from '../intrinsics.js';
import type { Denial, Invocation } from '../invocation.js';
import { append, list, slice, strings } from '../safe.js';

/** Denial codes an action may answer; any other becomes `server_error`. */
const DENY_CODES: Record<string, true> = ObjectCreate(null);
DENY_CODES.invalid_scope = DENY_CODES.invalid_request = DENY_CODES.server_error = true;
const MAX_TARGET_SCOPES = 1000;
const MAX_CACHE_WRITES = 100;

function scopeToken(scope: unknown): string {
  if (typeof scope !== 'string' || !/^[\x21\x23-\x5B\x5D-\x7E]+$/.test(scope)) {
    throw new TypeErrorCtor('A scope must be one scope token (RFC 6749 section 3.3), got ' + inspect(scope, true));
  }
  return scope;
}

/** Index of `scope` in a target list, or -1 (no Array.prototype method: action code may have replaced them). */
function scopeIndex(set: string[], scope: string): number {
  for (let i = 0; i < set.length; i++) if (set[i] === scope) return i;
  return -1;
}

/** What `api.cache.set` / `delete` answer: a record, or an error code. */
type CacheAnswer = Record<string, unknown>;

/** The `api` object of one invocation: each method records into `inv`. */
export function makeApi(inv: Invocation): Record<string, unknown> {
  const api: Record<string, unknown> = {};
  function targetSet(): string[] {
    if (inv.target === null) inv.target = ArrayIsArray(inv.initialTarget) ? strings(inv.initialTarget) : list();
    return inv.target;
  }
  function cacheWrite(call: () => string): CacheAnswer {
    if (inv.done) return { type: 'error', code: 'FailedToSetCacheRecord' };
    if (++inv.sideEffects > MAX_CACHE_WRITES) return { type: 'error', code: 'MaxSideEffectsExceeded' };
    return JSONparse(call());
  }
  api.access = {
    deny: function deny(code: unknown, reason?: unknown) {
      if (!inv.done && inv.denial === null) {
        const denial: Denial = ObjectCreate(null);
        denial.code = DENY_CODES[code as string] === true ? (code as string) : 'server_error';
        denial.reason = reason === undefined || reason === null ? '' : slice(StringCtor(reason), 0, 1000);
        inv.denial = denial;
      }
      return api;
    },
  };
  api.accessToken = {
    setCustomClaim: function setCustomClaim(name: unknown, value: unknown) {
      recordClaim(inv, name, value);
      return api;
    },
  };
  api.cache = {
    get: function get(key: unknown) {
      const raw = host.cacheGet.applySync(undefined, [StringCtor(key)]);
      return raw === undefined ? undefined : JSONparse(raw);
    },
    set: function set(key: unknown, value: unknown, options?: { ttl?: unknown; expires_at?: unknown } | null) {
      const opts =
        options === undefined || options === null ? {} : { ttl: options.ttl, expires_at: options.expires_at };
      return cacheWrite(function () {
        return host.cacheSet.applySync(undefined, [StringCtor(key), StringCtor(value), JSONstringify(opts)]);
      });
    },
    delete: function (key: unknown) {
      return cacheWrite(function () {
        return host.cacheDelete.applySync(undefined, [StringCtor(key)]);
      });
    },
  };
  api.transaction = {
    addTargetScope: function addTargetScope(scope: unknown) {
      const set = targetSet();
      if (scopeIndex(set, scopeToken(scope)) < 0) {
        if (set.length >= MAX_TARGET_SCOPES)
          throw new RangeErrorCtor('At most ' + MAX_TARGET_SCOPES + ' target scopes');
        append(set, scope as string);
      }
      return api;
    },
    removeTargetScope: function removeTargetScope(scope: unknown) {
      const set = targetSet();
      let i = scopeIndex(set, scopeToken(scope));
      if (i >= 0) {
        for (; i < set.length - 1; i++) set[i] = set[i + 1]!;
        set.length--;
      }
      return api;
    },
    setTargetScopes: function setTargetScopes(scopes: unknown) {
      if (!ArrayIsArray(scopes)) throw new TypeErrorCtor('setTargetScopes expects an array of scopes');
      const next = list<string>();
      for (let i = 0; i < scopes.length; i++) if (scopeIndex(next, scopeToken(scopes[i])) < 0) append(next, scopes[i]);
      if (next.length > MAX_TARGET_SCOPES) throw new RangeErrorCtor('At most ' + MAX_TARGET_SCOPES + ' target scopes');
      inv.target = next;
      return api;
    },
    clearTargetScopes: function clearTargetScopes() {
      inv.target = list();
      return api;
    },
  };
  return api;
}
