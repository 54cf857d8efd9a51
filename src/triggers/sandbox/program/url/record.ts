/**
 * WHATWG URL inside the isolate: the URL record the parser fills, its serializer, and special schemes
 * (https://url.spec.whatwg.org/#concept-url). V8 has no URL of its own; Kinde's `url` binding and Auth0's Node
 * runtime both give actions `URL` and `URLSearchParams`, so the sandbox carries a compact, spec-following one:
 * record.ts, encoding.ts, host.ts and parser.ts, under the classes in url.ts and search-params.ts.
 */

/** What a parser step answers when the input is no URL (a host, a port, a whole URL). */
export const FAILURE: unique symbol = Symbol('failure');
/** The type of {@link FAILURE}. */
export type Failure = typeof FAILURE;

/** A URL record; `path` is a string when the URL has an opaque path (`mailto:x`). */
export interface UrlRecord {
  scheme: string;
  username: string;
  password: string;
  host: string | null;
  port: number | null;
  path: string[] | string;
  query: string | null;
  fragment: string | null;
}

/** An empty URL record, for the parser to fill. */
export function newRecord(): UrlRecord {
  return { scheme: '', username: '', password: '', host: null, port: null, path: [], query: null, fragment: null };
}

const SPECIAL_PORTS: Record<string, number | null> = { ftp: 21, file: null, http: 80, https: 443, ws: 80, wss: 443 };
const hasOwn = Object.prototype.hasOwnProperty;

/** https://url.spec.whatwg.org/#special-scheme */
export function isSpecialScheme(s: string): boolean {
  return hasOwn.call(SPECIAL_PORTS, s);
}

/** https://url.spec.whatwg.org/#default-port */
export function defaultPort(s: string): number | null | undefined {
  return isSpecialScheme(s) ? SPECIAL_PORTS[s] : null;
}

/** Whether `url`'s scheme is special. */
export function special(url: UrlRecord): boolean {
  return isSpecialScheme(url.scheme);
}

/** https://url.spec.whatwg.org/#include-credentials */
export function hasCredentials(url: UrlRecord): boolean {
  return url.username !== '' || url.password !== '';
}

/** https://url.spec.whatwg.org/#url-path-serializer */
export function serializePath(url: UrlRecord): string {
  return typeof url.path === 'string' ? url.path : url.path.length ? '/' + url.path.join('/') : '';
}

/** https://url.spec.whatwg.org/#concept-url-serializer */
export function serialize(url: UrlRecord, noFragment?: boolean): string {
  let out = url.scheme + ':';
  if (url.host !== null) {
    out += '//';
    if (hasCredentials(url)) out += url.username + (url.password !== '' ? ':' + url.password : '') + '@';
    out += url.host + (url.port !== null ? ':' + url.port : '');
  } else if (typeof url.path !== 'string' && url.path.length > 1 && url.path[0] === '') out += '/.';
  out += serializePath(url);
  if (url.query !== null) out += '?' + url.query;
  if (!noFragment && url.fragment !== null) out += '#' + url.fragment;
  return out;
}

/** https://url.spec.whatwg.org/#potentially-strip-trailing-spaces-from-an-opaque-path */
export function stripOpaqueSpaces(url: UrlRecord): void {
  if (typeof url.path !== 'string' || url.fragment !== null || url.query !== null) return;
  url.path = url.path.replace(/ +$/, '');
}
