/**
 * The contract between the token endpoint (host) and the trigger engine.
 *
 * The host builds a {@link TriggerRequest} for each token request after the client is authenticated and its grant
 * checked; the engine runs the bound chain and answers with a {@link ChainResult}. Nothing in here touches the
 * database: deployed actions arrive through {@link TriggerEngine.setBindings}, and I/O the actions need
 * (cache, fetch, management reads) goes through {@link HostServices}.
 */

import type { DenialError } from '../errors.js';
import type { KindeWorkflowSettings } from './kinde/compile.js';

/** Auth0 `credentials-exchange` or Kinde `m2m:token_generation`. */
export type TriggerId = 'credentials-exchange' | 'm2m:token_generation';

export const TRIGGER_IDS: readonly TriggerId[] = ['credentials-exchange', 'm2m:token_generation'];

/** Kinde `workflowSettings.failurePolicy.action`; Auth0 actions always behave as `stop`. */
export type FailurePolicy = 'stop' | 'continue';

/** One deployed, immutable action version as the engine runs it. */
export interface DeployedAction {
  /** Action id (stable across versions). */
  actionId: string;
  /** Version id (changes on every deploy); an isolate is keyed by it. */
  versionId: string;
  name: string;
  triggerId: TriggerId;
  /**
   * Runnable CommonJS source. Auth0: the user's code as written (`exports.onExecuteCredentialsExchange = …`).
   * Kinde: the esbuild bundle (format cjs) whose `module.exports.default` is the workflow function or
   * `{ handle }` object, with `@kinde/infrastructure` bundled in as Minter's implementation.
   */
  code: string;
  /** Decrypted secrets (Auth0 `event.secrets`, Kinde `kinde.env.get`). Never logged. */
  secrets: Record<string, string>;
  /** Kinde: the names among `secrets` that are plain environment variables (`kinde.env.get` says `isSecret: false`). */
  plainSecrets?: string[];
  /** Kinde only: declared bindings (keys of `workflowSettings.bindings`) and failure policy. */
  bindings?: string[];
  failurePolicy?: FailurePolicy;
  /**
   * Set when the version is quarantined (a process died while it loaded or first ran, docs/security.md
   * "quarantine"): the engine creates no isolate for it and every run fails with `runtime`.
   */
  quarantine?: { since: string; reason: string };
}

/** What the host knows about the token request when the chain starts. */
export interface TriggerRequest {
  client: {
    client_id: string;
    name: string;
    metadata: Record<string, string>;
  };
  /** The API identifier (audience) the token is for. */
  audience: string;
  /** Scopes named in the request's `scope` parameter (empty when omitted). */
  requestedScopes: string[];
  /** Scopes of the client grant: the ceiling for `api.transaction.*` changes. */
  grantedScopes: string[];
  /** Scopes the token will carry unless a trigger changes them. */
  scopes: string[];
  organization?: { id: string; name: string; display_name: string; metadata: Record<string, string> };
  request: {
    ip: string;
    hostname: string;
    method: string;
    /** Body with `client_secret` and `client_assertion` removed. */
    body: Record<string, string>;
    language?: string;
    user_agent?: string;
  };
  /** Minter's issuer (`iss`), Kinde's `context.domains.kindeDomain`. */
  issuer: string;
  /** Auth0 `event.tenant.id`. */
  tenantId: string;
  /**
   * Auth0 `event.request.geoip`, when the caller looked it up already: the server does, for the sandbox process,
   * which has no GeoIP database of its own.
   */
  geoip?: Record<string, unknown>;
}

/** One console line an action wrote. */
export interface LogLine {
  level: 'log' | 'info' | 'warn' | 'error' | 'debug';
  message: string;
}

/** A claim the engine refused to put into the token, and why. */
export interface RefusedClaim {
  name: string;
  reason: string;
}

/** How one action ended: a discriminated union mapped to the client's response in one place. */
export type ActionStatus = 'ok' | 'denied' | 'timeout' | 'oom' | 'runtime' | 'compile' | 'skipped';

/** The execution record of one action in a chain. */
export interface ActionResult {
  action_id: string;
  action_name: string;
  version_id: string;
  trigger_id: TriggerId;
  status: ActionStatus;
  started_at: string;
  ended_at: string;
  duration_ms: number;
  logs: LogLine[];
  /** True when console output went past the per-action bound and was cut. */
  logs_truncated: boolean;
  error?: { id: string; msg: string };
  denial?: { code: string; reason: string };
  refused_claims: RefusedClaim[];
  /** Names of the claims this action set (values are not recorded). */
  claims_set: string[];
  /** Kinde: `continue` when a failure was ignored under `failurePolicy: continue`. */
  failure_policy?: FailurePolicy;
  /** Present when the action made calls past a cap (timers, fetches, console): how many were refused, by API. */
  refused_calls?: RefusedCalls;
  /** Kinde: the score the workflow set with `kinde.risk.setScore` (the last one), when it set one. */
  risk_score?: number;
}

