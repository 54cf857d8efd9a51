/**
 * Reading back what an action did. The record is the one JSON string the sandbox's `finish()` returns; it comes out
 * of untrusted code, so every field is checked and every bound enforced again here.
 */
import { isDenialCode } from '../../errors.js';
import type { DenialError, LogLine, RefusedCalls, RefusedClaim } from '../contract.js';
import type { Platform } from './boundary.js';

/** One action's record, validated. */
export interface SandboxRecord {
  outcome: 'ok' | 'denied' | 'error';
  denial: { code: DenialError; reason: string } | null;
  error: { name: string; message: string } | null;
  /** [name, value JSON] in the order set; still to be checked against the restricted list and size limit. */
  claims: Array<readonly [unknown, unknown]>;
  refused: RefusedClaim[];
  /** Auth0 target scopes after the action, or null when it did not touch them. */
  target: string[] | null;
  logs: LogLine[];
  logsTruncated: boolean;
  /** Calls refused by a cap, when there were any. */
  refusedCalls?: RefusedCalls;
  /** Kinde: the score `kinde.risk.setScore` set last, when it set one. */
  risk?: number;
}

/** Largest record accepted, in UTF-16 code units: claims ≤ 100 KB plus bounded logs leave ample room. */
const MAX_RECORD_LENGTH = 2 * 1024 * 1024;
const MAX_REFUSED = 100;
const MAX_REASON_LENGTH = 1000;
const MAX_TARGET_SCOPES = 1000;
const LOG_LEVELS = new Set<string>(['log', 'info', 'warn', 'error', 'debug']);

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const text = (v: unknown, max: number): string => (typeof v === 'string' ? v : String(v)).slice(0, max);

/** The parsed JSON the sandbox answered, or undefined when it is too long or not JSON. */
function boundedJson(json: string): unknown {
  if (json.length > MAX_RECORD_LENGTH) return undefined;
  try {
    return JSON.parse(json);
  } catch {
    return undefined;
  }
}

/** Parses and bounds a record of an action written for `platform`; undefined when it is not one. */
export function parseRecord(
  json: string,
  maxLogBytes: number,
  platform: Platform = 'auth0',
): SandboxRecord | undefined {
  const raw = boundedJson(json);
  if (!isObject(raw) || (raw.outcome !== 'ok' && raw.outcome !== 'denied' && raw.outcome !== 'error')) return undefined;
  if (!Array.isArray(raw.claims) || !Array.isArray(raw.refused) || !Array.isArray(raw.logs)) return undefined;

  let denial: SandboxRecord['denial'] = null;
  if (isObject(raw.denial)) {
    // access_denied is kinde.auth.denyAccess's; Auth0's api.access.deny has the other three.
    const code =
      isDenialCode(raw.denial.code) && (raw.denial.code !== 'access_denied' || platform === 'kinde')
        ? raw.denial.code
        : 'server_error';
    denial = { code, reason: text(raw.denial.reason ?? '', MAX_REASON_LENGTH) };
  }
  if (raw.outcome === 'denied' && denial === null) return undefined;
  const error = isObject(raw.error)
    ? { name: text(raw.error.name, 200), message: text(raw.error.message, 2000) }
    : null;

  const claims = raw.claims.filter((c): c is [unknown, unknown] => Array.isArray(c) && c.length === 2);
  const refused = raw.refused
    .slice(0, MAX_REFUSED)
    .filter(isObject)
    .map((r) => ({ name: text(r.name, 200), reason: text(r.reason, 200) }));
  let target: string[] | null = null;
  if (Array.isArray(raw.target)) {
    target = [...new Set(raw.target.filter((s): s is string => typeof s === 'string'))].slice(0, MAX_TARGET_SCOPES);
  }
  const { logs, truncated } = boundLogs(raw.logs, maxLogBytes);
  const refusedCalls = parseRefusedCalls(raw.refusedCalls);
  const risk = typeof raw.risk === 'number' && Number.isFinite(raw.risk) ? raw.risk : undefined;
  return {
    ...(risk !== undefined && { risk }),
    outcome: raw.outcome,
    denial,
    error,
    claims,
    refused,
    target,
    logs,
    logsTruncated: truncated || raw.logsTruncated === true,
    ...(refusedCalls && { refusedCalls }),
  };
}

const REFUSABLE = ['setTimeout', 'fetch', 'console', 'crypto'] as const;

/** The counts of refused calls the sandbox reported, by known API; undefined when none. */
function parseRefusedCalls(raw: unknown): RefusedCalls | undefined {
  if (!isObject(raw)) return undefined;
  let calls: RefusedCalls | undefined;
  for (const name of REFUSABLE) {
    const count = raw[name];
    if (typeof count === 'number' && Number.isSafeInteger(count) && count > 0) (calls ??= {})[name] = count;
  }
  return calls;
}

/** The console of a call the host stopped (`drain(q)`'s JSON), bounded like a record's; undefined when malformed. */
export function parseConsole(
  json: string,
  maxLogBytes: number,
): Pick<SandboxRecord, 'logs' | 'logsTruncated' | 'refusedCalls'> | undefined {
  const raw = boundedJson(json);
  if (!isObject(raw) || !Array.isArray(raw.logs)) return undefined;
  const { logs, truncated } = boundLogs(raw.logs, maxLogBytes);
  const refusedCalls = parseRefusedCalls(raw.refusedCalls);
  return { logs, logsTruncated: truncated || raw.logsTruncated === true, ...(refusedCalls && { refusedCalls }) };
}

/** Console lines within the per-action byte bound (UTF-8), cut at the first line that does not fit. */
function boundLogs(lines: unknown[], maxBytes: number): { logs: LogLine[]; truncated: boolean } {
  const logs: LogLine[] = [];
  let used = 0;
  for (const line of lines) {
    if (!Array.isArray(line) || !LOG_LEVELS.has(line[0] as string) || typeof line[1] !== 'string') continue;
    const message = line[1];
    const bytes = Buffer.byteLength(message);
    if (used + bytes > maxBytes) {
      const cut = Buffer.from(message)
        .subarray(0, maxBytes - used)
        .toString()
        .replace(/\uFFFD$/, '');
      if (cut !== '') logs.push({ level: line[0] as LogLine['level'], message: cut });
      return { logs, truncated: true };
    }
    used += bytes;
    logs.push({ level: line[0] as LogLine['level'], message });
  }
  return { logs, truncated: false };
}
