/**
 * WHATWG URL inside the isolate, part 1 of 3: percent-encoding, UTF-8 and the host parser
 * (https://url.spec.whatwg.org/#host-parsing). V8 has no URL of its own; Kinde's `url` binding and Auth0's Node
 * runtime both give actions `URL` and `URLSearchParams`, so the sandbox carries a compact, spec-following one.
 * Internationalised domains use NFKC + lower case + punycode (no UTS #46 validity tables). Plain JavaScript in a
 * string, evaluated inside the isolate's URL scope (see sandbox/url.ts).
 */
export const URL_HOST_SOURCE = String.raw`
  var FAILURE = {};
  var SPECIAL_PORTS = { ftp: 21, file: null, http: 80, https: 443, ws: 80, wss: 443 };
  var hasOwn = Object.prototype.hasOwnProperty;
  function isSpecialScheme(s) { return hasOwn.call(SPECIAL_PORTS, s); }
  function defaultPort(s) { return isSpecialScheme(s) ? SPECIAL_PORTS[s] : null; }
  function toUSV(v) { return String(v).toWellFormed(); }
  function isAlpha(c) { return c !== undefined && /^[A-Za-z]$/.test(c); }
  function isDigit(c) { return c !== undefined && c >= '0' && c <= '9'; }
  function isHex(c) { return c !== undefined && /^[0-9A-Fa-f]$/.test(c); }

  // Percent-encode sets (https://url.spec.whatwg.org/#percent-encoded-bytes), as predicates on a code point.
  function c0Set(c) { return c < 0x20 || c > 0x7e; }
  function fragmentSet(c) { return c0Set(c) || c === 0x20 || c === 0x22 || c === 0x3c || c === 0x3e || c === 0x60; }
  function querySet(c) { return c0Set(c) || c === 0x20 || c === 0x22 || c === 0x23 || c === 0x3c || c === 0x3e; }
  function specialQuerySet(c) { return querySet(c) || c === 0x27; }
  function pathSet(c) { return querySet(c) || c === 0x3f || c === 0x60 || c === 0x7b || c === 0x7d; }
  function userinfoSet(c) {
    return pathSet(c) || c === 0x2f || c === 0x3a || c === 0x3b || c === 0x3d || c === 0x40 || (c >= 0x5b && c <= 0x5e) || c === 0x7c;
  }
  function hex2(b) { return '%' + (b < 16 ? '0' : '') + b.toString(16).toUpperCase(); }
  function utf8Bytes(cp) {
    if (cp < 0x80) return [cp];
    if (cp < 0x800) return [0xc0 | (cp >> 6), 0x80 | (cp & 63)];
    if (cp < 0x10000) return [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63)];
    return [0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63)];
  }
  function encodeCp(ch, set) {
    var cp = ch.codePointAt(0);
    if (!set(cp)) return ch;
    var bytes = utf8Bytes(cp), out = '';
    for (var i = 0; i < bytes.length; i++) out += hex2(bytes[i]);
    return out;
  }
  function encodeString(s, set) { var out = ''; for (var ch of s) out += encodeCp(ch, set); return out; }
  function utf8Decode(bytes) {
    var out = '', needed = 0, seen = 0, cp = 0, lower = 0x80, upper = 0xbf;
    for (var i = 0; i < bytes.length; i++) {
      var b = bytes[i];
      if (needed === 0) {
        if (b <= 0x7f) out += String.fromCharCode(b);
        else if (b >= 0xc2 && b <= 0xdf) { needed = 1; cp = b & 0x1f; }
        else if (b >= 0xe0 && b <= 0xef) { if (b === 0xe0) lower = 0xa0; if (b === 0xed) upper = 0x9f; needed = 2; cp = b & 0xf; }
        else if (b >= 0xf0 && b <= 0xf4) { if (b === 0xf0) lower = 0x90; if (b === 0xf4) upper = 0x8f; needed = 3; cp = b & 0x7; }
        else out += '\uFFFD';
        continue;
      }
      if (b < lower || b > upper) { cp = needed = seen = 0; lower = 0x80; upper = 0xbf; out += '\uFFFD'; i--; continue; }
      lower = 0x80; upper = 0xbf; cp = (cp << 6) | (b & 0x3f); seen++;
      if (seen === needed) { out += String.fromCodePoint(cp); cp = needed = seen = 0; }
    }
    return needed ? out + '\uFFFD' : out;
  }
  function isHexByte(b) { return (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66); }
  function percentDecode(s) {
    if (s.indexOf('%') < 0) return s;
    var bytes = [], out = [], i, j;
    for (var ch of s) { var enc = utf8Bytes(ch.codePointAt(0)); for (j = 0; j < enc.length; j++) bytes.push(enc[j]); }
    for (i = 0; i < bytes.length; i++) {
      if (bytes[i] === 0x25 && i + 2 < bytes.length && isHexByte(bytes[i + 1]) && isHexByte(bytes[i + 2])) {
        out.push(parseInt(String.fromCharCode(bytes[i + 1], bytes[i + 2]), 16));
        i += 2;
      } else out.push(bytes[i]);
    }
    return utf8Decode(out);
  }

  // Hosts (https://url.spec.whatwg.org/#host-parsing).
  var FORBIDDEN_HOST = /[\u0000\u0009\u000A\u000D #/:<>?@[\\\]^|]/;
  var FORBIDDEN_DOMAIN = /[\u0000-\u001F #%/:<>?@[\\\]^|\u007F]/;
  function punycode(label) {
    var cps = Array.from(label, function (ch) { return ch.codePointAt(0); });
    var n = 128, delta = 0, bias = 72, out = '';
    for (var i = 0; i < cps.length; i++) if (cps[i] < 128) out += String.fromCharCode(cps[i]);
    var b = out.length, h = b;
    if (b > 0) out += '-';
    function digit(d) { return String.fromCharCode(d < 26 ? 97 + d : 22 + d); }
    function adapt(d, points, first) {
      d = first ? Math.floor(d / 700) : d >> 1;
      d += Math.floor(d / points);
      var k = 0;
      while (d > 455) { d = Math.floor(d / 35); k += 36; }
      return k + Math.floor((36 * d) / (d + 38));
    }
    while (h < cps.length) {
      var m = Infinity;
      for (i = 0; i < cps.length; i++) if (cps[i] >= n && cps[i] < m) m = cps[i];
      delta += (m - n) * (h + 1);
      n = m;
      for (i = 0; i < cps.length; i++) {
        if (cps[i] < n) delta++;
        if (cps[i] === n) {
          var q = delta;
          for (var k = 36; ; k += 36) {
            var t = k <= bias ? 1 : k >= bias + 26 ? 26 : k - bias;
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
  // UTS #46 approximated by NFKC + lower case + punycode per label (no IDNA validity tables in the sandbox).
  function domainToASCII(domain) {
    if (/[^\u0000-\u007F]/.test(domain)) {
      // U+FFFD (from invalid UTF-8) and noncharacters are disallowed by UTS #46.
      if (/[\uFFFD\uFFFE\uFFFF\uFDD0-\uFDEF]/.test(domain)) return FAILURE;
      domain = domain.normalize('NFKC').replace(/[\u3002\uFF0E\uFF61]/g, '.').replace(/\u00AD/g, '').toLowerCase();
      domain = domain.split('.').map(function (l) { return /[^\u0000-\u007F]/.test(l) ? 'xn--' + punycode(l) : l; }).join('.');
    } else domain = domain.toLowerCase();
    return domain === '' ? FAILURE : domain;
  }
  function parseIPv4Number(s) {
    if (s === '') return FAILURE;
    var radix = 10;
    if (s.length >= 2 && (s.slice(0, 2) === '0x' || s.slice(0, 2) === '0X')) { radix = 16; s = s.slice(2); }
    else if (s.length >= 2 && s[0] === '0') { radix = 8; s = s.slice(1); }
    if (s === '') return 0;
    var re = radix === 10 ? /^[0-9]+$/ : radix === 16 ? /^[0-9A-Fa-f]+$/ : /^[0-7]+$/;
    return re.test(s) ? parseInt(s, radix) : FAILURE;
  }
  function endsInNumber(input) {
    var parts = input.split('.');
    if (parts[parts.length - 1] === '') { if (parts.length === 1) return false; parts.pop(); }
    var last = parts[parts.length - 1];
    if (last !== '' && /^[0-9]+$/.test(last)) return true;
    return parseIPv4Number(last) !== FAILURE && /^0[xX]/.test(last);
  }
  function parseIPv4(input) {
    var parts = input.split('.');
    if (parts[parts.length - 1] === '' && parts.length > 1) parts.pop();
    if (parts.length > 4) return FAILURE;
    var nums = [];
    for (var i = 0; i < parts.length; i++) { var n = parseIPv4Number(parts[i]); if (n === FAILURE) return FAILURE; nums.push(n); }
    for (i = 0; i < nums.length - 1; i++) if (nums[i] > 255) return FAILURE;
    if (nums[nums.length - 1] >= Math.pow(256, 5 - nums.length)) return FAILURE;
    var ipv4 = nums[nums.length - 1];
    for (i = 0; i < nums.length - 1; i++) ipv4 += nums[i] * Math.pow(256, 3 - i);
    var out = [];
    for (i = 0; i < 4; i++) { out.unshift(String(ipv4 % 256)); ipv4 = Math.floor(ipv4 / 256); }
    return out.join('.');
  }
  function parseIPv6(input) {
    var a = [0, 0, 0, 0, 0, 0, 0, 0], piece = 0, compress = null, p = 0;
    if (input[p] === ':') { if (input[p + 1] !== ':') return FAILURE; p += 2; piece++; compress = piece; }
    while (input[p] !== undefined) {
      if (piece === 8) return FAILURE;
      if (input[p] === ':') { if (compress !== null) return FAILURE; p++; piece++; compress = piece; continue; }
      var value = 0, length = 0;
      while (length < 4 && isHex(input[p])) { value = value * 16 + parseInt(input[p], 16); p++; length++; }
      if (input[p] === '.') {
        if (length === 0) return FAILURE;
        p -= length;
        if (piece > 6) return FAILURE;
        var seen = 0;
        while (input[p] !== undefined) {
          var v4 = null;
          if (seen > 0) { if (input[p] === '.' && seen < 4) p++; else return FAILURE; }
          if (!isDigit(input[p])) return FAILURE;
          while (isDigit(input[p])) {
            var d = +input[p];
            if (v4 === null) v4 = d; else if (v4 === 0) return FAILURE; else v4 = v4 * 10 + d;
            if (v4 > 255) return FAILURE;
            p++;
          }
          a[piece] = a[piece] * 0x100 + v4;
          seen++;
          if (seen === 2 || seen === 4) piece++;
        }
        if (seen !== 4) return FAILURE;
        break;
      } else if (input[p] === ':') { p++; if (input[p] === undefined) return FAILURE; }
      else if (input[p] !== undefined) return FAILURE;
      a[piece] = value;
      piece++;
    }
    if (compress !== null) {
      var swaps = piece - compress;
      piece = 7;
      while (piece !== 0 && swaps > 0) { var tmp = a[piece]; a[piece] = a[compress + swaps - 1]; a[compress + swaps - 1] = tmp; piece--; swaps--; }
    } else if (piece !== 8) return FAILURE;
    return a;
  }
  function serializeIPv6(a) {
    var best = -1, bestLen = 1, i;
    for (i = 0; i < 8; i++) {
      if (a[i] !== 0) continue;
      var j = i;
      while (j < 8 && a[j] === 0) j++;
      if (j - i > bestLen) { best = i; bestLen = j - i; }
      i = j;
    }
    var out = '', skip = false;
    for (i = 0; i < 8; i++) {
      if (skip && a[i] === 0) continue;
      skip = false;
      if (best === i) { out += i === 0 ? '::' : ':'; skip = true; continue; }
      out += a[i].toString(16);
      if (i !== 7) out += ':';
    }
    return out;
  }
  function parseHost(input, notSpecial) {
    if (input[0] === '[') {
      if (input[input.length - 1] !== ']') return FAILURE;
      var a = parseIPv6(input.slice(1, -1));
      return a === FAILURE ? FAILURE : '[' + serializeIPv6(a) + ']';
    }
    if (notSpecial) return FORBIDDEN_HOST.test(input) ? FAILURE : encodeString(input, c0Set);
    var ascii = domainToASCII(percentDecode(input));
    if (ascii === FAILURE || FORBIDDEN_DOMAIN.test(ascii)) return FAILURE;
    return endsInNumber(ascii) ? parseIPv4(ascii) : ascii;
  }
`;
