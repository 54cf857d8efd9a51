/**
 * Minter's implementation of `@kinde/infrastructure`, bundled into every Kinde workflow that imports it.
 *
 * The source below is plain JavaScript (ES modules syntax, ES2019 level — the level Kinde's goja runtime accepts,
 * see notes §2.4) that runs inside the isolate. It may use only the globals the sandbox defines when the workflow
 * declares the matching binding: `kinde.m2mToken`, `kinde.env`, `kinde.fetch` (result usable with and without
 * `await`), `URLSearchParams`/`URL` (`url` binding) and `console`. Exports and error messages follow
 * `@kinde/infrastructure` 0.11.1 (`lib/main.ts`), with these deliberate differences:
 *
 * - `createKindeAPI` does not mint a Management API token: Minter answers `${kindeDomain}/api/v1/…` in process, so
 *   no `KINDE_WF_M2M_CLIENT_ID/SECRET` env vars and no second token per issuance.
 * - `getM2MToken` has no `kinde.cache` (every call fetches) and does not log the token it obtained.
 * - `secureFetch` does not encrypt the body.
 * - Helpers for triggers other than `m2m:token_generation` either throw "not available" or are absent (an import
 *   of an absent one fails at deploy, never at run time).
 *
 * Kept as a string so it ships inside the compiled server without a copy step; esbuild parses it at deploy.
 */

/** The `@kinde/infrastructure` release whose API this module mirrors; also its runtime `version` export. */
export const KINDE_INFRASTRUCTURE_VERSION = '0.11.1';

/** The import specifier the compiler maps to {@link KINDE_INFRASTRUCTURE_SOURCE}. */
export const KINDE_INFRASTRUCTURE_SPECIFIER = '@kinde/infrastructure';

