/**
 * The boundary between the host and the program inside each isolate (sandbox/program/): what the program is told at
 * start and what one request's payload carries. Types only, checked by both compilers: the host's (tsconfig.json)
 * and the program's own (sandbox/program/tsconfig.json, which knows neither Node nor the DOM).
 */

/** The platform (Auth0 or Kinde) whose trigger API a trigger's code is written for. */
export type Platform = 'auth0' | 'kinde';

/** Reasons written into `refused_claims` (restricted-claims.ts `REFUSAL`); the sandbox uses the same texts. */
export interface ClaimRefusals {
  restricted: string;
  proto: string;
  name: string;
  value: string;
  size: string;
}

/** What the program inside the isolate is told at start. */
export interface SandboxConfig {
  platform: Platform;
  secrets: Record<string, string>;
  /** Kinde: names among `secrets` that are plain environment variables. */
  plain: string[];
  /** Kinde: declared bindings. */
  bindings: string[];
  /** Console bound per invocation, in bytes of UTF-8. */
  maxLogBytes: number;
  /** Timers pending per invocation, and per isolate (all its invocations together), at most. */
  maxTimers: number;
  maxIsolateTimers: number;
  /** Fetches out per invocation at most. */
  maxFetches: number;
  /** Host time one invocation's Node `crypto` calls may take together, in ms (top-level code has its own). */
  maxCryptoMs: number;
  maxClaimsBytes: number;
  restricted: readonly string[];
  refusal: ClaimRefusals;
}

/**
 * One request, as the host writes it (chain.ts, runtime/version-isolate.ts) and the program parses it: `q` the host's
 * call number, `c` the claims set so far in the chain, `n` their size in bytes, `b` the event (its base, for Auth0).
 */
export interface PayloadBase {
  q?: number;
  c: Record<string, unknown>;
  n: number;
}

/** Auth0: `s` the current scopes, `t` the target scopes. */
export interface Auth0Payload extends PayloadBase {
  b: { transaction: Record<string, unknown> } & Record<string, unknown>;
  s: string[];
  t: string[];
}

/** Kinde: `i` the issuer, for `kinde.fetch`. */
export interface KindePayload extends PayloadBase {
  b: unknown;
  i: string;
}
