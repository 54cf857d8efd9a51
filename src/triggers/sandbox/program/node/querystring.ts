/**
 * `querystring`: `stringify` / `encode` from `querystring-es3`, and a `parse` / `decode` of Node's own behaviour:
 * `+` is a space, at most `maxKeys` (1000) pairs, repeated keys become arrays, and a malformed escape (`%ZZ`, a
 * broken UTF-8 sequence) is kept or replaced as Node's `unescape` does instead of throwing (querystring-es3 calls
 * `decodeURIComponent` and throws a URIError). `escape` / `unescape` as Node's.
 */
import { ObjectCreate, StringCtor } from '../intrinsics.js';
import { decodeUtf8, utf8Encode } from '../utf8.js';
import { querystringPackage } from './vendor.js';

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** Node's `querystring.unescape`: `decodeURIComponent`, or the %XX bytes decoded leniently when that throws. */
export function unescape(text: unknown): string {
  const s = StringCtor(text);
  try {
    return decodeURIComponent(s);
  } catch {
    const bytes: number[] = [];
    for (let i = 0; i < s.length; i++) {
      if (s.charCodeAt(i) === 37 && i + 2 < s.length + 0 && isHex(s.charCodeAt(i + 1)) && isHex(s.charCodeAt(i + 2))) {
        bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
        i += 2;
      } else {
        const units = s.codePointAt(i)! > 0xffff ? 2 : 1;
        const encoded = utf8Encode(s.slice(i, i + units));
        for (let j = 0; j < encoded.length; j++) bytes.push(encoded[j]!);
        i += units - 1;
      }
    }
    return decodeUtf8(new Uint8Array(bytes), bytes.length, false);
  }
}

/** Node's `querystring.escape`. */
export function escape(text: unknown): string {
  return encodeURIComponent(StringCtor(text));
}

/** Node's `querystring.parse(str, sep = '&', eq = '=', { maxKeys = 1000, decodeURIComponent })`. */
export function parse(qs: unknown, sep?: unknown, eq?: unknown, options?: unknown): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = ObjectCreate(null);
  if (typeof qs !== 'string' || qs.length === 0) return out;
  const separator = typeof sep === 'string' && sep !== '' ? sep : '&';
  const equals = typeof eq === 'string' && eq !== '' ? eq : '=';
  const o = (options ?? {}) as { maxKeys?: unknown; decodeURIComponent?: unknown };
  const maxKeys = typeof o.maxKeys === 'number' ? o.maxKeys : 1000;
  const decode =
    typeof o.decodeURIComponent === 'function' ? (o.decodeURIComponent as (s: string) => string) : unescape;
  const pairs = qs.split(separator);
  const count = maxKeys > 0 && pairs.length > maxKeys ? maxKeys : pairs.length;
  for (let i = 0; i < count; i++) {
    const pair = pairs[i]!.replace(/\+/g, ' ');
    if (pair === '') continue;
    const at = pair.indexOf(equals);
    const key = decode(at >= 0 ? pair.slice(0, at) : pair);
    const value = at >= 0 ? decode(pair.slice(at + equals.length)) : '';
    const previous = out[key];
    if (previous === undefined) out[key] = value;
    else if (typeof previous === 'string') out[key] = [previous, value];
    else previous.push(value);
  }
  return out;
}

/** Makes the `querystring` module. */
export function makeQuerystring(): Record<string, unknown> {
  const es3 = querystringPackage();
  return {
    parse,
    decode: parse,
    stringify: es3.stringify,
    encode: es3.encode,
    escape,
    unescape,
  };
}
