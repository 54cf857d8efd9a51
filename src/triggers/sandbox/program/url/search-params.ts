/** WHATWG URL inside the isolate: `URLSearchParams` (https://url.spec.whatwg.org/#interface-urlsearchparams). */
import { toUSV } from './encoding.js';
import { formParse, formSerialize, needArgs, type FormList } from './form.js';
import { stripOpaqueSpaces, type UrlRecord } from './record.js';

/** Ties a URL's params to its record (url.ts): each change of the list is written back to the URL's query. */
export let attachParams: (params: URLSearchParams, url: UrlRecord, query: string | null) => void;
/** Replaces the list from a new query (the URL's `search` setter). */
export let resetParams: (params: URLSearchParams, query: string) => void;

/** `URLSearchParams`: a list of name-value pairs, written back to its URL's query when it has one. */
export class URLSearchParams {
  #list: FormList = [];
  #url: UrlRecord | null = null;
  static {
    attachParams = (params, url, query) => {
      params.#url = url;
      params.#list = query ? formParse(query) : [];
    };
    resetParams = (params, query) => {
      params.#list = query ? formParse(query) : [];
    };
  }
  constructor(init?: unknown) {
    if (init === undefined || init === null) return;
    if (typeof init === 'object' || typeof init === 'function') {
      const given = init as Record<PropertyKey, unknown> & Iterable<unknown>;
      if (typeof given[Symbol.iterator] === 'function') {
        for (const pair of given) {
          const sequence = pair as Iterable<unknown> | null;
          if (
            (typeof sequence !== 'object' && typeof sequence !== 'function') ||
            sequence === null ||
            typeof sequence[Symbol.iterator] !== 'function'
          ) {
            throw new TypeError(
              "Failed to construct 'URLSearchParams': The provided value cannot be converted to a sequence.",
            );
          }
          const items = Array.from(sequence);
          if (items.length !== 2) {
            throw new TypeError(
              "Failed to construct 'URLSearchParams': Sequence initializer must only contain pair elements",
            );
          }
          this.#list.push([toUSV(items[0]), toUSV(items[1])]);
        }
      } else {
        const keys = Reflect.ownKeys(given);
        for (let i = 0; i < keys.length; i++) {
          const key = keys[i]!;
          const desc = Reflect.getOwnPropertyDescriptor(given, key);
          if (typeof key === 'string' && desc && desc.enumerable) this.#list.push([toUSV(key), toUSV(given[key])]);
        }
      }
      return;
    }
    const s = toUSV(init);
    this.#list = formParse(s[0] === '?' ? s.slice(1) : s);
  }
  #update(): void {
    if (!this.#url) return;
    const s = formSerialize(this.#list);
    this.#url.query = s === '' ? null : s;
    if (s === '') stripOpaqueSpaces(this.#url);
  }
  get size(): number {
    return this.#list.length;
  }
  append(name: unknown, value: unknown): void {
    needArgs(2, arguments.length, 'URLSearchParams.append');
    this.#list.push([toUSV(name), toUSV(value)]);
    this.#update();
  }
  delete(name: unknown, value?: unknown): void {
    needArgs(1, arguments.length, 'URLSearchParams.delete');
    const n = toUSV(name);
    const v = value === undefined ? undefined : toUSV(value);
    this.#list = this.#list.filter(function (p) {
      return !(p[0] === n && (v === undefined || p[1] === v));
    });
    this.#update();
  }
  get(name: unknown): string | null {
    needArgs(1, arguments.length, 'URLSearchParams.get');
    const n = toUSV(name);
    for (let i = 0; i < this.#list.length; i++) if (this.#list[i]![0] === n) return this.#list[i]![1];
    return null;
  }
  getAll(name: unknown): string[] {
    needArgs(1, arguments.length, 'URLSearchParams.getAll');
    const n = toUSV(name);
    return this.#list
      .filter(function (p) {
        return p[0] === n;
      })
      .map(function (p) {
        return p[1];
      });
  }
  has(name: unknown, value?: unknown): boolean {
    needArgs(1, arguments.length, 'URLSearchParams.has');
    const n = toUSV(name);
    const v = value === undefined ? undefined : toUSV(value);
    return this.#list.some(function (p) {
      return p[0] === n && (v === undefined || p[1] === v);
    });
  }
  set(name: unknown, value: unknown): void {
    needArgs(2, arguments.length, 'URLSearchParams.set');
    const n = toUSV(name);
    const v = toUSV(value);
    let found = false;
    this.#list = this.#list.filter(function (p) {
      if (p[0] !== n) return true;
      if (found) return false;
      found = true;
      p[1] = v;
      return true;
    });
    if (!found) this.#list.push([n, v]);
    this.#update();
  }
  sort(): void {
    // Stable sort by code units (Array.prototype.sort is stable in V8).
    this.#list.sort(function (a, b) {
      return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
    });
    this.#update();
  }
  forEach(callback: (value: string, name: string, params: URLSearchParams) => void, thisArg?: unknown): void {
    if (typeof callback !== 'function') {
      throw new TypeError("Failed to execute 'forEach' on 'URLSearchParams': parameter 1 is not of type 'Function'.");
    }
    for (let i = 0; i < this.#list.length; i++) callback.call(thisArg, this.#list[i]![1], this.#list[i]![0], this);
  }
  *entries(): Generator<[string, string]> {
    for (let i = 0; i < this.#list.length; i++) yield [this.#list[i]![0], this.#list[i]![1]];
  }
  *keys(): Generator<string> {
    for (let i = 0; i < this.#list.length; i++) yield this.#list[i]![0];
  }
  *values(): Generator<string> {
    for (let i = 0; i < this.#list.length; i++) yield this.#list[i]![1];
  }
  [Symbol.iterator](): Generator<[string, string]> {
    return this.entries();
  }
  toString(): string {
    return formSerialize(this.#list);
  }
  get [Symbol.toStringTag](): string {
    return 'URLSearchParams';
  }
}
