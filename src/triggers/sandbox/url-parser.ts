/**
 * WHATWG URL inside the isolate, part 2 of 3: the basic URL parser state machine with state overrides (used by the
 * setters) and the serializer (https://url.spec.whatwg.org/#concept-basic-url-parser). Follows the spec's steps
 * state by state, so it reads best next to the spec.
 */
export const URL_PARSER_SOURCE = String.raw`
  // The basic URL parser (https://url.spec.whatwg.org/#concept-basic-url-parser).
  var SCHEME_START = 1, SCHEME = 2, NO_SCHEME = 3, SPECIAL_RELATIVE_OR_AUTHORITY = 4, PATH_OR_AUTHORITY = 5, RELATIVE = 6,
    RELATIVE_SLASH = 7, SPECIAL_AUTHORITY_SLASHES = 8, SPECIAL_AUTHORITY_IGNORE_SLASHES = 9, AUTHORITY = 10, HOST = 11,
    HOSTNAME = 12, PORT = 13, FILE = 14, FILE_SLASH = 15, FILE_HOST = 16, PATH_START = 17, PATH = 18, OPAQUE_PATH = 19,
    QUERY = 20, FRAGMENT = 21;
  function newRecord() { return { scheme: '', username: '', password: '', host: null, port: null, path: [], query: null, fragment: null }; }
  function isWinLetter(s) { return s.length === 2 && isAlpha(s[0]) && (s[1] === ':' || s[1] === '|'); }
  function isNormWinLetter(s) { return s.length === 2 && isAlpha(s[0]) && s[1] === ':'; }
  function startsWithWinLetter(cps, p) {
    if (cps.length - p < 2 || !isAlpha(cps[p]) || (cps[p + 1] !== ':' && cps[p + 1] !== '|')) return false;
    var c = cps[p + 2];
    return cps.length - p === 2 || c === '/' || c === '\\' || c === '?' || c === '#';
  }
  function shortenPath(url) {
    if (url.scheme === 'file' && url.path.length === 1 && isNormWinLetter(url.path[0])) return;
    url.path.pop();
  }
  function isSingleDot(s) { return s === '.' || s.toLowerCase() === '%2e'; }
  function isDoubleDot(s) { s = s.toLowerCase(); return s === '..' || s === '.%2e' || s === '%2e.' || s === '%2e%2e'; }
  function hasCredentials(url) { return url.username !== '' || url.password !== ''; }
  function special(url) { return isSpecialScheme(url.scheme); }
  function copyAuthority(url, base) { url.username = base.username; url.password = base.password; url.host = base.host; url.port = base.port; }

  function basicParse(input, base, url, override) {
    if (!url) { url = newRecord(); input = input.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, ''); }
    input = input.replace(/[\t\n\r]/g, '');
    var state = override || SCHEME_START, buffer = '', atSeen = false, brackets = false, passwordSeen = false;
    var cps = Array.from(input), p = 0, c, host;
    for (;;) {
      c = cps[p];
      switch (state) {
        case SCHEME_START:
          if (isAlpha(c)) { buffer += c.toLowerCase(); state = SCHEME; }
          else if (!override) { state = NO_SCHEME; p--; }
          else return FAILURE;
          break;
        case SCHEME:
          if (c !== undefined && /^[A-Za-z0-9+\-.]$/.test(c)) buffer += c.toLowerCase();
          else if (c === ':') {
            if (override) {
              if (isSpecialScheme(url.scheme) !== isSpecialScheme(buffer)) return url;
              if ((hasCredentials(url) || url.port !== null) && buffer === 'file') return url;
              if (url.scheme === 'file' && url.host === '') return url;
            }
            url.scheme = buffer;
            if (override) { if (url.port === defaultPort(url.scheme)) url.port = null; return url; }
            buffer = '';
            if (url.scheme === 'file') state = FILE;
            else if (special(url) && base && base.scheme === url.scheme) state = SPECIAL_RELATIVE_OR_AUTHORITY;
            else if (special(url)) state = SPECIAL_AUTHORITY_SLASHES;
            else if (cps[p + 1] === '/') { state = PATH_OR_AUTHORITY; p++; }
            else { url.path = ''; state = OPAQUE_PATH; }
          } else if (!override) { buffer = ''; state = NO_SCHEME; p = -1; }
          else return FAILURE;
          break;
        case NO_SCHEME:
          if (!base || (typeof base.path === 'string' && c !== '#')) return FAILURE;
          if (typeof base.path === 'string') {
            url.scheme = base.scheme; url.path = base.path; url.query = base.query; url.fragment = ''; state = FRAGMENT;
          } else { state = base.scheme !== 'file' ? RELATIVE : FILE; p--; }
          break;
        case SPECIAL_RELATIVE_OR_AUTHORITY:
          if (c === '/' && cps[p + 1] === '/') { state = SPECIAL_AUTHORITY_IGNORE_SLASHES; p++; }
          else { state = RELATIVE; p--; }
          break;
        case PATH_OR_AUTHORITY:
          if (c === '/') state = AUTHORITY; else { state = PATH; p--; }
          break;
        case RELATIVE:
          url.scheme = base.scheme;
          if (c === '/' || (special(url) && c === '\\')) state = RELATIVE_SLASH;
          else {
            copyAuthority(url, base); url.path = base.path.slice(); url.query = base.query;
            if (c === '?') { url.query = ''; state = QUERY; }
            else if (c === '#') { url.fragment = ''; state = FRAGMENT; }
            else if (c !== undefined) { url.query = null; shortenPath(url); state = PATH; p--; }
          }
          break;
        case RELATIVE_SLASH:
          if (special(url) && (c === '/' || c === '\\')) state = SPECIAL_AUTHORITY_IGNORE_SLASHES;
          else if (c === '/') state = AUTHORITY;
          else { copyAuthority(url, base); state = PATH; p--; }
          break;
        case SPECIAL_AUTHORITY_SLASHES:
          state = SPECIAL_AUTHORITY_IGNORE_SLASHES;
          if (c === '/' && cps[p + 1] === '/') p++; else p--;
          break;
        case SPECIAL_AUTHORITY_IGNORE_SLASHES:
          if (c !== '/' && c !== '\\') { state = AUTHORITY; p--; }
          break;
        case AUTHORITY:
          if (c === '@') {
            if (atSeen) buffer = '%40' + buffer;
            atSeen = true;
            for (var ch of buffer) {
              if (ch === ':' && !passwordSeen) { passwordSeen = true; continue; }
              if (passwordSeen) url.password += encodeCp(ch, userinfoSet); else url.username += encodeCp(ch, userinfoSet);
            }
            buffer = '';
          } else if (c === undefined || c === '/' || c === '?' || c === '#' || (special(url) && c === '\\')) {
            if (atSeen && buffer === '') return FAILURE;
            p -= Array.from(buffer).length + 1;
            buffer = '';
            state = HOST;
          } else buffer += c;
          break;
        case HOST:
        case HOSTNAME:
          if (override && url.scheme === 'file') { p--; state = FILE_HOST; }
          else if (c === ':' && !brackets) {
            if (buffer === '') return FAILURE;
            if (override === HOSTNAME) return FAILURE;
            host = parseHost(buffer, !special(url));
            if (host === FAILURE) return FAILURE;
            url.host = host; buffer = ''; state = PORT;
          } else if (c === undefined || c === '/' || c === '?' || c === '#' || (special(url) && c === '\\')) {
            p--;
            if (special(url) && buffer === '') return FAILURE;
            if (override && buffer === '' && (hasCredentials(url) || url.port !== null)) return FAILURE;
            host = parseHost(buffer, !special(url));
            if (host === FAILURE) return FAILURE;
            url.host = host; buffer = ''; state = PATH_START;
            if (override) return url;
          } else {
            if (c === '[') brackets = true;
            if (c === ']') brackets = false;
            buffer += c;
          }
          break;
        case PORT:
          if (isDigit(c)) buffer += c;
          else if (c === undefined || c === '/' || c === '?' || c === '#' || (special(url) && c === '\\') || override) {
            if (buffer !== '') {
              var port = parseInt(buffer, 10);
              if (port > 65535) return FAILURE;
              url.port = port === defaultPort(url.scheme) ? null : port;
              buffer = '';
              if (override) return url;
            }
            if (override) return FAILURE;
            state = PATH_START; p--;
          } else return FAILURE;
          break;
        case FILE:
          url.scheme = 'file'; url.host = '';
          if (c === '/' || c === '\\') state = FILE_SLASH;
          else if (base && base.scheme === 'file') {
            url.host = base.host; url.path = base.path.slice(); url.query = base.query;
            if (c === '?') { url.query = ''; state = QUERY; }
            else if (c === '#') { url.fragment = ''; state = FRAGMENT; }
            else if (c !== undefined) {
              url.query = null;
              if (!startsWithWinLetter(cps, p)) shortenPath(url); else url.path = [];
              state = PATH; p--;
            }
          } else { state = PATH; p--; }
          break;
        case FILE_SLASH:
          if (c === '/' || c === '\\') state = FILE_HOST;
          else {
            if (base && base.scheme === 'file') {
              url.host = base.host;
              if (!startsWithWinLetter(cps, p) && base.path.length > 0 && isNormWinLetter(base.path[0])) url.path.push(base.path[0]);
            }
            state = PATH; p--;
          }
          break;
        case FILE_HOST:
          if (c === undefined || c === '/' || c === '\\' || c === '?' || c === '#') {
            p--;
            if (!override && isWinLetter(buffer)) state = PATH;
            else if (buffer === '') { url.host = ''; if (override) return url; state = PATH_START; }
            else {
              host = parseHost(buffer, !special(url));
              if (host === FAILURE) return FAILURE;
              url.host = host === 'localhost' ? '' : host;
              if (override) return url;
              buffer = ''; state = PATH_START;
            }
          } else buffer += c;
          break;
        case PATH_START:
          if (special(url)) { state = PATH; if (c !== '/' && c !== '\\') p--; }
          else if (!override && c === '?') { url.query = ''; state = QUERY; }
          else if (!override && c === '#') { url.fragment = ''; state = FRAGMENT; }
          else if (c !== undefined) { state = PATH; if (c !== '/') p--; }
          else if (override && url.host === null) url.path.push('');
          break;
        case PATH:
          var slash = c === '/' || (special(url) && c === '\\');
          if (c === undefined || slash || (!override && (c === '?' || c === '#'))) {
            if (isDoubleDot(buffer)) { shortenPath(url); if (!slash) url.path.push(''); }
            else if (isSingleDot(buffer) && !slash) url.path.push('');
            else if (!isSingleDot(buffer)) {
              if (url.scheme === 'file' && url.path.length === 0 && isWinLetter(buffer)) buffer = buffer[0] + ':';
              url.path.push(buffer);
            }
            buffer = '';
            if (c === '?') { url.query = ''; state = QUERY; }
            if (c === '#') { url.fragment = ''; state = FRAGMENT; }
          } else buffer += encodeCp(c, pathSet);
          break;
        case OPAQUE_PATH:
          if (c === '?') { url.query = ''; state = QUERY; }
          else if (c === '#') { url.fragment = ''; state = FRAGMENT; }
          else if (c !== undefined) url.path += encodeCp(c, c0Set);
          break;
        case QUERY:
          if (c === undefined || (!override && c === '#')) {
            url.query += encodeString(buffer, special(url) ? specialQuerySet : querySet);
            buffer = '';
            if (c === '#') { url.fragment = ''; state = FRAGMENT; }
          } else buffer += c;
          break;
        case FRAGMENT:
          if (c !== undefined) url.fragment += encodeCp(c, fragmentSet);
          break;
      }
      if (p >= cps.length) return url;
      p++;
    }
  }
  function serializePath(url) { return typeof url.path === 'string' ? url.path : url.path.length ? '/' + url.path.join('/') : ''; }
  function serialize(url, noFragment) {
    var out = url.scheme + ':';
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
  function stripOpaqueSpaces(url) {
    if (typeof url.path !== 'string' || url.fragment !== null || url.query !== null) return;
    url.path = url.path.replace(/ +$/, '');
  }
`;
