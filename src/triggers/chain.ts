/**
 * Running a bound chain for one token request.
 *
 * Actions run in binding order within one deadline (`chainTimeoutMs` for the whole chain, Auth0 notes §3.2). Each
 * gets the claims and target scopes left by the ones before it; a denial stops the chain; a failure denies with
 * `server_error` unless a Kinde workflow says `failurePolicy: continue`, in which case its claims are dropped.
 * Final scopes are the target set ∩ the grant (Auth0's `api.transaction` semantics).
 */
import type {
  ActionResult,
  ActionStatus,
  ChainResult,
  DeployedAction,
  FailurePolicy,
  RefusedClaim,
  TriggerRequest,
} from './contract.js';
import { auth0EventBase, type GeoipLookup } from './auth0/credentials-exchange.js';
import type { ChainLink } from './runtime/isolate-pool.js';
import { kindeEvent } from './kinde/m2m-token-generation.js';
import { DEFAULT_DENIAL_DESCRIPTION, STATUS_EFFECTS, type StatusEffect } from './outcome.js';
import { ClaimSet } from './restricted-claims.js';
import { PLATFORM } from './sandbox/bootstrap.js';
import type { Platform } from './sandbox/boundary.js';
import { parseConsole, parseRecord, type SandboxRecord } from './sandbox/record.js';
import type { InvokeOutcome } from './runtime/version-isolate.js';

export interface ChainSettings {
  /** Budget of the whole chain, in ms. */
  chainTimeoutMs: number;
  /** Console bound per action, in bytes. */
  maxLogBytes: number;
  geoip?: GeoipLookup;
}

/** What one action left behind, before the chain applies it. */
interface Step {
  status: ActionStatus;
  record?: SandboxRecord;
  /** The console of an action stopped before it made a record. */
  console?: Pick<SandboxRecord, 'logs' | 'logsTruncated' | 'refusedCalls'>;
  message?: string;
}

function toStep(outcome: InvokeOutcome, maxLogBytes: number, platform: Platform): Step {
  if (outcome.kind === 'failed') {
    const console = outcome.console === undefined ? undefined : parseConsole(outcome.console, maxLogBytes);
    return { status: outcome.status, message: outcome.message, ...(console && { console }) };
  }
  const record = parseRecord(outcome.record, maxLogBytes, platform);
  if (record === undefined) return { status: 'runtime', message: 'The action returned a malformed record' };
  switch (record.outcome) {
    case 'ok':
      return { status: 'ok', record };
    case 'denied':
      return { status: 'denied', record };
    case 'error':
      return { status: 'runtime', record, message: `${record.error?.name ?? 'Error'}: ${record.error?.message ?? ''}` };
  }
}

let isoMs = NaN;
let isoText = '';
/**
 * `new Date(ms).toISOString()`, remembered for the last millisecond asked: the requests of one batch start and end
 * within the same few milliseconds, and each result has two times (~0.5 µs each to format; docs/benchmarks.md).
 */
function isoTime(ms: number): string {
  // As `new Date(ms)` does: the time value is truncated to a whole millisecond.
  const whole = Math.trunc(ms);
  if (whole !== isoMs) {
    isoText = new Date(whole).toISOString();
    isoMs = whole;
  }
  return isoText;
}

function baseResult(action: DeployedAction, status: ActionStatus, startedAt: number, durationMs: number): ActionResult {
  return {
    action_id: action.actionId,
    action_name: action.name,
    version_id: action.versionId,
    trigger_id: action.triggerId,
    status,
    started_at: isoTime(startedAt),
    ended_at: isoTime(startedAt + durationMs),
    duration_ms: Math.round(durationMs * 1000) / 1000,
    logs: [],
    logs_truncated: false,
    refused_claims: [],
    claims_set: [],
  };
}

const unique = (scopes: readonly string[]) => [...new Set(scopes)];

const RUNTIME_FAILURE = STATUS_EFFECTS.runtime as Extract<StatusEffect, { effect: 'fail' }>;

/**
 * The result of a chain that never finished because the sandbox process running it ended (or stopped answering):
 * every action a `runtime` failure with `message`, the request denied with `server_error` whatever the failure
 * policies say, since which action was running is not known.
 */
