/**
 * Node globals that Auth0 actions (Node 22 runtime) commonly use and V8 alone lacks: `setTimeout` / `clearTimeout`,
 * `queueMicrotask`, `atob` / `btoa` (HTML "forgiving-base64"). Timers are kept in the isolate (sandbox/timers.ts) and
 * run the callback back in the invocation that set them. A callback that throws fails that invocation, as an uncaught
 * exception would fail a Node action.
 *
 * Names in scope: the core (sandbox/core.ts), the timers (sandbox/timers.ts).
 */
export const SANDBOX_NODE_GLOBALS_SOURCE = String.raw`
function queueMicrotask(callback) {
  if (typeof callback !== 'function') throw new TypeErrorCtor('The "callback" argument must be of type function');
  reflectApply(promiseThen, PromiseCtor.resolve(), [function () { callback(); }]);
}

var BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
function invalidCharacter(message) {
  var error = new ErrorCtor(message);
  error.name = 'InvalidCharacterError';
  return error;
}
function btoa(data) {
  if (arguments.length === 0) throw new TypeErrorCtor('The "data" argument must be specified');
  var s = StringCtor(data), out = '';
  for (var i = 0; i < s.length; i += 3) {
    var a = s.charCodeAt(i), b = s.charCodeAt(i + 1), c = s.charCodeAt(i + 2);
    if (a > 255 || b > 255 || c > 255) throw invalidCharacter('Invalid character');
    var n = (a << 16) | ((b || 0) << 8) | (c || 0);
    out += BASE64[n >> 18] + BASE64[(n >> 12) & 63] + (i + 1 < s.length ? BASE64[(n >> 6) & 63] : '=') + (i + 2 < s.length ? BASE64[n & 63] : '=');
  }
  return out;
}
function atob(data) {
  if (arguments.length === 0) throw new TypeErrorCtor('The "data" argument must be specified');
  var s = StringCtor(data).replace(/[\t\n\f\r ]/g, '');
  if (s.length % 4 === 0) s = s.replace(/==?$/, '');
  if (s.length % 4 === 1 || /[^A-Za-z0-9+/]/.test(s)) throw invalidCharacter('The string to be decoded is not correctly encoded.');
  var out = '', buffer = 0, bits = 0;
  for (var i = 0; i < s.length; i++) {
    buffer = (buffer << 6) | BASE64.indexOf(s[i]);
    bits += 6;
    if (bits >= 8) { bits -= 8; out += String.fromCharCode((buffer >> bits) & 255); }
  }
  return out;
}

globalThis.setTimeout = setTimeout;
globalThis.clearTimeout = clearTimeout;
globalThis.queueMicrotask = queueMicrotask;
globalThis.atob = atob;
globalThis.btoa = btoa;
`;
