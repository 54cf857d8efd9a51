/**
 * How the console prints values, as Node's does in the cases actions use: `%` directives, strings as they are,
 * errors by their stack, objects as JSON with `[Circular]`. The action's values may run its code while printed (a
 * getter, a toJSON), as in Node; the formatting itself uses captured intrinsics only.
 */
import {
  ErrorCtor,
  JSONstringify,
  NumberCtor,
  StringCtor,
  objectToString,
  parseFloatFn,
  parseIntFn,
  reflectApply,
  stringIndexOf,
  symbolToString,
} from './intrinsics.js';
import { append, codeAt, list, slice } from './safe.js';

/** Something with a `name`, as functions are. */
type Named = { name?: unknown };

/** One value as the console prints it; `seen` (inside a format or a structure) quotes strings. */
export function inspect(v: unknown, seen: boolean): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return seen ? JSONstringify(v) : v;
    case 'undefined':
      return 'undefined';
    case 'bigint':
      return StringCtor(v) + 'n';
    case 'symbol':
      return reflectApply(symbolToString, v, []);
    case 'function':
      return '[Function: ' + ((v as Named).name || '(anonymous)') + ']';
    case 'object':
      break;
    default:
      return StringCtor(v);
  }
  if (v instanceof ErrorCtor) {
    const stack = v.stack;
    return typeof stack === 'string' ? stack : v.name + ': ' + v.message;
  }
  const path = list<unknown>();
  try {
    return JSONstringify(v, function (this: unknown, _key: string, value: unknown) {
      if (typeof value === 'bigint') return StringCtor(value) + 'n';
      if (typeof value === 'function') return '[Function: ' + ((value as Named).name || '(anonymous)') + ']';
      if (value === undefined) return 'undefined';
      if (typeof value === 'object' && value !== null) {
        while (path.length > 0 && path[path.length - 1] !== this) path.length--;
        for (let i = 0; i < path.length; i++) if (path[i] === value) return '[Circular]';
        append(path, value);
      }
      return value;
    });
  } catch {
    return reflectApply(objectToString, v, []);
  }
}

/** One % directive of a console format string (%s %d %i %f %j %o %O %c), or undefined when `c` is none. */
function directive(c: number, a: unknown): string | undefined {
  switch (c) {
    case 0x73: // %s
      return typeof a === 'string' ? a : inspect(a, false);
    case 0x64: // %d
    case 0x69: // %i
      return typeof a === 'object' ? 'NaN' : StringCtor(c === 0x69 ? parseIntFn(a as string, 10) : NumberCtor(a));
    case 0x66: // %f
      return StringCtor(parseFloatFn(a as string));
    case 0x63: // %c
      return '';
    case 0x6a: // %j
    case 0x6f: // %o
    case 0x4f: // %O
      return inspect(a, true);
    default:
      return undefined;
  }
}

/** A console call's arguments as one line, as Node's util.format writes them. */
export function formatLog(args: readonly unknown[]): string {
  let out = '';
  let i = 0;
  if (typeof args[0] === 'string' && args.length > 1 && reflectApply(stringIndexOf, args[0], ['%']) >= 0) {
    const f = args[0];
    let from = 0;
    i = 1;
    for (let k = 0; k < f.length - 1; k++) {
      if (codeAt(f, k) !== 0x25) continue;
      const c = codeAt(f, k + 1);
      const text = c === 0x25 ? '%' : i < args.length ? directive(c, args[i]) : undefined;
      if (text === undefined) continue;
      if (c !== 0x25) i++;
      out += slice(f, from, k) + text;
      from = k + 2;
      k++;
    }
    out += slice(f, from, f.length);
  } else if (args.length > 0) {
    out = inspect(args[0], false);
    i = 1;
  }
  for (; i < args.length; i++) out += ' ' + inspect(args[i], false);
  return out;
}
