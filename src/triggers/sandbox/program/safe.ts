/**
 * Data operations no action code can intercept (intrinsics.ts says why): lists without a prototype, own-property
 * reads and definitions, string methods and `Promise.resolve` called through the captured intrinsics.
 */
import {
  ObjectCreate,
  ObjectDefineProperty,
  ObjectSetPrototypeOf,
  PromiseCtor,
  PromiseResolve,
  hasOwn,
  reflectApply,
  stringCharCodeAt,
  stringSlice,
} from './intrinsics.js';

/** A new array without a prototype: writing or reading an index never reaches Array.prototype. */
export function list<T>(): T[] {
  const a: T[] = [];
  ObjectSetPrototypeOf(a, null);
  return a;
}

/** Appends to a {@link list} (or any array whose indexes past its length nothing intercepts). */
export function append<T>(a: T[], v: T): void {
  a[a.length] = v;
}

/** `s.slice(start, end)`, with the captured method. */
export function slice(s: string, start: number, end?: number): string {
  return reflectApply(stringSlice, s, [start, end]);
}

/** `s.charCodeAt(i)`, with the captured method. */
export function codeAt(s: string, i: number): number {
  return reflectApply(stringCharCodeAt, s, [i]);
}

/** Whether `key` is an own property of `o`, with the captured `hasOwnProperty`. */
export function owns(o: object, key: PropertyKey): boolean {
  return reflectApply(hasOwn, o, [key]);
}

/** A property the host's payload may leave out, read without reaching a getter on Object.prototype. */
export function own<T extends object, K extends keyof T>(o: T, key: K): T[K] | undefined {
  return owns(o, key) ? o[key] : undefined;
}

/** A copy of a list of strings (target scopes), as a {@link list}; anything else in it is dropped. */
export function strings(a: ArrayLike<unknown>): string[] {
  const out = list<string>();
  for (let i = 0; i < a.length; i++) {
    const s = a[i];
    if (typeof s === 'string') append(out, s);
  }
  return out;
}

/** A promise of `value` with the captured Promise.resolve. */
export function resolved<T>(value: T): Promise<Awaited<T>> {
  return reflectApply(PromiseResolve, PromiseCtor, [value]) as Promise<Awaited<T>>;
}

/** Defines `name` as an own property: no setter on Object.prototype can take the value instead. */
export function defineOwn(o: object, name: string, value: unknown): void {
  const d = ObjectCreate(null) as PropertyDescriptor;
  d.value = value;
  d.writable = true;
  d.enumerable = true;
  d.configurable = true;
  ObjectDefineProperty(o, name, d);
}
