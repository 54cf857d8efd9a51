/**
 * Node globals that Auth0 actions (Node 22 runtime) commonly use and V8 alone lacks: `setTimeout` / `clearTimeout`,
 * `queueMicrotask`, `atob` / `btoa` (HTML "forgiving-base64"). Timers wait on the host (`hostSleep`, capped at the
 * chain budget) and run the callback back in the invocation that set them. A callback that throws fails that
 * invocation, as an uncaught exception would fail a Node action.
 *
 * Names in scope: the core (sandbox-core.ts), `hostSleep` (a Reference).
 */
export const SANDBOX_NODE_GLOBALS_SOURCE = String.raw`
var timers = ObjectCreate(null), nextTimer = 1;
function Timeout(id) { this.id = id; }
Timeout.prototype.ref = function () { return this; };
Timeout.prototype.unref = function () { return this; };
Timeout.prototype.hasRef = function () { return true; };
Timeout.prototype[Symbol.toPrimitive] = function () { return this.id; };

function setTimeout(callback, delay) {
  if (typeof callback !== 'function') throw new TypeErrorCtor('The "callback" argument must be of type function');
  var args = Array.prototype.slice.call(arguments, 2), id = nextTimer++, inv = current, ms = Number(delay);
  timers[id] = true;
  var waiting = hostSleep.apply(undefined, [ms >= 1 && ms <= 2147483647 ? ms : 1], { result: { promise: true } });
  ioStarted();
  reflectApply(promiseThen, waiting, [function () {
    ioReturned();
    if (timers[id] !== true) return;
    delete timers[id];
    current = inv;
    try {
      reflectApply(callback, undefined, args);
    } catch (e) {
      if (inv !== null && !inv.done && inv.uncaught === undefined) inv.uncaught = e;
    }
  }, ioReturned]);
  return new Timeout(id);
}
function clearTimeout(timer) {
  var id = timer instanceof Timeout ? timer.id : Number(timer);
  delete timers[id];
}
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
