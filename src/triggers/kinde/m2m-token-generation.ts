/**
 * Kinde `m2m:token_generation` trigger: the event, and the global `kinde` bindings inside the isolate.
 *
 * The code is an esbuild CommonJS bundle whose `module.exports.default` is `async (event) => {}` or
 * `{ async handle(event) {} }` (Kinde notes §1.1). Bindings exist only when declared in `workflowSettings.bindings`
 * (§1.2, §2); using another one throws a clear error instead of Kinde's bare TypeError. `kinde.fetch` is a blocking
 * host call (`applySyncPromise`): Kinde's own helper reads `.json` without awaiting (§2.1), and awaiting works too.
 */
import type { TriggerRequest } from '../contract.js';

/** The Kinde event (`onM2MTokenGeneratedEvent`, notes §1.3), as JSON. */
export function kindeEvent(request: TriggerRequest, scopes: readonly string[]): string {
  return JSON.stringify({
    request: { auth: { audience: [request.audience], scope: scopes }, ip: request.request.ip },
    context: {
      domains: { kindeDomain: request.issuer },
      application: { clientId: request.client.client_id },
      workflow: { trigger: 'm2m:token_generation' },
    },
  });
}

/**
 * In-isolate part: builds the global `kinde` from `config.bindings`, exposes `URL` / `URLSearchParams` when `url` is
 * declared, and defines `makeRunner(module)`. Payload `p`: `b` event, `c` claims so far, `n` their size, `i` issuer,
 * `q` the host's call number.
 */
export const KINDE_SANDBOX_SOURCE = String.raw`
var DECLARED = ObjectCreate(null);
for (var bi = 0; bi < config.bindings.length; bi++) DECLARED[config.bindings[bi]] = true;

/** A binding the workflow may not use: every use throws, with the reason. */
function unavailable(name) {
  var message = DECLARED[name] === true
    ? 'binding ' + name + ' is not available in m2m:token_generation workflows on Minter'
    : 'binding ' + name + ' is not declared in workflowSettings.bindings';
  function fail() { throw new ErrorCtor(message); }
  return new Proxy(fail, {
    apply: fail,
    construct: fail,
    get: function (target, key) {
      if (typeof key !== 'string' || key === 'then' || key === 'toJSON') return undefined;
      fail();
    },
  });
}
function active(name) {
  var inv = current;
  if (inv === null || inv.done) throw new ErrorCtor(name + ' can only be used while the workflow runs');
  return inv;
}

function envGet(key) {
  active('kinde.env');
  key = StringCtor(key);
  return hasOwn.call(SECRETS, key) ? { value: SECRETS[key], isSecret: true } : undefined;
}

/** Kinde's response object: plain properties for synchronous use, and a then() that yields a plain copy. */
function kindeResponse(r, format) {
  var json;
  try { json = JSONparse(r.body); } catch (e) { json = undefined; }
  var res = {
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
    value: function (onFulfilled, onRejected) {
      var plain = {}, keys = ObjectKeys(res);
      for (var i = 0; i < keys.length; i++) plain[keys[i]] = res[keys[i]];
      return reflectApply(promiseThen, PromiseCtor.resolve(plain), [onFulfilled, onRejected]);
    },
  });
  return res;
}

function kindeFetch(url, options) {
  var inv = active('kinde.fetch');
  var req = requestParts(url, options, true);
  var raw;
  try {
    raw = hostKindeFetch.applySyncPromise(undefined, [req.url, JSONstringify(req.init), inv.issuer]);
  } catch (e) {
    throw new TypeErrorCtor('kinde.fetch failed: ' + hostMessage(e));
  }
  var r = JSONparse(raw);
  if (r.refused === true) refuseCall(inv, 'fetch');
  if (r.error !== undefined) throw new TypeErrorCtor((r.refused === true ? 'kinde.fetch refused: ' : 'kinde.fetch failed: ') + r.error);
  return kindeResponse(r, options && options.responseFormat === 'text' ? 'text' : 'json');
}

var kinde = {
  m2mToken: DECLARED['kinde.m2mToken'] === true ? {
    setCustomClaim: function setCustomClaim(key, value) { recordClaim(active('kinde.m2mToken'), key, value); },
    getCustomClaims: function getCustomClaims() { return customClaims(active('kinde.m2mToken')); },
  } : unavailable('kinde.m2mToken'),
  env: DECLARED['kinde.env'] === true ? { get: envGet, getEnvironmentVariable: envGet } : unavailable('kinde.env'),
  fetch: DECLARED['kinde.fetch'] === true ? kindeFetch : unavailable('kinde.fetch'),
  // Kinde encrypts the body with the workflow's key; Minter has no workflow keys, so this is kinde.fetch, async.
  secureFetch: DECLARED['kinde.secureFetch'] === true
    ? function secureFetch(url, options) { return new PromiseCtor(function (resolve) { resolve(kindeFetch(url, options)); }); }
    : unavailable('kinde.secureFetch'),
};
['kinde.cache', 'kinde.risk', 'kinde.idToken', 'kinde.accessToken', 'kinde.auth', 'kinde.mfa',
  'kinde.widget', 'kinde.localization', 'kinde.ssoSession', 'kinde.plan'].forEach(function (name) {
  kinde[name.slice(6)] = unavailable(name);
});
globalThis.kinde = kinde;
if (DECLARED.url === true) {
  globalThis.URL = URL;
  globalThis.URLSearchParams = URLSearchParams;
}

function makeRunner(module) {
  var exported = module.exports, entry = exported;
  if (exported !== null && typeof exported === 'object' && exported.default !== undefined) entry = exported.default;
  var call;
  if (typeof entry === 'function') call = function (event) { return entry(event); };
  else if (entry !== null && typeof entry === 'object' && typeof entry.handle === 'function') call = function (event) { return entry.handle(event); };
  else throw new TypeErrorCtor('The workflow has no default export: export default async function (event) {} or export default { async handle(event) {} }');
  return function start(p) {
    var inv = invocation(p);
    inv.issuer = p.i;
    current = inv;
    return settle(inv, function () { return call(p.b); });
  };
}
`;
