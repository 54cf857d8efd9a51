/**
 * `path` (and `path/posix`): Node's POSIX implementation, ported from Node's lib/path.js (MIT) — `join`, `resolve`
 * (from `/`, the isolate has no working directory), `normalize`, `relative`, `dirname`, `basename`, `extname`,
 * `parse`, `format`, `isAbsolute`. There is no file system: these only compute strings. `path.win32` is not provided.
 */
import { codeAt, slice } from '../safe.js';
import { basename, checkString, dirname, DOT, extname, format, parse, SLASH } from './path-parts.js';
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
