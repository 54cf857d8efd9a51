/**
 * WHATWG URL inside the isolate: the host parser (https://url.spec.whatwg.org/#host-parsing) — domains, IPv4 and
 * IPv6 addresses, opaque hosts. Internationalised domains use NFKC + lower case + punycode (no UTS #46 validity
 * tables: docs/architecture.md, "The URL parser", says why).
 */
import { c0Set, encodeString, isDigit, isHex, percentDecode } from './encoding.js';
import { FAILURE, type Failure } from './record.js';

const FORBIDDEN_HOST = /[\u0000\u0009\u000A\u000D #/:<>?@[\\\]^|]/;
const FORBIDDEN_DOMAIN = /[\u0000-\u001F #%/:<>?@[\\\]^|\u007F]/;

/** RFC 3492 punycode of one label (the part after `xn--`). */
function punycode(label: string): string {
  const cps = Array.from(label, function (ch) {
    return ch.codePointAt(0)!;
  });
  let n = 128;
  let delta = 0;
  let bias = 72;
  let out = '';
  let i: number;
  for (i = 0; i < cps.length; i++) if (cps[i]! < 128) out += String.fromCharCode(cps[i]!);
  const b = out.length;
  let h = b;
  if (b > 0) out += '-';
  function digit(d: number): string {
    return String.fromCharCode(d < 26 ? 97 + d : 22 + d);
  }
  function adapt(d: number, points: number, first: boolean): number {
    d = first ? Math.floor(d / 700) : d >> 1;
    d += Math.floor(d / points);
    let k = 0;
    while (d > 455) {
      d = Math.floor(d / 35);
      k += 36;
    }
    return k + Math.floor((36 * d) / (d + 38));
  }
  while (h < cps.length) {
    let m = Infinity;
    for (i = 0; i < cps.length; i++) if (cps[i]! >= n && cps[i]! < m) m = cps[i]!;
    delta += (m - n) * (h + 1);
    n = m;
    for (i = 0; i < cps.length; i++) {
      if (cps[i]! < n) delta++;
      if (cps[i] === n) {
        let q = delta;
        for (let k = 36; ; k += 36) {
          const t = k <= bias ? 1 : k >= bias + 26 ? 26 : k - bias;
          if (q < t) break;
          out += digit(t + ((q - t) % (36 - t)));
          q = Math.floor((q - t) / (36 - t));
        }
        out += digit(q);
        bias = adapt(delta, h + 1, h === b);
        delta = 0;
        h++;
      }
    }
    delta++;
    n++;
  }
  return out;
}

/** UTS #46 approximated by NFKC + lower case + punycode per label (no IDNA validity tables in the sandbox). */
function domainToASCII(domain: string): string | Failure {
  if (/[^\u0000-\u007F]/.test(domain)) {
    // U+FFFD (from invalid UTF-8) and noncharacters are disallowed by UTS #46.
    if (/[\uFFFD\uFFFE\uFFFF\uFDD0-\uFDEF]/.test(domain)) return FAILURE;
    domain = domain
      .normalize('NFKC')
      .replace(/[\u3002\uFF0E\uFF61]/g, '.')
      .replace(/\u00AD/g, '')
      .toLowerCase();
    domain = domain
      .split('.')
      .map(function (l) {
        return /[^\u0000-\u007F]/.test(l) ? 'xn--' + punycode(l) : l;
      })
      .join('.');
  } else domain = domain.toLowerCase();
  return domain === '' ? FAILURE : domain;
}

function parseIPv4Number(s: string): number | Failure {
  if (s === '') return FAILURE;
  let radix = 10;
  if (s.length >= 2 && (s.slice(0, 2) === '0x' || s.slice(0, 2) === '0X')) {
    radix = 16;
    s = s.slice(2);
  } else if (s.length >= 2 && s[0] === '0') {
    radix = 8;
    s = s.slice(1);
  }
  if (s === '') return 0;
  const re = radix === 10 ? /^[0-9]+$/ : radix === 16 ? /^[0-9A-Fa-f]+$/ : /^[0-7]+$/;
  return re.test(s) ? parseInt(s, radix) : FAILURE;
}

/** https://url.spec.whatwg.org/#ends-in-a-number-checker */
function endsInNumber(input: string): boolean {
  const parts = input.split('.');
  if (parts[parts.length - 1] === '') {
    if (parts.length === 1) return false;
    parts.pop();
  }
  const last = parts[parts.length - 1]!;
  if (last !== '' && /^[0-9]+$/.test(last)) return true;
  return parseIPv4Number(last) !== FAILURE && /^0[xX]/.test(last);
}

/** https://url.spec.whatwg.org/#concept-ipv4-parser, serialized. */
function parseIPv4(input: string): string | Failure {
  const parts = input.split('.');
  if (parts[parts.length - 1] === '' && parts.length > 1) parts.pop();
  if (parts.length > 4) return FAILURE;
  const nums: number[] = [];
  let i: number;
  for (i = 0; i < parts.length; i++) {
    const n = parseIPv4Number(parts[i]!);
    if (n === FAILURE) return FAILURE;
    nums.push(n);
  }
  for (i = 0; i < nums.length - 1; i++) if (nums[i]! > 255) return FAILURE;
  if (nums[nums.length - 1]! >= Math.pow(256, 5 - nums.length)) return FAILURE;
  let ipv4 = nums[nums.length - 1]!;
  for (i = 0; i < nums.length - 1; i++) ipv4 += nums[i]! * Math.pow(256, 3 - i);
  const out: string[] = [];
  for (i = 0; i < 4; i++) {
    out.unshift(String(ipv4 % 256));
    ipv4 = Math.floor(ipv4 / 256);
  }
  return out.join('.');
}

/** https://url.spec.whatwg.org/#concept-ipv6-parser */
function parseIPv6(input: string): number[] | Failure {
  const a = [0, 0, 0, 0, 0, 0, 0, 0];
  let piece = 0;
  let compress: number | null = null;
  let p = 0;
  if (input[p] === ':') {
    if (input[p + 1] !== ':') return FAILURE;
    p += 2;
    piece++;
    compress = piece;
  }
  while (input[p] !== undefined) {
    if (piece === 8) return FAILURE;
    if (input[p] === ':') {
      if (compress !== null) return FAILURE;
      p++;
      piece++;
      compress = piece;
      continue;
    }
    let value = 0;
    let length = 0;
    while (length < 4 && isHex(input[p])) {
      value = value * 16 + parseInt(input[p]!, 16);
      p++;
      length++;
    }
    if (input[p] === '.') {
      if (length === 0) return FAILURE;
      p -= length;
      if (piece > 6) return FAILURE;
      let seen = 0;
      while (input[p] !== undefined) {
        let v4: number | null = null;
        if (seen > 0) {
          if (input[p] === '.' && seen < 4) p++;
          else return FAILURE;
        }
        if (!isDigit(input[p])) return FAILURE;
        while (isDigit(input[p])) {
          const d = +input[p]!;
          if (v4 === null) v4 = d;
          else if (v4 === 0) return FAILURE;
          else v4 = v4 * 10 + d;
          if (v4 > 255) return FAILURE;
          p++;
        }
        a[piece] = a[piece]! * 0x100 + v4!;
        seen++;
        if (seen === 2 || seen === 4) piece++;
      }
      if (seen !== 4) return FAILURE;
      break;
    } else if (input[p] === ':') {
      p++;
      if (input[p] === undefined) return FAILURE;
    } else if (input[p] !== undefined) return FAILURE;
    a[piece] = value;
    piece++;
  }
  if (compress !== null) {
    let swaps = piece - compress;
    piece = 7;
    while (piece !== 0 && swaps > 0) {
      const tmp = a[piece]!;
      a[piece] = a[compress + swaps - 1]!;
      a[compress + swaps - 1] = tmp;
      piece--;
      swaps--;
    }
  } else if (piece !== 8) return FAILURE;
  return a;
}

/** https://url.spec.whatwg.org/#concept-ipv6-serializer */
function serializeIPv6(a: number[]): string {
  let best = -1;
  let bestLen = 1;
  let i: number;
  for (i = 0; i < 8; i++) {
    if (a[i] !== 0) continue;
    let j = i;
    while (j < 8 && a[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  let out = '';
  let skip = false;
  for (i = 0; i < 8; i++) {
    if (skip && a[i] === 0) continue;
    skip = false;
    if (best === i) {
      out += i === 0 ? '::' : ':';
      skip = true;
      continue;
    }
    out += a[i]!.toString(16);
    if (i !== 7) out += ':';
  }
  return out;
}

/** https://url.spec.whatwg.org/#concept-host-parser, serialized (`notSpecial`: an opaque host). */
export function parseHost(input: string, notSpecial: boolean): string | Failure {
  if (input[0] === '[') {
    if (input[input.length - 1] !== ']') return FAILURE;
    const a = parseIPv6(input.slice(1, -1));
    return a === FAILURE ? FAILURE : '[' + serializeIPv6(a) + ']';
  }
  if (notSpecial) return FORBIDDEN_HOST.test(input) ? FAILURE : encodeString(input, c0Set);
  const ascii = domainToASCII(percentDecode(input));
  if (ascii === FAILURE || FORBIDDEN_DOMAIN.test(ascii)) return FAILURE;
  return endsInNumber(ascii) ? parseIPv4(ascii) : ascii;
}
