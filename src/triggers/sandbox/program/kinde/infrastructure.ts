/**
 * Minter's implementation of `@kinde/infrastructure`, bundled into every Kinde workflow that imports it (the
 * deploy-time compiler, triggers/kinde/compile.ts, resolves the package to this module's ES2019 build:
 * `KINDE_INFRASTRUCTURE_SOURCE`, triggers/kinde/infrastructure/source.ts).
 *
 * ES2019 is the level Kinde's goja runtime accepts (notes §2.4): scripts/build-sandbox.mjs builds this module for it.
 * It may use only the globals the sandbox defines when the workflow declares the matching binding: `kinde.m2mToken`,
 * `kinde.env`, `kinde.fetch` (result usable with and without `await`), `URLSearchParams`/`URL` (`url` binding) and
 * `console`. Exports and error messages follow `@kinde/infrastructure` 0.11.1 (`lib/main.ts`), with these deliberate
 * differences:
 *
 * - `createKindeAPI` does not mint a Management API token: Minter answers `${kindeDomain}/api/v1/…` in process, so
 *   no `KINDE_WF_M2M_CLIENT_ID/SECRET` env vars and no second token per issuance.
 * - `getM2MToken` has no `kinde.cache` (every call fetches) and does not log the token it obtained.
 * - `secureFetch` does not encrypt the body.
 * - Helpers for triggers other than `m2m:token_generation` either throw "not available" or are absent (an import
 *   of an absent one fails at deploy, never at run time).
 */

import { binding, type KindeGlobal } from './infrastructure-globals.js';

// A global of the sandbox (infrastructure-globals.ts).
declare const kinde: KindeGlobal;

export { createKindeAPI, fetch, getM2MToken, secureFetch } from './infrastructure-fetch.js';

/** The `@kinde/infrastructure` release whose API this module mirrors. */
export const version = '0.11.1';

/** The trigger names of Kinde workflows. */
export const WorkflowTrigger = Object.freeze({
  UserTokenGeneration: 'user:tokens_generation',
  UserPreMFA: 'user:pre_mfa',
  PostAuthentication: 'user:post_authentication',
  M2MTokenGeneration: 'm2m:token_generation',
  ExistingPasswordProvided: 'user:existing_password_provided',
  NewPasswordProvided: 'user:new_password_provided',
  PlanSelection: 'user:plan_selection',
  PlanCancellationRequest: 'user:plan_cancellation_request',
  UserPreRegistration: 'user:pre_registration',
  NewUsernameProvided: 'user:new_username_provided',
});

function notInM2M(name: string): Error {
  return new Error(name + ' binding not available in m2m:token_generation workflows');
}

const m2mTokenClaimsHandler: ProxyHandler<Record<PropertyKey, unknown>> = {
  get: function (target, prop, receiver) {
    return Reflect.get(target, typeof prop === 'symbol' ? prop : String(prop), receiver);
  },
  set: function (target, prop, value) {
    if (typeof prop === 'string') {
      kinde.m2mToken.setCustomClaim(prop, value);
    }
    return Reflect.set(target, prop, value);
  },
};

/** Mutable view of the M2M token's custom claims: each property set calls kinde.m2mToken.setCustomClaim. */
export function m2mTokenClaims(): Record<PropertyKey, unknown> {
  const m2mToken = binding('m2mToken');
  if (!m2mToken) {
    throw new Error('m2mToken binding not available, please add to workflow/page settings to enable');
  }
  let claims = m2mToken.getCustomClaims();
  if (claims === null || typeof claims !== 'object') {
    claims = {};
  }
  return new Proxy(claims as Record<PropertyKey, unknown>, m2mTokenClaimsHandler);
}

/** User-flow only on Kinde; never bound in m2m:token_generation. */
export function idTokenCustomClaims(): never {
  throw notInM2M('IdToken');
}

/** User-flow only on Kinde; never bound in m2m:token_generation. */
export function accessTokenCustomClaims(): never {
  throw notInM2M('accessToken');
}

/** `kinde.env.get(key)`: `{ value, isSecret }`, or undefined. */
export function getEnvironmentVariable(key: string): unknown {
  const env = binding('env');
  if (!env) {
    throw new Error('env binding not available, please add to workflow/page settings to enable');
  }
  return env.get(key);
}

/** User-flow only on Kinde: the `localization` binding is never available here. */
export function getLocalization(key: string): unknown {
  const localization = binding('localization');
  if (!localization) {
    throw new Error('localization binding not available, please add to workflow/page settings to enable');
  }
  return localization.get(key);
}

/** `kinde.auth.denyAccess(reason)`: user flows on Kinde; in m2m:token_generation a Minter extension (access_denied). */
export function denyAccess(reason: unknown): void {
  const auth = binding('auth');
  if (!auth) {
    throw new Error('auth binding not available');
  }
  auth.denyAccess(reason);
}

/** User-flow only on Kinde: the `widget` binding is never available here. */
export function invalidateFormField(fieldName: unknown, message: unknown): void {
  const widget = binding('widget');
  if (!widget) {
    throw new Error('widget binding not available');
  }
  widget.invalidateFormField(fieldName, message);
}

/** User-flow only on Kinde: the `mfa` binding is never available here. */
export function setEnforcementPolicy(policy: unknown): void {
  const mfa = binding('mfa');
  if (!mfa) {
    throw new Error('mfa binding not available, please add to workflow settings to enable');
  }
  mfa.setEnforcementPolicy(policy);
}
