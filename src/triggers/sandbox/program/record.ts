/**
 * The record: the one JSON string the host reads back per request (sandbox/record.ts parses it), written as text from
 * primitive pieces with captured intrinsics only (intrinsics.ts says why). Ending an invocation releases what it held
 * in the isolate; calls made after that are ignored.
 */
import { writeLog, releaseLogBytes } from './console.js';
import { ErrorCtor, JSONstringify, StringCtor } from './intrinsics.js';
import { current, forgetCall, refusedCallsJson, setCurrent, unfinishedCall, type Invocation } from './invocation.js';
import { ioOut } from './io.js';
import { flatten, joined, pairJson, stringsJson } from './json-text.js';
import { slice } from './safe.js';
import { cancelTimers } from './timers.js';

/** A thrown value as the record and the console describe it. */
export interface ErrorDescription {
  name: string;
  message: string;
  stack: string;
}

/** Reads a thrown value without letting it throw again. */
export function describeError(e: unknown): ErrorDescription {
  try {
    if (e !== null && typeof e === 'object') {
      // Each property read once: a getter may answer differently the second time.
      const error = e as { name?: unknown; stack?: unknown; message?: unknown };
      const name = error.name;
      const stack = error.stack;
      return {
        name: typeof name === 'string' ? name : 'Error',
        message: slice(StringCtor(error.message), 0, 2000),
        stack: typeof stack === 'string' ? slice(stack, 0, 4000) : '',
      };
    }
    return { name: 'Error', message: slice('Uncaught ' + StringCtor(e), 0, 2000), stack: '' };
  } catch {
    return { name: 'Error', message: 'Uncaught exception', stack: '' };
  }
}

/** Ends what an invocation holds in the isolate: its console bytes, its pending timers. */
function release(inv: Invocation): void {
  inv.done = true;
  if (current === inv) setCurrent(null);
  forgetCall(inv);
  releaseLogBytes(inv);
  if (inv.timers !== null) cancelTimers(inv);
}

/** Ends an invocation once: the JSON record the host reads. Calls made after this are ignored. */
export function finish(inv: Invocation, failed: boolean, err?: unknown): string {
  if (inv.done) return inv.record!;
  if (!failed && inv.uncaught !== undefined) {
    failed = true;
    err = inv.uncaught;
  }
  const error = failed ? describeError(err) : null;
  if (error !== null) {
    writeLog(inv, 'error', ['Uncaught ' + (error.stack !== '' ? error.stack : error.name + ': ' + error.message)]);
  }
  release(inv);
  const denial = inv.denial;
  let claims = '';
  for (let i = 0; i < inv.names.length; i++) {
    claims = joined(claims, pairJson(inv.names[i]!, inv.claims[inv.names[i]!]!));
  }
  // io first: the host reads it off the front of the string (runtime/version-isolate.ts, ioOutAfter).
  inv.record =
    '{"io":' +
    ioOut() +
    ',"outcome":"' +
    (denial !== null ? 'denied' : failed ? 'error' : 'ok') +
    '"' +
    ',"denial":' +
    (denial === null
      ? 'null'
      : '{"code":' +
        JSONstringify(typeof denial.code === 'string' ? denial.code : 'server_error') +
        ',"reason":' +
        JSONstringify(typeof denial.reason === 'string' ? denial.reason : '') +
        '}') +
    ',"error":' +
    (error === null
      ? 'null'
      : '{"name":' + JSONstringify(error.name) + ',"message":' + JSONstringify(error.message) + '}') +
    ',"claims":[' +
    claims +
    '],"refused":[' +
    inv.refused +
    ']' +
    ',"target":' +
    (inv.target === null ? 'null' : stringsJson(inv.target)) +
    ',"logs":[' +
    inv.logs +
    '],"logsTruncated":' +
    (inv.logsTruncated ? 'true' : 'false') +
    (inv.risk === null ? '' : ',"risk":' + JSONstringify(inv.risk)) +
    refusedCallsJson(inv) +
    '}';
  flatten(inv.record);
  return inv.record;
}

/**
 * Ends an invocation the host stopped (out of time): its console so far, as JSON, or null when it already ended.
 * Whatever the action still does afterwards is ignored, as after {@link finish}.
 */
export function drain(q: number): string | null {
  const inv = unfinishedCall(q);
  if (inv === undefined) return null;
  release(inv);
  return (
    '{"logs":[' + inv.logs + '],"logsTruncated":' + (inv.logsTruncated ? 'true' : 'false') + refusedCallsJson(inv) + '}'
  );
}

/** The record of a call whose own sandbox code failed (the action replaced something it relies on). */
export function brokenRecord(e?: unknown): string {
  const error = describeError(e === undefined ? new ErrorCtor('The action returned no record') : e);
  // Text from primitive pieces, as finish() writes: the action may have polluted what JSON.stringify would consult.
  return (
    '{"io":' +
    ioOut() +
    ',"outcome":"error","denial":null,"error":{"name":' +
    JSONstringify(StringCtor(error.name)) +
    ',"message":' +
    JSONstringify(StringCtor(error.message)) +
    '},"claims":[],"refused":[],"target":null,"logs":[],"logsTruncated":false}'
  );
}
