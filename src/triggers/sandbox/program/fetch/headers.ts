/** `Headers` as WHATWG fetch shapes it: names lower-cased, iterated in sorted order, repeated values joined. */
import { ArrayIsArray, ObjectCreate, ObjectKeys, StringCtor, TypeErrorCtor } from '../intrinsics.js';

/** What a Headers can be made from: pairs, something with forEach(value, key), or a plain object. */
type HeadersInit = unknown;

/** The TypeError WHATWG fetch throws for headers given as a primitive. */
export function notHeaders(): TypeError {
  return new TypeErrorCtor(
    "Failed to construct 'Headers': The provided value is not of type '(record<ByteString, ByteString> or sequence<sequence<ByteString>>)'.",
  );
}

/** `Headers`: a map of lower-cased names to values. */
export class Headers {
  #map: Record<string, string> = ObjectCreate(null);
  constructor(init?: HeadersInit) {
    if (init === undefined || init === null) return;
    // As Node's: a primitive is no record of headers (a long string's keys would take Object.keys seconds, unstoppable).
    if (typeof init !== 'object' && typeof init !== 'function') throw notHeaders();
    const append = (name: unknown, value: unknown) => this.append(name, value);
    const given = init as Record<string, unknown> & { forEach?: unknown };
    if (ArrayIsArray(init)) {
      init.forEach(function (pair: unknown[]) {
        append(pair[0], pair[1]);
      });
    } else if (typeof given.forEach === 'function') {
      given.forEach(function (value: unknown, key: unknown) {
        append(key, value);
      });
    } else {
      ObjectKeys(init).forEach(function (key) {
        append(key, given[key]);
      });
    }
  }
  append(name: unknown, value: unknown): void {
    name = StringCtor(name).toLowerCase();
    value = StringCtor(value);
    const key = name as string;
    this.#map[key] = key in this.#map ? this.#map[key] + ', ' + value : (value as string);
  }
  set(name: unknown, value: unknown): void {
    this.#map[StringCtor(name).toLowerCase()] = StringCtor(value);
  }
  get(name: unknown): string | null {
    const key = StringCtor(name).toLowerCase();
    return key in this.#map ? this.#map[key]! : null;
  }
  has(name: unknown): boolean {
    return StringCtor(name).toLowerCase() in this.#map;
  }
  delete(name: unknown): void {
    delete this.#map[StringCtor(name).toLowerCase()];
  }
  forEach(callback: (value: string, key: string, headers: Headers) => void, thisArg?: unknown): void {
    const keys = ObjectKeys(this.#map).sort();
    for (let i = 0; i < keys.length; i++) callback.call(thisArg, this.#map[keys[i]!]!, keys[i]!, this);
  }
  *entries(): Generator<[string, string]> {
    const keys = ObjectKeys(this.#map).sort();
    for (let i = 0; i < keys.length; i++) yield [keys[i]!, this.#map[keys[i]!]!];
  }
  *keys(): Generator<string> {
    const keys = ObjectKeys(this.#map).sort();
    for (let i = 0; i < keys.length; i++) yield keys[i]!;
  }
  *values(): Generator<string> {
    const keys = ObjectKeys(this.#map).sort();
    for (let i = 0; i < keys.length; i++) yield this.#map[keys[i]!]!;
  }
  [Symbol.iterator](): Generator<[string, string]> {
    return this.entries();
  }
  get [Symbol.toStringTag](): string {
    return 'Headers';
  }
}
