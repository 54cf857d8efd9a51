/**
 * One *invocation* per request: the recorder that `api` / `kinde.*` calls, console lines and timers write to (claims,
 * refusals, denial, target scopes, console lines). Nothing here performs I/O; when the action ends, record.ts turns
 * the invocation into the one JSON string the host reads back.
 */
import type { PayloadBase } from '../boundary.js';
import { JSONstringify, ObjectCreate, ObjectKeys } from './intrinsics.js';
import { joined } from './json-text.js';
import { list, own } from './safe.js';

/** A denial as `api.access.deny` records it. */
export interface Denial {
  code: string;
  reason: string;
}

/** One request's recorder. */
export interface Invocation {
  /** The host's call number, by which {@link unfinished} holds it. */
  q: number | undefined;
  done: boolean;
  /** Claims earlier actions of the chain set (name → value), and their size in bytes with this action's. */
  prior: Record<string, unknown>;
  bytes: number;
  /** Claim names in the order first set (a {@link list}); their value JSON is in `claims`. */
  names: string[];
  claims: Record<string, string>;
  /** Refused claims, as the JSON text of the record's list (without brackets), and how many. */
  refused: string;
  refusedCount: number;
  denial: Denial | null;
  /** Kinde: the score `kinde.risk.setScore` set last, or null. */
  risk: number | null;
  /** The payload's target scopes (Auth0), copied with `strings` when the action first changes them. */
  initialTarget: unknown;
  target: string[] | null;
  /** Console lines, as the JSON text of the record's list (without brackets). */
  logs: string;
  logBytes: number;
  logsTruncated: boolean;
  /** Auth0 `api.cache` writes. */
  sideEffects: number;
  /** Console lines written (the byte bound alone would not stop empty ones). */
  logLines: number;
  /** Fetches of this invocation still out, the timers it set (a list, made by the first), its refused calls. */
  fetches: number;
  timers: Timer[] | null;
  pendingTimers: number;
  refusedCalls: Record<string, number> | undefined;
  /** Host time its `crypto` calls took so far, in ms (node/crypto/host-call.ts). */
  cryptoMs: number;
  /** First exception thrown by a timer callback of this invocation. */
  uncaught: unknown;
  /** Kinde: the issuer, for kinde.fetch. */
  issuer: string | undefined;
  /** The record, once made. */
  record: string | undefined;
}

/** The invocation whose code runs now: console lines and Kinde's global bindings write to it. */
export let current: Invocation | null = null;

/** The invocation whose code runs now, as a function (the Node layer reads it through node-kernel.ts). */
export function currentInvocation(): Invocation | null {
  return current;
}

/** The invocation whose code runs from now on (a request starts or resumes, a timer fires). */
export function setCurrent(inv: Invocation | null): void {
  current = inv;
}

/** Unfinished invocations by the host's call number `p.q`, so that a stopped one's console can be read (drain). */
const unfinished: Record<string, Invocation> = ObjectCreate(null);

/**
 * One request's recorder, from the host's parsed payload `p`. An object literal: each field is defined as the
 * recorder's own property at once, so no setter on Object.prototype can take a write and no getter answer a read
 * (a prototype-less object would do the same, but V8 keeps those in slow dictionary mode).
 */
export function invocation(p: PayloadBase & { t?: unknown }): Invocation {
  const q = own(p, 'q');
  const inv: Invocation = {
    q: q,
    done: false,
    prior: own(p, 'c')!,
    bytes: own(p, 'n')!,
    names: list(),
    claims: ObjectCreate(null),
    refused: '',
    refusedCount: 0,
    denial: null,
    risk: null,
    initialTarget: own(p, 't'),
    target: null,
    logs: '',
    logBytes: 0,
    logsTruncated: false,
    sideEffects: 0,
    logLines: 0,
    fetches: 0,
    timers: null,
    pendingTimers: 0,
    refusedCalls: undefined,
    cryptoMs: 0,
    uncaught: undefined,
    issuer: undefined,
    record: undefined,
  };
  if (q !== undefined) unfinished[q] = inv;
  return inv;
}

/** The unfinished invocation of call `q`, if any. */
export function unfinishedCall(q: number): Invocation | undefined {
  return unfinished[q];
}

/** Forgets an invocation that ended. */
export function forgetCall(inv: Invocation): void {
  delete unfinished[inv.q as number];
}

/** Counts a call refused by a cap (`setTimeout`, `fetch`, `console`, `crypto`): the host shows it as `refused_calls`. */
export function refuseCall(inv: Invocation | null, kind: string): void {
  if (inv === null || inv.done) return;
  if (inv.refusedCalls === undefined) inv.refusedCalls = ObjectCreate(null) as Record<string, number>;
  inv.refusedCalls[kind] = (inv.refusedCalls[kind] || 0) + 1;
}

/** The record's `refusedCalls` member as JSON text (with its leading comma), or '' when no call was refused. */
export function refusedCallsJson(inv: Invocation): string {
  const counts = inv.refusedCalls;
  if (counts === undefined) return '';
  const kinds = ObjectKeys(counts);
  let out = '';
  for (let i = 0; i < kinds.length; i++) out = joined(out, JSONstringify(kinds[i]) + ':' + counts[kinds[i]!]);
  return ',"refusedCalls":{' + out + '}';
}

/** A pending timer. */
export interface Timer {
  id: number;
  /** When due, in ms since the epoch. */
  at: number;
  inv: Invocation;
  i: number;
  callback: (...args: unknown[]) => unknown;
  args: unknown[];
}
