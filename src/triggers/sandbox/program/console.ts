/**
 * `console`, captured per invocation: each line goes to the invocation whose code runs now, bounded to
 * `config.maxLogBytes` of UTF-8 and {@link MAX_LOG_LINES} lines per invocation, and to {@link MAX_ISOLATE_LOG_BYTES}
 * for all unfinished invocations of the isolate together. Past a bound the line is cut or dropped, the invocation's
 * console is marked truncated and the refusal counted (`refused_calls.console`).
 */
import { config } from './host.js';
import { arraySlice, reflectApply } from './intrinsics.js';
import { formatLog } from './format.js';
import { current, refuseCall, type Invocation } from './invocation.js';
import { joined, pairJson, truncateUtf8, utf8Length } from './json-text.js';

/** Console lines one invocation may write (empty ones cost no bytes, so the byte bound alone would not stop them). */
const MAX_LOG_LINES = 1000;
/** Console bytes all unfinished invocations of this isolate may hold together. */
const MAX_ISOLATE_LOG_BYTES = Math.max(1048576, config.maxLogBytes * 16);
let isolateLogBytes = 0;

/** Writes one console line of `level` to `inv` (ignored once it ended). */
export function writeLog(inv: Invocation | null, level: string, args: readonly unknown[]): void {
  if (inv === null || inv.done) return;
  if (inv.logsTruncated || inv.logLines >= MAX_LOG_LINES) {
    inv.logsTruncated = true;
    return refuseCall(inv, 'console');
  }
  let message: unknown;
  try {
    message = formatLog(args);
  } catch {
    message = '[unprintable]';
  }
  if (typeof message !== 'string') message = '[unprintable]';
  let text = message as string;
  let bytes = utf8Length(text);
  let room = config.maxLogBytes - inv.logBytes;
  const isolateRoom = MAX_ISOLATE_LOG_BYTES - isolateLogBytes;
  if (isolateRoom < room) room = isolateRoom;
  if (bytes > room) {
    refuseCall(inv, 'console');
    inv.logsTruncated = true;
    text = truncateUtf8(text, room);
    if (text === '') return;
    bytes = utf8Length(text);
  }
  inv.logs = joined(inv.logs, pairJson(level, text));
  inv.logLines++;
  inv.logBytes += bytes;
  isolateLogBytes += bytes;
}

/** Gives back the console bytes an invocation that ended held against the isolate's bound. */
export function releaseLogBytes(inv: Invocation): void {
  isolateLogBytes -= inv.logBytes;
}

/** The `console` global. */
export const consoleObject: Record<string, (...args: unknown[]) => void> = {};
['log', 'info', 'warn', 'error', 'debug'].forEach(function (level) {
  consoleObject[level] = function () {
    // eslint-disable-next-line prefer-rest-params -- arguments as the action passed them, copied by a captured slice
    writeLog(current, level, reflectApply(arraySlice, arguments, []));
  };
});
consoleObject.trace = consoleObject.debug!;
consoleObject.dir = consoleObject.log!;
