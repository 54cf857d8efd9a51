/**
 * WHATWG URL inside the isolate: code points, percent-encoding and UTF-8
 * (https://url.spec.whatwg.org/#percent-encoded-bytes).
 */

/** A scalar value string (lone surrogates replaced), as Web IDL's USVString. */
export function toUSV(v: unknown): string {
  return String(v).toWellFormed();
}
/** Code point classes of the parser (undefined: past the end). */
export function isAlpha(c: string | undefined): c is string {
  return c !== undefined && /^[A-Za-z]$/.test(c);
}
export function isDigit(c: string | undefined): c is string {
  return c !== undefined && c >= '0' && c <= '9';
}
export function isHex(c: string | undefined): c is string {
  return c !== undefined && /^[0-9A-Fa-f]$/.test(c);
}

/** A percent-encode set, as a predicate on a code point. */
export type EncodeSet = (c: number) => boolean;

/** The percent-encode sets (https://url.spec.whatwg.org/#c0-control-percent-encode-set and the next ones). */
export function c0Set(c: number): boolean {
  return c < 0x20 || c > 0x7e;
}
export function fragmentSet(c: number): boolean {
  return c0Set(c) || c === 0x20 || c === 0x22 || c === 0x3c || c === 0x3e || c === 0x60;
}
export function querySet(c: number): boolean {
  return c0Set(c) || c === 0x20 || c === 0x22 || c === 0x23 || c === 0x3c || c === 0x3e;
}
export function specialQuerySet(c: number): boolean {
  return querySet(c) || c === 0x27;
}
export function pathSet(c: number): boolean {
  return querySet(c) || c === 0x3f || c === 0x60 || c === 0x7b || c === 0x7d;
}
export function userinfoSet(c: number): boolean {
  return (
    pathSet(c) ||
    c === 0x2f ||
    c === 0x3a ||
    c === 0x3b ||
    c === 0x3d ||
    c === 0x40 ||
    (c >= 0x5b && c <= 0x5e) ||
    c === 0x7c
  );
}

function hex2(b: number): string {
  return '%' + (b < 16 ? '0' : '') + b.toString(16).toUpperCase();
}

function utf8Bytes(cp: number): number[] {
  if (cp < 0x80) return [cp];
  if (cp < 0x800) return [0xc0 | (cp >> 6), 0x80 | (cp & 63)];
  if (cp < 0x10000) return [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63)];
  return [0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63)];
}

/** One code point `ch`, percent-encoded as UTF-8 when `set` holds it. */
export function encodeCp(ch: string, set: EncodeSet): string {
  const cp = ch.codePointAt(0)!;
  if (!set(cp)) return ch;
  const bytes = utf8Bytes(cp);
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += hex2(bytes[i]!);
  return out;
}

/** Every code point of `s` through {@link encodeCp}. */
export function encodeString(s: string, set: EncodeSet): string {
  let out = '';
  for (const ch of s) out += encodeCp(ch, set);
  return out;
}

/** https://encoding.spec.whatwg.org/#utf-8-decoder, with replacement. */
function utf8Decode(bytes: number[]): string {
  let out = '';
  let needed = 0;
  let seen = 0;
  let cp = 0;
  let lower = 0x80;
  let upper = 0xbf;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (needed === 0) {
      if (b <= 0x7f) out += String.fromCharCode(b);
      else if (b >= 0xc2 && b <= 0xdf) {
        needed = 1;
        cp = b & 0x1f;
      } else if (b >= 0xe0 && b <= 0xef) {
        if (b === 0xe0) lower = 0xa0;
        if (b === 0xed) upper = 0x9f;
        needed = 2;
        cp = b & 0xf;
      } else if (b >= 0xf0 && b <= 0xf4) {
        if (b === 0xf0) lower = 0x90;
        if (b === 0xf4) upper = 0x8f;
        needed = 3;
        cp = b & 0x7;
      } else out += '\uFFFD';
      continue;
    }
    if (b < lower || b > upper) {
      cp = needed = seen = 0;
      lower = 0x80;
      upper = 0xbf;
      out += '\uFFFD';
      i--;
      continue;
    }
    lower = 0x80;
    upper = 0xbf;
    cp = (cp << 6) | (b & 0x3f);
    seen++;
    if (seen === needed) {
      out += String.fromCodePoint(cp);
      cp = needed = seen = 0;
    }
  }
  return needed ? out + '\uFFFD' : out;
}

function isHexByte(b: number | undefined): boolean {
  return b !== undefined && ((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66));
}

/** https://url.spec.whatwg.org/#string-percent-decode */
export function percentDecode(s: string): string {
  if (s.indexOf('%') < 0) return s;
  const bytes: number[] = [];
  const out: number[] = [];
  for (const ch of s) {
    const enc = utf8Bytes(ch.codePointAt(0)!);
    for (let j = 0; j < enc.length; j++) bytes.push(enc[j]!);
  }
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x25 && i + 2 < bytes.length && isHexByte(bytes[i + 1]) && isHexByte(bytes[i + 2])) {
      out.push(parseInt(String.fromCharCode(bytes[i + 1]!, bytes[i + 2]!), 16));
      i += 2;
    } else out.push(bytes[i]!);
  }
  return utf8Decode(out);
}
