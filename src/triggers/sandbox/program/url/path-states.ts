/**
 * WHATWG URL inside the isolate: the parser's states from `path start` to `fragment`
 * (https://url.spec.whatwg.org/#path-start-state): path segments, an opaque path, the query and the fragment.
 */
import { c0Set, encodeCp, encodeString, fragmentSet, pathSet, querySet, specialQuerySet } from './encoding.js';
import {
  CONTINUE,
  FRAGMENT,
  OPAQUE_PATH,
  PATH,
  PATH_START,
  QUERY,
  isWinLetter,
  pathList,
  shortenPath,
  type Parse,
  type Step,
} from './parser-state.js';
import { special } from './record.js';

function isSingleDot(s: string): boolean {
  return s === '.' || s.toLowerCase() === '%2e';
}

function isDoubleDot(s: string): boolean {
  s = s.toLowerCase();
  return s === '..' || s === '.%2e' || s === '%2e.' || s === '%2e%2e';
}

/** One step of the states from `path start` to `fragment`, on code point `c` (undefined: the end). */
export function pathState(s: Parse, c: string | undefined): Step {
  const url = s.url;
  switch (s.state) {
    case PATH_START:
      if (special(url)) {
        s.state = PATH;
        if (c !== '/' && c !== '\\') s.p--;
      } else if (!s.override && c === '?') {
        url.query = '';
        s.state = QUERY;
      } else if (!s.override && c === '#') {
        url.fragment = '';
        s.state = FRAGMENT;
      } else if (c !== undefined) {
        s.state = PATH;
        if (c !== '/') s.p--;
      } else if (s.override && url.host === null) pathList(url).push('');
      break;
    case PATH: {
      const slash = c === '/' || (special(url) && c === '\\');
      if (c === undefined || slash || (!s.override && (c === '?' || c === '#'))) {
        if (isDoubleDot(s.buffer)) {
          shortenPath(url);
          if (!slash) pathList(url).push('');
        } else if (isSingleDot(s.buffer) && !slash) pathList(url).push('');
        else if (!isSingleDot(s.buffer)) {
          if (url.scheme === 'file' && url.path.length === 0 && isWinLetter(s.buffer)) s.buffer = s.buffer[0] + ':';
          pathList(url).push(s.buffer);
        }
        s.buffer = '';
        if (c === '?') {
          url.query = '';
          s.state = QUERY;
        }
        if (c === '#') {
          url.fragment = '';
          s.state = FRAGMENT;
        }
      } else s.buffer += encodeCp(c, pathSet);
      break;
    }
    case OPAQUE_PATH:
      if (c === '?') {
        url.query = '';
        s.state = QUERY;
      } else if (c === '#') {
        url.fragment = '';
        s.state = FRAGMENT;
      } else if (c !== undefined) url.path += encodeCp(c, c0Set);
      break;
    case QUERY:
      if (c === undefined || (!s.override && c === '#')) {
        url.query += encodeString(s.buffer, special(url) ? specialQuerySet : querySet);
        s.buffer = '';
        if (c === '#') {
          url.fragment = '';
          s.state = FRAGMENT;
        }
      } else s.buffer += c;
      break;
    case FRAGMENT:
      if (c !== undefined) url.fragment += encodeCp(c, fragmentSet);
      break;
  }
  return CONTINUE;
}