/** Calls refused by the per-execution and per-isolate caps (MINTER_ACTIONS_MAX_TIMERS, …), by API. */
export interface RefusedCalls {
  setTimeout?: number;
  fetch?: number;
  /** Console calls whose output was cut or dropped (`logs_truncated` is then true). */
  console?: number;
  /** Node `crypto` calls refused past MINTER_ACTIONS_MAX_CRYPTO_MS (or a size limit). */
  crypto?: number;
}

/**
 * The OAuth error codes a chain can deny with (Auth0 `api.access.deny` codes, Kinde `kinde.auth.denyAccess`'s
 * `access_denied`; failures are `server_error`).
 */
export type { DenialError };

/** What the chain decided. */
export interface ChainResult {
  /** Present when the token must not be issued. */
  denial?: { error: DenialError; description: string };
  /** Custom claims to merge into the token (already filtered against the restricted list and size limit). */
  claims: Record<string, unknown>;
  /** Final scopes (target scopes ∩ grant). */
  scopes: string[];
  results: ActionResult[];
}

/** I/O the sandbox may ask of the host. Every call is bounded and may fail. */
export interface HostServices {
  /** Auth0 `api.cache`, scoped per action id. */
  cache: ActionCache;
  /** Egress-guarded HTTP for `fetch` / `kinde.fetch`. */
  fetch(url: string, init: SandboxFetchInit): Promise<SandboxFetchResponse>;
  /**
   * Kinde management reads answered in process (`createKindeAPI().get`): returns Kinde's response body
   * for `applications/{id}` and `applications/{id}/properties`, or undefined for an unknown endpoint.
   */
  kindeManagementGet(endpoint: string): Promise<{ status: number; body: unknown }>;
}

export interface SandboxFetchInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface SandboxFetchResponse {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  /** Body as text (bounded by the response size limit). */
  body: string;
}

/** Auth0 `api.cache` record. */
export interface CacheRecord {
  value: string;
  /** ms since epoch. */
  expires_at: number;
}

export type CacheWriteResult = { type: 'success'; record?: CacheRecord } | { type: 'error'; code: string };

export interface ActionCache {
  get(actionId: string, key: string): CacheRecord | undefined;
  set(actionId: string, key: string, value: string, options?: { ttl?: number; expires_at?: number }): CacheWriteResult;
  delete(actionId: string, key: string): CacheWriteResult;
}

/** An action's source as deployed, before {@link TriggerEngine.build} checks it (action-build.ts). */
export interface ActionSource {
  triggerId: TriggerId;
  code: string;
  /**
   * Auth0: the operator's own code when `code` is it bundled with its npm dependencies (packages/): the part whose
   * Node built-ins are checked at deploy (a dependency may require one on a path it never takes).
   */
  ownCode?: string;
  files: Record<string, string>;
  entryPath: string | null;
}

/** What {@link TriggerEngine.build} makes of an {@link ActionSource}: what the engine runs. */
export interface BuiltAction {
  /** Runnable CommonJS source. */
  compiled: string;
  /** Kinde: the workflow's settings (bindings, failurePolicy, id, name). */
  settings: Partial<KindeWorkflowSettings>;
}

/** The engine the token endpoint and the management API talk to. */
export interface TriggerEngine {
  /** Replace the bound chain (credentials-exchange bindings first, then m2m:token_generation). */
  setBindings(chain: DeployedAction[]): void;
  /** True when at least one action is bound (lets the hot path skip building the event). */
  readonly hasBindings: boolean;
  /** Run the bound chain for one token request. Never throws: failures are in the result. */
  run(request: TriggerRequest): Promise<ChainResult>;
  /** Run one action (bound or not) against a request, for `POST /actions/actions/{id}/test`. */
  test(action: DeployedAction, request: TriggerRequest): Promise<ChainResult>;
  /** Check and build an action's source at deploy (action-build.ts), in the sandbox too: its top level runs there. */
  build(source: ActionSource): Promise<BuiltAction>;
  /** Dispose every isolate. */
  close(): Promise<void>;
}