/** ES2019 JavaScript (ES module syntax) implementing `@kinde/infrastructure` inside the sandbox. */
export const KINDE_INFRASTRUCTURE_SOURCE = String.raw`
export var version = "${KINDE_INFRASTRUCTURE_VERSION}";

export var WorkflowTrigger = Object.freeze({
  UserTokenGeneration: "user:tokens_generation",
  UserPreMFA: "user:pre_mfa",
  PostAuthentication: "user:post_authentication",
  M2MTokenGeneration: "m2m:token_generation",
  ExistingPasswordProvided: "user:existing_password_provided",
  NewPasswordProvided: "user:new_password_provided",
  PlanSelection: "user:plan_selection",
  PlanCancellationRequest: "user:plan_cancellation_request",
  UserPreRegistration: "user:pre_registration",
  NewUsernameProvided: "user:new_username_provided"
});

// A binding is a property of the global "kinde", which exists only when a kinde.* binding is declared.
function binding(name) {
  return typeof kinde === "undefined" || kinde === null ? undefined : kinde[name];
}

function requireUrlBinding() {
  if (typeof URLSearchParams === "undefined") {
    throw new Error("url binding not available");
  }
}

function notInM2M(name) {
  return new Error(name + " binding not available in m2m:token_generation workflows");
}

var m2mTokenClaimsHandler = {
  get: function (target, prop, receiver) {
    return Reflect.get(target, typeof prop === "symbol" ? prop : String(prop), receiver);
  },
  set: function (target, prop, value) {
    if (typeof prop === "string") {
      kinde.m2mToken.setCustomClaim(prop, value);
    }
    return Reflect.set(target, prop, value);
  }
};

/** Mutable view of the M2M token's custom claims: each property set calls kinde.m2mToken.setCustomClaim. */
export function m2mTokenClaims() {
  var m2mToken = binding("m2mToken");
  if (!m2mToken) {
    throw new Error("m2mToken binding not available, please add to workflow/page settings to enable");
  }
  var claims = m2mToken.getCustomClaims();
  if (claims === null || typeof claims !== "object") {
    claims = {};
  }
  return new Proxy(claims, m2mTokenClaimsHandler);
}

/** User-flow only on Kinde; never bound in m2m:token_generation. */
export function idTokenCustomClaims() {
  throw notInM2M("IdToken");
}

/** User-flow only on Kinde; never bound in m2m:token_generation. */
export function accessTokenCustomClaims() {
  throw notInM2M("accessToken");
}

export function getEnvironmentVariable(key) {
  var env = binding("env");
  if (!env) {
    throw new Error("env binding not available, please add to workflow/page settings to enable");
  }
  return env.get(key);
}

export function getLocalization(key) {
  var localization = binding("localization");
  if (!localization) {
    throw new Error("localization binding not available, please add to workflow/page settings to enable");
  }
  return localization.get(key);
}

export function denyAccess(reason) {
  var auth = binding("auth");
  if (!auth) {
    throw new Error("auth binding not available");
  }
  auth.denyAccess(reason);
}

export function invalidateFormField(fieldName, message) {
  var widget = binding("widget");
  if (!widget) {
    throw new Error("widget binding not available");
  }
  widget.invalidateFormField(fieldName, message);
}

export function setEnforcementPolicy(policy) {
  var mfa = binding("mfa");
  if (!mfa) {
    throw new Error("mfa binding not available, please add to workflow settings to enable");
  }
  mfa.setEnforcementPolicy(policy);
}

function responseData(result, responseFormat) {
  if (result === null || result === undefined) {
    return undefined;
  }
  return responseFormat === "json" ? result.json : result.text;
}

/** kinde.fetch wrapped like the package: resolves { data } (parsed JSON, or text when responseFormat is "text"). */
export async function fetch(url, options) {
  if (!binding("fetch")) {
    throw new Error("fetch binding not available");
  }
  if (!options.responseFormat) {
    options.responseFormat = "json";
  }
  var result = await kinde.fetch(url, options);
  return { data: responseData(result, options.responseFormat) };
}

// Same as fetch: Minter does not encrypt the body with a workflow encryption key (Kinde's AES-256-GCM
// secureFetch is not implemented). Uses kinde.secureFetch when the sandbox defines it, else kinde.fetch.
export async function secureFetch(url, options) {
  var secure = Boolean(binding("secureFetch"));
  if (!secure && !binding("fetch")) {
    throw new Error("secureFetch binding not available");
  }
  if (!options.responseFormat) {
    options.responseFormat = "json";
  }
  var result = await (secure ? kinde.secureFetch(url, options) : kinde.fetch(url, options));
  return { data: responseData(result, options.responseFormat) };
}

function joinList(list) {
  return Array.isArray(list) ? list.join(" ") : "";
}

/** Client-credentials token from domain/oauth2/token (form-encoded, like the package); no kinde.cache. */
export async function getM2MToken(tokenName, options) {
  if (!options || !options.domain || !options.clientId || !options.clientSecret) {
    throw new Error("getM2MToken: Missing required parameters");
  }
  if (!binding("fetch")) {
    throw new Error("fetch binding not available");
  }
  requireUrlBinding();
  try {
    var result = await kinde.fetch(options.domain + "/oauth2/token", {
      method: "POST",
      responseFormat: "json",
      headers: Object.assign(
        { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
        options.headers
      ),
      body: new URLSearchParams({
        audience: joinList(options.audience),
        grant_type: "client_credentials",
        client_id: options.clientId,
        client_secret: options.clientSecret,
        scope: joinList(options.scopes)
      }).toString()
    });
    var json = result ? result.json : undefined;
    if (!json || !json.access_token) {
      throw new Error("getM2MToken: No access token returned");
    }
    return json.access_token;
  } catch (error) {
    throw new Error("getM2MToken: Failed to obtain token - " + (error && error.message));
  }
}

/**
 * Kinde Management API client. Minter serves kindeDomain/api/v1/... itself, so no token is fetched and the
 * options (clientId, clientSecret, clientIdKey, ...) are accepted and ignored.
 */
export async function createKindeAPI(event, options) {
  requireUrlBinding();
  if (!binding("fetch")) {
    throw new Error("fetch binding not available");
  }
  var domain = event && event.context && event.context.domains && event.context.domains.kindeDomain;
  if (!domain) {
    throw new Error("createKindeAPI: event.context.domains.kindeDomain is missing");
  }
  var base = String(domain).replace(/\/+$/, "") + "/api/v1/";

  async function callKindeAPI(method, request) {
    var endpoint = String(request && request.endpoint !== undefined ? request.endpoint : "").replace(/^\/+/, "");
    var params = request ? request.params : undefined;
    var url = base + endpoint;
    var init = { method: method, responseFormat: "json", headers: {} };
    if (params) {
      if (method === "GET") {
        var query = new URLSearchParams(params).toString();
        if (query) {
          url += (url.indexOf("?") === -1 ? "?" : "&") + query;
        }
      } else {
        var contentType = (request && request.contentType) || "application/json";
        init.headers = { "content-type": contentType };
        init.body =
          contentType === "application/x-www-form-urlencoded"
            ? new URLSearchParams(params).toString()
            : JSON.stringify(params);
      }
    }
    var result = await kinde.fetch(url, init);
    return { data: result ? result.json : undefined };
  }

  return {
    get: function (request) { return callKindeAPI("GET", request); },
    post: function (request) { return callKindeAPI("POST", request); },
    patch: function (request) { return callKindeAPI("PATCH", request); },
    put: function (request) { return callKindeAPI("PUT", request); },
    delete: function (request) { return callKindeAPI("DELETE", request); }
  };
}
`;
