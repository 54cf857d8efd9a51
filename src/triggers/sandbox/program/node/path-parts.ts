/**
 * The parts of a POSIX path, for `path` (path.ts): `dirname`, `basename`, `extname`, `parse` and `format`, ported from
 * Node's lib/path.js (MIT) like the rest of the module.
 */
import { StringCtor, TypeErrorCtor } from '../intrinsics.js';
import { codeAt, slice } from '../safe.js';

export const SLASH = 47;
export const DOT = 46;

/** `value` when it is a string, else Node's ERR_INVALID_ARG_TYPE naming the argument. */
export function checkString(value: unknown, name: string): string {
  if (typeof value !== 'string') {
    const error = new TypeErrorCtor(
      'The "' + name + '" argument must be of type string. Received ' + (value === null ? 'null' : typeof value),
    ) as TypeError & { code: string };
    error.code = 'ERR_INVALID_ARG_TYPE';
    throw error;
  }
  return value;
}

export function dirname(given: unknown): string {
  const path = checkString(given, 'path');
  if (path.length === 0) return '.';
  const hasRoot = codeAt(path, 0) === SLASH;
  let end = -1;
  let matchedSlash = true;
  for (let i = path.length - 1; i >= 1; --i) {
    if (codeAt(path, i) === SLASH) {
      if (!matchedSlash) {
        end = i;
        break;
      }
    } else matchedSlash = false;
  }
  if (end === -1) return hasRoot ? '/' : '.';
  if (hasRoot && end === 1) return '//';
  return slice(path, 0, end);
}

export function basename(given: unknown, suffix?: unknown): string {
  const path = checkString(given, 'path');
  if (suffix !== undefined) checkString(suffix, 'suffix');
  let start = 0;
  let end = -1;
  let matchedSlash = true;
  if (typeof suffix === 'string' && suffix.length > 0 && suffix.length <= path.length) {
    if (suffix === path) return '';
    let extIdx = suffix.length - 1;
    let firstNonSlashEnd = -1;
    for (let i = path.length - 1; i >= 0; --i) {
      const code = codeAt(path, i);
      if (code === SLASH) {
        if (!matchedSlash) {
          start = i + 1;
          break;
        }
      } else {
        if (firstNonSlashEnd === -1) {
          matchedSlash = false;
          firstNonSlashEnd = i + 1;
        }
        if (extIdx >= 0) {
          if (code === codeAt(suffix, extIdx)) {
            if (--extIdx === -1) end = i;
          } else {
            extIdx = -1;
            end = firstNonSlashEnd;
          }
        }
      }
    }
    if (start === end) end = firstNonSlashEnd;
    else if (end === -1) end = path.length;
    return slice(path, start, end);
  }
  for (let i = path.length - 1; i >= 0; --i) {
    if (codeAt(path, i) === SLASH) {
      if (!matchedSlash) {
        start = i + 1;
        break;
      }
    } else if (end === -1) {
      matchedSlash = false;
      end = i + 1;
    }
  }
  return end === -1 ? '' : slice(path, start, end);
}

/** What parse() answers. */
interface Parsed {
  root: string;
  dir: string;
  base: string;
  ext: string;
  name: string;
}

export function parse(given: unknown): Parsed {
  const path = checkString(given, 'path');
  const ret: Parsed = { root: '', dir: '', base: '', ext: '', name: '' };
  if (path.length === 0) return ret;
  const absolute = codeAt(path, 0) === SLASH;
  let start = 0;
  if (absolute) {
    ret.root = '/';
    start = 1;
  }
  let startDot = -1;
  let startPart = 0;
  let end = -1;
  let matchedSlash = true;
  let preDotState = 0;
  for (let i = path.length - 1; i >= start; --i) {
    const code = codeAt(path, i);
    if (code === SLASH) {
      if (!matchedSlash) {
        startPart = i + 1;
        break;
      }
      continue;
    }
    if (end === -1) {
      matchedSlash = false;
      end = i + 1;
    }
    if (code === DOT) {
      if (startDot === -1) startDot = i;
      else if (preDotState !== 1) preDotState = 1;
    } else if (startDot !== -1) preDotState = -1;
  }
  if (end !== -1) {
    const from = startPart === 0 && absolute ? 1 : startPart;
    if (
      startDot === -1 ||
      preDotState === 0 ||
      (preDotState === 1 && startDot === end - 1 && startDot === startPart + 1)
    ) {
      ret.base = ret.name = slice(path, from, end);
    } else {
      ret.name = slice(path, from, startDot);
      ret.base = slice(path, from, end);
      ret.ext = slice(path, startDot, end);
    }
  }
  if (startPart > 0) ret.dir = slice(path, 0, startPart - 1);
  else if (absolute) ret.dir = '/';
  return ret;
}

export function extname(path: unknown): string {
  return parse(path).ext;
}

export function format(pathObject: unknown): string {
  if (pathObject === null || typeof pathObject !== 'object') {
    throw new TypeErrorCtor('The "pathObject" argument must be of type object. Received ' + StringCtor(pathObject));
  }
  const o = pathObject as Partial<Record<keyof Parsed, string>>;
  const dir = o.dir || o.root;
  const ext = o.ext ? (o.ext[0] === '.' ? o.ext : '.' + o.ext) : '';
  const base = o.base || (o.name || '') + ext;
  if (!dir) return base;
  return dir === o.root ? dir + base : dir + '/' + base;
}
