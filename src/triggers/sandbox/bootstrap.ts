/**
 * Assembles the program that runs inside each isolate before the action's code, and wraps the action as CommonJS.
 *
 * The program is written in TypeScript under sandbox/program/ and bundled at build time (scripts/build-sandbox.mjs)
 * into one body per platform. Here it becomes one function expression, whose parameters are the host References (in
 * {@link HOST_REFERENCE_NAMES} order) and the configuration: the host calls it once per isolate; it first removes what
 * no action may reach (program/hardening.ts), captures the intrinsics it relies on (program/intrinsics.ts), installs
 * the globals and returns `load(factory)` (program/load.ts), which evaluates the action module and returns the entry
 * points `{ run(payload), runAll(payloads), collect(), waitFor(q), drain(q), quiet(), fireTimers() }` (kept by the
 * host as References; see program/entries.ts). Per request, one JSON string goes in and one JSON string comes out
 * (`runAll` and `collect` do the same for a batch); `drain` reads back the console of a call the host stopped, `quiet`
 * says whether host I/O could still resume code in the isolate, and `fireTimers` runs the timers that are due
 * (program/timers.ts).
 *
 * Nothing the action made ever crosses to the host as a thrown value: isolated-vm copies a thrown object (its
 * `message` and `stack`, getters included) on the host's side of the call, outside every budget. `load` answers a
 * load failure as the string `Name: message`, read inside the isolate within the budget, and the entry points answer
 * strings only.
 */
import type { TriggerId } from '../contract.js';
import { MAX_CUSTOM_CLAIMS_BYTES, REFUSAL, RESTRICTED_CLAIMS } from '../restricted-claims.js';
import type { Platform, SandboxConfig } from './boundary.js';
import { AUTH0_PROGRAM_BODY, KINDE_PROGRAM_BODY } from './bundles.generated.js';

export type { Platform, SandboxConfig } from './boundary.js';

/** The platform (Auth0 or Kinde) whose trigger API a trigger's code is written for. */
export const PLATFORM: { readonly [T in TriggerId]: Platform } = {
  'credentials-exchange': 'auth0',
  'm2m:token_generation': 'kinde',
};

/** The caps the sandbox enforces itself (the host caps fetches per isolate too: runtime/host-bridge.ts). */
export type SandboxCaps = Pick<
  SandboxConfig,
  'maxLogBytes' | 'maxTimers' | 'maxIsolateTimers' | 'maxFetches' | 'maxCryptoMs'
>;

export function sandboxConfig(
  platform: Platform,
  secrets: Record<string, string>,
  bindings: string[],
  caps: SandboxCaps,
  plain: string[] = [],
): SandboxConfig {
  return {
    platform,
    secrets,
    plain,
    bindings,
    maxLogBytes: caps.maxLogBytes,
    maxTimers: caps.maxTimers,
    maxIsolateTimers: caps.maxIsolateTimers,
    maxFetches: caps.maxFetches,
    maxCryptoMs: caps.maxCryptoMs,
    maxClaimsBytes: MAX_CUSTOM_CLAIMS_BYTES,
    restricted: RESTRICTED_CLAIMS,
    refusal: REFUSAL,
  };
}

/** Order of the References the program receives, before the config JSON (program/host.ts declares these names). */
export const HOST_REFERENCE_NAMES = [
  'cacheGet',
  'cacheSet',
  'cacheDelete',
  'hostFetch',
  'hostKindeFetch',
  'hostArm',
  'hostNode',
] as const;

const BODIES: { readonly [P in Platform]: string } = { auth0: AUTH0_PROGRAM_BODY, kinde: KINDE_PROGRAM_BODY };
const programs = new Map<Platform, string>();

/** The sandbox program for one platform (built once per process). */
export function sandboxProgram(platform: Platform): string {
  let program = programs.get(platform);
  if (program === undefined) {
    program = `(function (${HOST_REFERENCE_NAMES.join(', ')}, configJson) {\n'use strict';\n${BODIES[platform]}})`;
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