export function sandboxLost(actions: readonly DeployedAction[], message: string, startedAt: number): ChainResult {
  const durationMs = Date.now() - startedAt;
  return {
    denial: { error: 'server_error', description: RUNTIME_FAILURE.description },
    claims: {},
    scopes: [],
    results: actions.map((action) => ({
      ...baseResult(action, 'runtime', startedAt, durationMs),
      error: { id: 'runtime_error', msg: message },
    })),
  };
}

/** Runs `links` for `request`. Never throws. */
export async function runChain(
  links: readonly ChainLink[],
  request: TriggerRequest,
  settings: ChainSettings,
): Promise<ChainResult> {
  const deadline = performance.now() + settings.chainTimeoutMs;
  const granted = new Set(request.grantedScopes);
  const claims = new ClaimSet();
  let target = unique(request.scopes);
  let auth0Base: string | undefined;
  let denial: ChainResult['denial'];
  const results: ActionResult[] = [];

  for (const { action, isolate } of links) {
    if (denial !== undefined) {
      results.push(baseResult(action, 'skipped', Date.now(), 0));
      continue;
    }
    const scopes = target.filter((scope) => granted.has(scope));
    const head = `{"c":${claims.toJson()},"n":${claims.bytes}`;
    let payload: string;
    if (PLATFORM[action.triggerId] === 'auth0') {
      auth0Base ??= auth0EventBase(request, settings.geoip);
      payload = `${head},"b":${auth0Base},"s":${JSON.stringify(scopes)},"t":${JSON.stringify(target)}}`;
    } else {
      payload = `${head},"b":${kindeEvent(request, scopes)},"i":${JSON.stringify(request.issuer)}}`;
    }

    const startedAt = Date.now();
    const t0 = performance.now();
    const step = toStep(
      await isolate.invoke(payload, deadline, request.client.client_id),
      settings.maxLogBytes,
      PLATFORM[action.triggerId],
    );
    const result = baseResult(action, step.status, startedAt, performance.now() - t0);
    const output = step.record ?? step.console;
    if (output !== undefined) {
      result.logs = output.logs;
      result.logs_truncated = output.logsTruncated;
      if (output.refusedCalls !== undefined) result.refused_calls = output.refusedCalls;
    }
    if (step.record?.risk !== undefined) result.risk_score = step.record.risk;
    results.push(result);

    const effect = STATUS_EFFECTS[step.status];
    switch (effect.effect) {
      case 'apply': {
        const record = step.record as SandboxRecord;
        const offered = claims.offerAll(record.claims);
        result.claims_set = offered.set;
        result.refused_claims = mergeRefusals(record.refused, offered.refused);
        if (PLATFORM[action.triggerId] === 'auth0' && record.target !== null) target = record.target;
        break;
      }
      case 'deny': {
        const { code, reason } = (step.record as SandboxRecord).denial as NonNullable<SandboxRecord['denial']>;
        result.denial = { code, reason };
        denial = { error: code, description: reason === '' ? DEFAULT_DENIAL_DESCRIPTION : reason };
        break;
      }
      case 'fail': {
        result.error = { id: effect.errorId, msg: step.message ?? effect.description };
        const kinde = PLATFORM[action.triggerId] === 'kinde';
        const policy: FailurePolicy = kinde ? (action.failurePolicy ?? 'stop') : 'stop';
        if (kinde) result.failure_policy = policy;
        if (policy === 'stop') denial = { error: 'server_error', description: effect.description };
        break;
      }
      case 'none':
        break;
      default:
        effect satisfies never;
    }
  }

  return {
    ...(denial === undefined ? {} : { denial }),
    claims: claims.toObject(),
    scopes: target.filter((s) => granted.has(s)),
    results,
  };
}

/** The sandbox's own refusals first, then the host's (which repeat none of them: refused names never reach it). */
function mergeRefusals(sandbox: RefusedClaim[], host: RefusedClaim[]): RefusedClaim[] {
  return host.length === 0 ? sandbox : [...sandbox, ...host];
}
