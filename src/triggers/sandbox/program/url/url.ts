/** WHATWG URL inside the isolate: the `URL` class (https://url.spec.whatwg.org/#url-class) over a URL record. */
import { encodeString, toUSV, userinfoSet } from './encoding.js';
import { needArgs } from './form.js';
import { FRAGMENT, HOST, HOSTNAME, PATH_START, PORT, QUERY, SCHEME_START, basicParse } from './parser.js';
import { FAILURE, serialize, serializePath, special, stripOpaqueSpaces, type UrlRecord } from './record.js';
import { URLSearchParams, attachParams, resetParams } from './search-params.js';

/** `URL`: its getters read the record, its setters run the parser from a state override. */
export class URL {
  #r: UrlRecord;
  #params: URLSearchParams;
  constructor(url: unknown, base?: unknown) {
    needArgs(1, arguments.length, 'URL');
    let b: UrlRecord | null = null;
    if (base !== undefined) {
      const parsed = basicParse(toUSV(base), null);
      if (parsed === FAILURE) throw new TypeError('Invalid base URL');
      b = parsed;
    }
    const r = basicParse(toUSV(url), b);
    if (r === FAILURE) throw new TypeError('Invalid URL');
    this.#r = r;
    this.#params = new URLSearchParams();
    attachParams(this.#params, r, r.query);
  }
  static canParse(url: unknown, base?: unknown): boolean {
    try {
      makeURL(url, base);
      return true;
    } catch {
      return false;
    }
  }
  static parse(url: unknown, base?: unknown): URL | null {
    try {
      return makeURL(url, base);
    } catch {
      return null;
    }
  }
  get href(): string {
    return serialize(this.#r);
  }
  set href(v: unknown) {
    const r = basicParse(toUSV(v), null);
    if (r === FAILURE) throw new TypeError('Invalid URL');
    this.#r = r;
    attachParams(this.#params, r, r.query);
  }
  get origin(): string {
    const r = this.#r;
    if (r.scheme === 'blob') {
      const inner = typeof r.path === 'string' ? basicParse(r.path, null) : FAILURE;
      return inner !== FAILURE && (inner.scheme === 'http' || inner.scheme === 'https')
        ? makeURL(serialize(inner), undefined).origin
        : 'null';
    }
    if (!special(r) || r.scheme === 'file') return 'null';
    return r.scheme + '://' + r.host + (r.port !== null ? ':' + r.port : '');
  }
  get protocol(): string {
    return this.#r.scheme + ':';
  }
  set protocol(v: unknown) {
    basicParse(toUSV(v) + ':', null, this.#r, SCHEME_START);
  }
  get username(): string {
    return this.#r.username;
  }
  set username(v: unknown) {
    const r = this.#r;
    if (r.host === null || r.host === '' || r.scheme === 'file') return;
    r.username = encodeString(toUSV(v), userinfoSet);
  }
  get password(): string {
    return this.#r.password;
  }
  set password(v: unknown) {
    const r = this.#r;
    if (r.host === null || r.host === '' || r.scheme === 'file') return;
    r.password = encodeString(toUSV(v), userinfoSet);
  }
  get host(): string {
    const r = this.#r;
    return r.host === null ? '' : r.port === null ? r.host : r.host + ':' + r.port;
  }
  set host(v: unknown) {
    if (typeof this.#r.path !== 'string') basicParse(toUSV(v), null, this.#r, HOST);
  }
  get hostname(): string {
    return this.#r.host === null ? '' : this.#r.host;
  }
  set hostname(v: unknown) {
    if (typeof this.#r.path !== 'string') basicParse(toUSV(v), null, this.#r, HOSTNAME);
  }
  get port(): string {
    return this.#r.port === null ? '' : String(this.#r.port);
  }
  set port(v: unknown) {
    const r = this.#r;
    if (r.host === null || r.host === '' || r.scheme === 'file') return;
    const s = toUSV(v);
    if (s === '') r.port = null;
    else basicParse(s, null, r, PORT);
  }
  get pathname(): string {
    return serializePath(this.#r);
  }
  set pathname(v: unknown) {
    const r = this.#r;
    if (typeof r.path === 'string') return;
    r.path = [];
    basicParse(toUSV(v), null, r, PATH_START);
  }
  get search(): string {
    const q = this.#r.query;
    return q === null || q === '' ? '' : '?' + q;
  }
  set search(v: unknown) {
    const r = this.#r;
    const s = toUSV(v);
    if (s === '') {
      r.query = null;
      resetParams(this.#params, '');
      stripOpaqueSpaces(r);
      return;
    }
    const input = s[0] === '?' ? s.slice(1) : s;
    r.query = '';
    basicParse(input, null, r, QUERY);
    resetParams(this.#params, input);
  }
  get searchParams(): URLSearchParams {
    return this.#params;
  }
  get hash(): string {
    const f = this.#r.fragment;
    return f === null || f === '' ? '' : '#' + f;
  }
  set hash(v: unknown) {
    const r = this.#r;
    const s = toUSV(v);
    if (s === '') {
      r.fragment = null;
      stripOpaqueSpaces(r);
      return;
    }
    r.fragment = '';
    basicParse(s[0] === '#' ? s.slice(1) : s, null, r, FRAGMENT);
  }
  toString(): string {
    return serialize(this.#r);
  }
  toJSON(): string {
    return serialize(this.#r);
  }
  get [Symbol.toStringTag](): string {
    return 'URL';
  }
}

/** `new URL(…)` for the class's own methods: naming the class inside its body makes the bundler rename it. */
function makeURL(url: unknown, base: unknown): URL {
  return new URL(url, base);
}
