/**
 * Assembles the program that runs inside each isolate before the action's code, and wraps the action as CommonJS.
 *
 * The program is one function expression. The host calls it once per isolate with the host References and the
 * configuration; it first removes what no action may reach (sandbox/hardening.ts), installs the globals and returns
 * `load(factory)`, which evaluates the action module and returns the entry points `{ run(payload), runAll(payloads),
 * collect(), waitFor(q), drain(q), quiet(), fireTimers() }` (kept by the host as References; see `makeEntries` in
 * sandbox/core.ts). Per request, one JSON string goes in and one JSON string comes out (`runAll` and `collect` do the
 * same for a batch); `drain` reads back the console of a call the host stopped, `quiet` says whether host I/O could
 * still resume code in the isolate, and `fireTimers` runs the timers that are due (sandbox/timers.ts).
 *
 * Nothing the action made ever crosses to the host as a thrown value: isolated-vm copies a thrown object (its
 * `message` and `stack`, getters included) on the host's side of the call, outside every budget. `load` answers a
 * load failure as the string `Name: message`, read inside the isolate within the budget, and the entry points
 * (`makeEntries` in sandbox/core.ts) answer strings only.
 */
import type { TriggerId } from '../contract.js';
import { AUTH0_SANDBOX_SOURCE } from '../auth0/credentials-exchange.js';
import { KINDE_SANDBOX_SOURCE } from '../kinde/m2m-token-generation.js';
import { MAX_CUSTOM_CLAIMS_BYTES, REFUSAL, RESTRICTED_CLAIMS } from '../restricted-claims.js';
import { SANDBOX_CORE_SOURCE } from './core.js';
import { SANDBOX_FETCH_SOURCE } from './fetch.js';
import { SANDBOX_HARDENING_SOURCE } from './hardening.js';
import { SANDBOX_NODE_GLOBALS_SOURCE } from './node-globals.js';
import { SANDBOX_TIMERS_SOURCE } from './timers.js';
import { SANDBOX_URL_SOURCE } from './url.js';

export type Platform = 'auth0' | 'kinde';

/** The platform (Auth0 or Kinde) whose trigger API a trigger's code is written for. */
export const PLATFORM: { readonly [T in TriggerId]: Platform } = {
  'credentials-exchange': 'auth0',
  'm2m:token_generation': 'kinde',
};

/** What the program inside the isolate is told at start. */
export interface SandboxConfig {
  platform: Platform;
  secrets: Record<string, string>;
  /** Kinde: declared bindings. */
  bindings: string[];
  /** Console bound per invocation, in bytes of UTF-8. */
  maxLogBytes: number;
  /** Timers pending per invocation, and per isolate (all its invocations together), at most. */
  maxTimers: number;
  maxIsolateTimers: number;
  /** Fetches out per invocation at most. */
  maxFetches: number;
  maxClaimsBytes: number;
  restricted: readonly string[];
  refusal: typeof REFUSAL;
}

/** The caps the sandbox enforces itself (the host caps fetches per isolate too: runtime/host-bridge.ts). */
export type SandboxCaps = Pick<SandboxConfig, 'maxLogBytes' | 'maxTimers' | 'maxIsolateTimers' | 'maxFetches'>;

export function sandboxConfig(
  platform: Platform,
  secrets: Record<string, string>,
  bindings: string[],
  caps: SandboxCaps,
): SandboxConfig {
  return {
    platform,
    secrets,
    bindings,
    maxLogBytes: caps.maxLogBytes,
    maxTimers: caps.maxTimers,
    maxIsolateTimers: caps.maxIsolateTimers,
    maxFetches: caps.maxFetches,
    maxClaimsBytes: MAX_CUSTOM_CLAIMS_BYTES,
    restricted: RESTRICTED_CLAIMS,
    refusal: REFUSAL,
  };
}

/** Order of the References the program receives, before the config JSON. */
export const HOST_REFERENCE_NAMES = [
  'cacheGet',
  'cacheSet',
  'cacheDelete',
  'hostFetch',
  'hostKindeFetch',
  'hostArm',
] as const;

const programs = new Map<Platform, string>();

/** The sandbox program for one platform (built once per process). */
export function sandboxProgram(platform: Platform): string {
  let program = programs.get(platform);
  if (program === undefined) {
    program = `(function (${HOST_REFERENCE_NAMES.join(', ')}, configJson) {
'use strict';
${SANDBOX_HARDENING_SOURCE}
var config = JSON.parse(configJson);
${SANDBOX_CORE_SOURCE}
${SANDBOX_TIMERS_SOURCE}
${SANDBOX_URL_SOURCE}
${SANDBOX_FETCH_SOURCE}
${platform === 'auth0' ? SANDBOX_NODE_GLOBALS_SOURCE + AUTH0_SANDBOX_SOURCE : KINDE_SANDBOX_SOURCE}
return function load(factory) {
  var module = { exports: {} };
  try {
    reflectApply(factory, module.exports, [module.exports, require, module, 'action.js', '/']);
    return makeEntries(makeRunner(module));
  } catch (e) {
    var error = describeError(e);
    return error.name + ': ' + error.message;
  }
};
})`;
    programs.set(platform, program);
  }
  return program;
}

/**
 * The action's code as a CommonJS factory `(exports, require, module, __filename, __dirname)`. The code starts on
 * line 1 of the script, so stack traces point at the operator's own line numbers.
 */
export function wrapModule(code: string): string {
  return `(function (exports, require, module, __filename, __dirname) {${code}\n})`;
}
