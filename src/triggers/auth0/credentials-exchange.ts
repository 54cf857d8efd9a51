/**
 * Auth0's `credentials-exchange` trigger: the event the host prepares, and the in-isolate `api` object.
 *
 * Handler: `exports.onExecuteCredentialsExchange = async (event, api) => {}` (Auth0 notes §1–2). The `api` methods
 * only record into the invocation; `api.cache.*` are synchronous Reference calls (public samples do not await them,
 * awaiting a plain value works too). Target scopes follow the May 2026 EA `api.transaction.*`: a live set handed from
 * action to action, intersected with the grant by the host after the chain.
 */
import { redactedBody } from '../../credential-parameters.js';
import type { TriggerRequest } from '../contract.js';

/** Geolocation fields of `event.request.geoip` (Auth0 notes §1). */
export type GeoipLookup = (ip: string) => Record<string, unknown>;

/** Request-scoped part of the Auth0 event, as JSON: built once per chain, shared by every Auth0 action in it. */
export function auth0EventBase(request: TriggerRequest, geoip: GeoipLookup | undefined): string {
  // Redacted again here, with the token endpoint's own rule: a test payload's body may carry a secret.
  const body = redactedBody(request.request.body);
  let location: Record<string, unknown> = {};
  try {
    location = request.geoip ?? geoip?.(request.request.ip) ?? {};
  } catch {
    // A failing lookup leaves geoip empty, as Auth0 does for addresses it cannot place.
  }
  return JSON.stringify({
    client: { client_id: request.client.client_id, name: request.client.name, metadata: request.client.metadata },
    request: {
      ip: request.request.ip,
      hostname: request.request.hostname,
      method: request.request.method,
      body,
      language: request.request.language,
      user_agent: request.request.user_agent,
      geoip: location,
    },
    resource_server: { identifier: request.audience },
    tenant: { id: request.tenantId },
    transaction: { requested_scopes: request.requestedScopes },
    organization: request.organization,
  });
}

/**
 * In-isolate part: installs Node-like globals (`fetch`, `URL`, …) and defines `makeRunner(module)`, which returns
 * `start(p)`, the per-request entry point (`makeEntries`, sandbox/core.ts). Payload `p`: `b` event base, `c` claims
 * so far, `n` their size, `s` current scopes, `t` target scopes, `q` the host's call number.
 */
export const AUTH0_SANDBOX_SOURCE = String.raw`
globalThis.fetch = fetch;
globalThis.Headers = Headers;
globalThis.Response = Response;
globalThis.URL = URL;
globalThis.URLSearchParams = URLSearchParams;

var DENY_CODES = ObjectCreate(null);
DENY_CODES.invalid_scope = DENY_CODES.invalid_request = DENY_CODES.server_error = true;
var MAX_TARGET_SCOPES = 1000;
var MAX_CACHE_WRITES = 100;

function scopeToken(scope) {
  if (typeof scope !== 'string' || !/^[\x21\x23-\x5B\x5D-\x7E]+$/.test(scope)) {
    throw new TypeErrorCtor('A scope must be one scope token (RFC 6749 section 3.3), got ' + inspect(scope, true));
  }
  return scope;
}

/** Index of \`scope\` in a target list, or -1 (no Array.prototype method: action code may have replaced them). */
function scopeIndex(set, scope) {
  for (var i = 0; i < set.length; i++) if (set[i] === scope) return i;
  return -1;
}

function makeApi(inv) {
  var api = {};
  function targetSet() {
    if (inv.target === null) inv.target = ArrayIsArray(inv.initialTarget) ? strings(inv.initialTarget) : list();
    return inv.target;
  }
  function cacheWrite(call) {
    if (inv.done) return { type: 'error', code: 'FailedToSetCacheRecord' };
    if (++inv.sideEffects > MAX_CACHE_WRITES) return { type: 'error', code: 'MaxSideEffectsExceeded' };
    return JSONparse(call());
  }
  api.access = {
    deny: function deny(code, reason) {
      if (!inv.done && inv.denial === null) {
        var denial = ObjectCreate(null);
        denial.code = DENY_CODES[code] === true ? code : 'server_error';
        denial.reason = reason === undefined || reason === null ? '' : slice(StringCtor(reason), 0, 1000);
        inv.denial = denial;
      }
      return api;
    },
  };
  api.accessToken = {
    setCustomClaim: function setCustomClaim(name, value) {
      recordClaim(inv, name, value);
      return api;
    },
  };
  api.cache = {
    get: function get(key) {
      var raw = cacheGet.applySync(undefined, [StringCtor(key)]);
      return raw === undefined ? undefined : JSONparse(raw);
    },
    set: function set(key, value, options) {
      var opts = options === undefined || options === null ? {} : { ttl: options.ttl, expires_at: options.expires_at };
      return cacheWrite(function () { return cacheSet.applySync(undefined, [StringCtor(key), StringCtor(value), JSONstringify(opts)]); });
    },
    delete: function (key) {
      return cacheWrite(function () { return cacheDelete.applySync(undefined, [StringCtor(key)]); });
    },
  };
  api.transaction = {
    addTargetScope: function addTargetScope(scope) {
      var set = targetSet();
      if (scopeIndex(set, scopeToken(scope)) < 0) {
        if (set.length >= MAX_TARGET_SCOPES) throw new RangeErrorCtor('At most ' + MAX_TARGET_SCOPES + ' target scopes');
        append(set, scope);
      }
      return api;
    },
    removeTargetScope: function removeTargetScope(scope) {
      var set = targetSet(), i = scopeIndex(set, scopeToken(scope));
      if (i >= 0) {
        for (; i < set.length - 1; i++) set[i] = set[i + 1];
        set.length--;
      }
      return api;
    },
    setTargetScopes: function setTargetScopes(scopes) {
      if (!ArrayIsArray(scopes)) throw new TypeErrorCtor('setTargetScopes expects an array of scopes');
      var next = list();
      for (var i = 0; i < scopes.length; i++) if (scopeIndex(next, scopeToken(scopes[i])) < 0) append(next, scopes[i]);
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

function makeEvent(p) {
  var event = p.b, secrets = {}, keys = ObjectKeys(SECRETS);
  for (var i = 0; i < keys.length; i++) secrets[keys[i]] = SECRETS[keys[i]];
  event.secrets = secrets;
  event.accessToken = { customClaims: p.c, scope: p.s };
  event.transaction.target_scopes = reflectApply(arraySlice, p.t, []);
  return event;
}

function makeRunner(module) {
  var exported = module.exports;
  var handler = exported !== null && exported !== undefined ? exported.onExecuteCredentialsExchange : undefined;
  if (typeof handler !== 'function') {
    throw new TypeErrorCtor('The action does not export onExecuteCredentialsExchange: write exports.onExecuteCredentialsExchange = async (event, api) => {}');
  }
  return function start(p) {
    var inv = invocation(p);
    current = inv;
    var event = makeEvent(p), api = makeApi(inv);
    return settle(inv, function () { return handler(event, api); });
  };
}
`;
