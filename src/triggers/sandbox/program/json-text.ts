/**
 * The record as JSON text from primitive pieces (intrinsics.ts says why): quoted strings, lists kept as text, and
 * UTF-8 lengths for the console's byte bounds.
 */
import { JSONstringify, NumberCtor } from './intrinsics.js';
import { codeAt, slice } from './safe.js';

/** A record entry [a, b] of two strings, as JSON text. */
export function pairJson(a: string, b: string): string {
  return '[' + JSONstringify(a) + ',' + JSONstringify(b) + ']';
}

/** A comma-separated list of JSON texts kept as text, with `item` added. */
export function joined(text: string, item: string): string {
  return text === '' ? item : text + ',' + item;
}

/**
 * Makes V8 store a concatenated string as one piece. Until something reads it whole, V8 keeps `a + b + …` as a tree
 * of its pieces; a record kept as a tree (a batch holds them until collect()) costs every young-generation GC a copy
 * of each piece: ~2 µs a request in a 64 MB isolate. Reading it as a number reads it whole, once (and is NaN).
 */
export function flatten(s: string): void {
  NumberCtor(s);
}

/** A list of strings (target scopes) as a JSON array; anything else in it is dropped. */
export function stringsJson(a: readonly unknown[]): string {
  let out = '';
  for (let i = 0; i < a.length; i++) if (typeof a[i] === 'string') out = joined(out, JSONstringify(a[i]));
  return '[' + out + ']';
}

/** UTF-8 length of a well-formed string, in bytes. */
export function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = codeAt(s, i);
    if (c >= 0x80) n += c < 0x800 || (c >= 0xd800 && c <= 0xdfff) ? 1 : 2;
  }
  return n;
}

/** The longest prefix of `s` whose UTF-8 fits in `max` bytes, never splitting a surrogate pair. */
export function truncateUtf8(s: string, max: number): string {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = codeAt(s, i);
    const w = c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdbff ? 4 : c >= 0xdc00 && c <= 0xdfff ? 0 : 3;
    if (n + w > max) return slice(s, 0, i);
    n += w;
    if (w === 4) i++;
  }
  return s;
}
