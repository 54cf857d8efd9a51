/**
 * `path` (and `path/posix`): Node's POSIX implementation, ported from Node's lib/path.js (MIT) — `join`, `resolve`
 * (from `/`, the isolate has no working directory), `normalize`, `relative`, `dirname`, `basename`, `extname`,
 * `parse`, `format`, `isAbsolute`. There is no file system: these only compute strings. `path.win32` is not provided.
 */
import { StringCtor, TypeErrorCtor } from '../intrinsics.js';
import { codeAt, slice } from '../safe.js';

const SLASH = 47;
const DOT = 46;

function checkString(value: unknown, name: string): string {
  if (typeof value !== 'string') {
    const error = new TypeErrorCtor(
      'The "' + name + '" argument must be of type string. Received ' + (value === null ? 'null' : typeof value),
    ) as TypeError & { code: string };
    error.code = 'ERR_INVALID_ARG_TYPE';
    throw error;
  }
  return value;
}

/** Resolves `.` and `..` segments (Node's normalizeString, POSIX). */
function normalizeString(path: string, allowAboveRoot: boolean): string {
  let res = '';
  let lastSegmentLength = 0;
  let lastSlash = -1;
  let dots = 0;
  let code = 0;
  for (let i = 0; i <= path.length; ++i) {
    if (i < path.length) code = codeAt(path, i);
    else if (code === SLASH) break;
    else code = SLASH;
    if (code === SLASH) {
      if (lastSlash === i - 1 || dots === 1) {
        // an empty or `.` segment
      } else if (dots === 2) {
        if (
          res.length < 2 ||
          lastSegmentLength !== 2 ||
          codeAt(res, res.length - 1) !== DOT ||
          codeAt(res, res.length - 2) !== DOT
        ) {
          if (res.length > 2) {
            const lastSlashIndex = res.lastIndexOf('/');
            if (lastSlashIndex === -1) {
              res = '';
              lastSegmentLength = 0;
            } else {
              res = slice(res, 0, lastSlashIndex);
              lastSegmentLength = res.length - 1 - res.lastIndexOf('/');
            }
            lastSlash = i;
            dots = 0;
            continue;
          } else if (res.length !== 0) {
            res = '';
            lastSegmentLength = 0;
            lastSlash = i;
            dots = 0;
            continue;
          }
        }
        if (allowAboveRoot) {
          res += res.length > 0 ? '/..' : '..';
          lastSegmentLength = 2;
        }
      } else {
        if (res.length > 0) res += '/' + slice(path, lastSlash + 1, i);
        else res = slice(path, lastSlash + 1, i);
        lastSegmentLength = i - lastSlash - 1;
      }
      lastSlash = i;
      dots = 0;
    } else if (code === DOT && dots !== -1) ++dots;
    else dots = -1;
  }
  return res;
}

function resolve(...paths: unknown[]): string {
  let resolvedPath = '';
  let resolvedAbsolute = false;
  for (let i = paths.length - 1; i >= -1 && !resolvedAbsolute; i--) {
    const path = i >= 0 ? checkString(paths[i], 'paths[' + i + ']') : '/';
    if (path.length === 0) continue;
    resolvedPath = path + '/' + resolvedPath;
    resolvedAbsolute = codeAt(path, 0) === SLASH;
  }
  resolvedPath = normalizeString(resolvedPath, !resolvedAbsolute);
  if (resolvedAbsolute) return '/' + resolvedPath;
  return resolvedPath.length > 0 ? resolvedPath : '.';
}

function normalize(given: unknown): string {
  let path = checkString(given, 'path');
  if (path.length === 0) return '.';
  const isAbsolute = codeAt(path, 0) === SLASH;
  const trailingSeparator = codeAt(path, path.length - 1) === SLASH;
  path = normalizeString(path, !isAbsolute);
  if (path.length === 0) {
    if (isAbsolute) return '/';
    return trailingSeparator ? './' : '.';
  }
  if (trailingSeparator) path += '/';
  return isAbsolute ? '/' + path : path;
}

function isAbsolute(path: unknown): boolean {
  const s = checkString(path, 'path');
  return s.length > 0 && codeAt(s, 0) === SLASH;
}

function join(...paths: unknown[]): string {
  let joined: string | undefined;
  for (let i = 0; i < paths.length; ++i) {
    const arg = checkString(paths[i], 'path');
    if (arg.length > 0) joined = joined === undefined ? arg : joined + '/' + arg;
  }
  return joined === undefined ? '.' : normalize(joined);
}

function relative(fromGiven: unknown, toGiven: unknown): string {
  checkString(fromGiven, 'from');
  checkString(toGiven, 'to');
  if (fromGiven === toGiven) return '';
  const from = resolve(fromGiven);
  const to = resolve(toGiven);
  if (from === to) return '';
  const fromStart = 1;
  const fromEnd = from.length;
  const fromLen = fromEnd - fromStart;
  const toStart = 1;
  const toLen = to.length - toStart;
  const length = fromLen < toLen ? fromLen : toLen;
  let lastCommonSep = -1;
  let i = 0;
  for (; i < length; i++) {
    const fromCode = codeAt(from, fromStart + i);
    if (fromCode !== codeAt(to, toStart + i)) break;
    else if (fromCode === SLASH) lastCommonSep = i;
  }
  if (i === length) {
    if (toLen > length) {
      if (codeAt(to, toStart + i) === SLASH) return slice(to, toStart + i + 1);
      if (i === 0) return slice(to, toStart + i);
    } else if (fromLen > length) {
      if (codeAt(from, fromStart + i) === SLASH) lastCommonSep = i;
      else if (i === 0) lastCommonSep = 0;
    }
  }
  let out = '';
  for (i = fromStart + lastCommonSep + 1; i <= fromEnd; ++i) {
    if (i === fromEnd || codeAt(from, i) === SLASH) out += out.length === 0 ? '..' : '/..';
  }
  return out + slice(to, toStart + lastCommonSep);
}

function dirname(given: unknown): string {
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

function basename(given: unknown, suffix?: unknown): string {
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

function parse(given: unknown): Parsed {
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

function extname(path: unknown): string {
  return parse(path).ext;
}

function format(pathObject: unknown): string {
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

/** Makes the `path` module. */
export function makePath(): Record<string, unknown> {
  const path: Record<string, unknown> = {
    sep: '/',
    delimiter: ':',
    resolve,
    normalize,
    isAbsolute,
    join,
    relative,
    dirname,
    basename,
    extname,
    parse,
    format,
    toNamespacedPath: function (p: unknown) {
      return p;
    },
  };
  path.posix = path;
  return path;
}
