/**
 * WHATWG URL inside the isolate: the parser's states from `authority` to `file host`
 * (https://url.spec.whatwg.org/#authority-state): userinfo, host, port, and the file scheme's host.
 */
import { encodeCp, isDigit, userinfoSet } from './encoding.js';
import { parseHost } from './host.js';
import {
  AUTHORITY,
  CONTINUE,
  FILE,
  FILE_HOST,
  FILE_SLASH,
  FRAGMENT,
  HOST,
  HOSTNAME,
  PATH,
  PATH_START,
  PORT,
  QUERY,
  isNormWinLetter,
  isWinLetter,
  pathList,
  shortenPath,
  startsWithWinLetter,
  type Parse,
  type Step,
} from './parser-state.js';
import { FAILURE, defaultPort, hasCredentials, special } from './record.js';

/** One step of the states from `authority` to `file host`, on code point `c` (undefined: the end). */
export function authorityState(s: Parse, c: string | undefined): Step {
  const url = s.url;
  const base = s.base;
  let host: ReturnType<typeof parseHost>;
  switch (s.state) {
    case AUTHORITY:
      if (c === '@') {
        if (s.atSeen) s.buffer = '%40' + s.buffer;
        s.atSeen = true;
        for (const ch of s.buffer) {
          if (ch === ':' && !s.passwordSeen) {
            s.passwordSeen = true;
            continue;
          }
          if (s.passwordSeen) url.password += encodeCp(ch, userinfoSet);
          else url.username += encodeCp(ch, userinfoSet);
        }
        s.buffer = '';
      } else if (c === undefined || c === '/' || c === '?' || c === '#' || (special(url) && c === '\\')) {
        if (s.atSeen && s.buffer === '') return FAILURE;
        s.p -= Array.from(s.buffer).length + 1;
        s.buffer = '';
        s.state = HOST;
      } else s.buffer += c;
      break;
    case HOST:
    case HOSTNAME:
      if (s.override && url.scheme === 'file') {
        s.p--;
        s.state = FILE_HOST;
      } else if (c === ':' && !s.brackets) {
        if (s.buffer === '') return FAILURE;
        if (s.override === HOSTNAME) return FAILURE;
        host = parseHost(s.buffer, !special(url));
        if (host === FAILURE) return FAILURE;
        url.host = host;
        s.buffer = '';
        s.state = PORT;
      } else if (c === undefined || c === '/' || c === '?' || c === '#' || (special(url) && c === '\\')) {
        s.p--;
        if (special(url) && s.buffer === '') return FAILURE;
        if (s.override && s.buffer === '' && (hasCredentials(url) || url.port !== null)) return FAILURE;
        host = parseHost(s.buffer, !special(url));
        if (host === FAILURE) return FAILURE;
        url.host = host;
        s.buffer = '';
        s.state = PATH_START;
        if (s.override) return url;
      } else {
        if (c === '[') s.brackets = true;
        if (c === ']') s.brackets = false;
        s.buffer += c;
      }
      break;
    case PORT:
      if (isDigit(c)) s.buffer += c;
      else if (c === undefined || c === '/' || c === '?' || c === '#' || (special(url) && c === '\\') || s.override) {
        if (s.buffer !== '') {
          const port = parseInt(s.buffer, 10);
          if (port > 65535) return FAILURE;
          url.port = port === defaultPort(url.scheme) ? null : port;
          s.buffer = '';
          if (s.override) return url;
        }
        if (s.override) return FAILURE;
        s.state = PATH_START;
        s.p--;
      } else return FAILURE;
      break;
    case FILE:
      url.scheme = 'file';
      url.host = '';
      if (c === '/' || c === '\\') s.state = FILE_SLASH;
      else if (base && base.scheme === 'file') {
        url.host = base.host;
        url.path = pathList(base).slice();
        url.query = base.query;
        if (c === '?') {
          url.query = '';
          s.state = QUERY;
        } else if (c === '#') {
          url.fragment = '';
          s.state = FRAGMENT;
        } else if (c !== undefined) {
          url.query = null;
          if (!startsWithWinLetter(s.cps, s.p)) shortenPath(url);
          else url.path = [];
          s.state = PATH;
          s.p--;
        }
      } else {
        s.state = PATH;
        s.p--;
      }
      break;
    case FILE_SLASH:
      if (c === '/' || c === '\\') s.state = FILE_HOST;
      else {
        if (base && base.scheme === 'file') {
          url.host = base.host;
          if (!startsWithWinLetter(s.cps, s.p) && base.path.length > 0 && isNormWinLetter(pathList(base)[0])) {
            pathList(url).push(pathList(base)[0]!);
          }
        }
        s.state = PATH;
        s.p--;
      }
      break;
    case FILE_HOST:
      if (c === undefined || c === '/' || c === '\\' || c === '?' || c === '#') {
        s.p--;
        if (!s.override && isWinLetter(s.buffer)) s.state = PATH;
        else if (s.buffer === '') {
          url.host = '';
          if (s.override) return url;
          s.state = PATH_START;
        } else {
          host = parseHost(s.buffer, !special(url));
          if (host === FAILURE) return FAILURE;
          url.host = host === 'localhost' ? '' : host;
          if (s.override) return url;
          s.buffer = '';
          s.state = PATH_START;
        }
      } else s.buffer += c;
      break;
  }
  return CONTINUE;
}
