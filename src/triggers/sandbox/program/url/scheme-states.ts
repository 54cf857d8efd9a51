/**
 * WHATWG URL inside the isolate: the parser's states from `scheme start` to `special authority ignore slashes`
 * (https://url.spec.whatwg.org/#scheme-start-state): the scheme, and what a relative URL takes from its base.
 */
import { isAlpha } from './encoding.js';
import {
  AUTHORITY,
  CONTINUE,
  FILE,
  FRAGMENT,
  NO_SCHEME,
  PATH,
  PATH_OR_AUTHORITY,
  QUERY,
  RELATIVE,
  RELATIVE_SLASH,
  SCHEME,
  SCHEME_START,
  SPECIAL_AUTHORITY_IGNORE_SLASHES,
  SPECIAL_AUTHORITY_SLASHES,
  SPECIAL_RELATIVE_OR_AUTHORITY,
  OPAQUE_PATH,
  copyAuthority,
  pathList,
  shortenPath,
  type Parse,
  type Step,
} from './parser-state.js';
import { FAILURE, defaultPort, hasCredentials, isSpecialScheme, special } from './record.js';

/** One step of the states up to `special authority ignore slashes`, on code point `c` (undefined: the end). */
export function schemeState(s: Parse, c: string | undefined): Step {
  const url = s.url;
  const base = s.base;
  switch (s.state) {
    case SCHEME_START:
      if (isAlpha(c)) {
        s.buffer += c.toLowerCase();
        s.state = SCHEME;
      } else if (!s.override) {
        s.state = NO_SCHEME;
        s.p--;
      } else return FAILURE;
      break;
    case SCHEME:
      if (c !== undefined && /^[A-Za-z0-9+\-.]$/.test(c)) s.buffer += c.toLowerCase();
      else if (c === ':') {
        if (s.override) {
          if (isSpecialScheme(url.scheme) !== isSpecialScheme(s.buffer)) return url;
          if ((hasCredentials(url) || url.port !== null) && s.buffer === 'file') return url;
          if (url.scheme === 'file' && url.host === '') return url;
        }
        url.scheme = s.buffer;
        if (s.override) {
          if (url.port === defaultPort(url.scheme)) url.port = null;
          return url;
        }
        s.buffer = '';
        if (url.scheme === 'file') s.state = FILE;
        else if (special(url) && base && base.scheme === url.scheme) s.state = SPECIAL_RELATIVE_OR_AUTHORITY;
        else if (special(url)) s.state = SPECIAL_AUTHORITY_SLASHES;
        else if (s.cps[s.p + 1] === '/') {
          s.state = PATH_OR_AUTHORITY;
          s.p++;
        } else {
          url.path = '';
          s.state = OPAQUE_PATH;
        }
      } else if (!s.override) {
        s.buffer = '';
        s.state = NO_SCHEME;
        s.p = -1;
      } else return FAILURE;
      break;
    case NO_SCHEME:
      if (!base || (typeof base.path === 'string' && c !== '#')) return FAILURE;
      if (typeof base.path === 'string') {
        url.scheme = base.scheme;
        url.path = base.path;
        url.query = base.query;
        url.fragment = '';
        s.state = FRAGMENT;
      } else {
        s.state = base.scheme !== 'file' ? RELATIVE : FILE;
        s.p--;
      }
      break;
    case SPECIAL_RELATIVE_OR_AUTHORITY:
      if (c === '/' && s.cps[s.p + 1] === '/') {
        s.state = SPECIAL_AUTHORITY_IGNORE_SLASHES;
        s.p++;
      } else {
        s.state = RELATIVE;
        s.p--;
      }
      break;
    case PATH_OR_AUTHORITY:
      if (c === '/') s.state = AUTHORITY;
      else {
        s.state = PATH;
        s.p--;
      }
      break;
    case RELATIVE:
      url.scheme = base!.scheme;
      if (c === '/' || (special(url) && c === '\\')) s.state = RELATIVE_SLASH;
      else {
        copyAuthority(url, base!);
        url.path = pathList(base!).slice();
        url.query = base!.query;
        if (c === '?') {
          url.query = '';
          s.state = QUERY;
        } else if (c === '#') {
          url.fragment = '';
          s.state = FRAGMENT;
        } else if (c !== undefined) {
          url.query = null;
          shortenPath(url);
          s.state = PATH;
          s.p--;
        }
      }
      break;
    case RELATIVE_SLASH:
      if (special(url) && (c === '/' || c === '\\')) s.state = SPECIAL_AUTHORITY_IGNORE_SLASHES;
      else if (c === '/') s.state = AUTHORITY;
      else {
        copyAuthority(url, base!);
        s.state = PATH;
        s.p--;
      }
      break;
    case SPECIAL_AUTHORITY_SLASHES:
      s.state = SPECIAL_AUTHORITY_IGNORE_SLASHES;
      if (c === '/' && s.cps[s.p + 1] === '/') s.p++;
      else s.p--;
      break;
    case SPECIAL_AUTHORITY_IGNORE_SLASHES:
      if (c !== '/' && c !== '\\') {
        s.state = AUTHORITY;
        s.p--;
      }
      break;
  }
  return CONTINUE;
}
