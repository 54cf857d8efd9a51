/**
 * WHATWG URL inside the isolate: what the basic URL parser's states share (https://url.spec.whatwg.org/#url-parsing)
 * — the state numbers, the parser's variables as one object, and the path helpers. parser.ts runs the states, which
 * live in scheme-states.ts, authority-states.ts and path-states.ts, grouped as the spec lists them.
 */
import { isAlpha } from './encoding.js';
import type { Failure, UrlRecord } from './record.js';

// The states, numbered in the spec's order: parser.ts hands each range to its file.
export const SCHEME_START = 1;
export const SCHEME = 2;
export const NO_SCHEME = 3;
export const SPECIAL_RELATIVE_OR_AUTHORITY = 4;
export const PATH_OR_AUTHORITY = 5;
export const RELATIVE = 6;
export const RELATIVE_SLASH = 7;
export const SPECIAL_AUTHORITY_SLASHES = 8;
export const SPECIAL_AUTHORITY_IGNORE_SLASHES = 9;
export const AUTHORITY = 10;
export const HOST = 11;
export const HOSTNAME = 12;
export const PORT = 13;
export const FILE = 14;
export const FILE_SLASH = 15;
export const FILE_HOST = 16;
export const PATH_START = 17;
export const PATH = 18;
export const OPAQUE_PATH = 19;
export const QUERY = 20;
export const FRAGMENT = 21;

/** The spec's variables of one run of the parser; `p` is the pointer into the code points `cps`. */
export interface Parse {
  url: UrlRecord;
  base: UrlRecord | null;
  /** The state override of a setter, or 0. */
  override: number;
  state: number;
  buffer: string;
  atSeen: boolean;
  brackets: boolean;
  passwordSeen: boolean;
  cps: string[];
  p: number;
}

/** What a state answers: go on with the next code point, or the parse's result. */
export const CONTINUE: unique symbol = Symbol('continue');
/** The type of a state's answer. */
export type Step = UrlRecord | Failure | typeof CONTINUE;

/** https://url.spec.whatwg.org/#windows-drive-letter */
export function isWinLetter(s: string): boolean {
  return s.length === 2 && isAlpha(s[0]) && (s[1] === ':' || s[1] === '|');
}

/** https://url.spec.whatwg.org/#normalized-windows-drive-letter */
export function isNormWinLetter(s: string | undefined): boolean {
  return s !== undefined && s.length === 2 && isAlpha(s[0]) && s[1] === ':';
}

/** https://url.spec.whatwg.org/#start-with-a-windows-drive-letter */
export function startsWithWinLetter(cps: string[], p: number): boolean {
  if (cps.length - p < 2 || !isAlpha(cps[p]) || (cps[p + 1] !== ':' && cps[p + 1] !== '|')) return false;
  const c = cps[p + 2];
  return cps.length - p === 2 || c === '/' || c === '\\' || c === '?' || c === '#';
}

/** The path as a list: every state that reaches it has one (an opaque path only ever reaches OPAQUE_PATH). */
export function pathList(url: UrlRecord): string[] {
  return url.path as string[];
}

/** https://url.spec.whatwg.org/#shorten-a-urls-path */
export function shortenPath(url: UrlRecord): void {
  if (url.scheme === 'file' && url.path.length === 1 && isNormWinLetter(pathList(url)[0])) return;
  pathList(url).pop();
}

/** A relative URL takes its base's userinfo, host and port. */
export function copyAuthority(url: UrlRecord, base: UrlRecord): void {
  url.username = base.username;
  url.password = base.password;
  url.host = base.host;
  url.port = base.port;
}
