/**
 * Node globals that Auth0 actions (Node 22 runtime) commonly use and V8 alone lacks: `queueMicrotask` and `atob` /
 * `btoa` (HTML "forgiving-base64"); `setTimeout` / `clearTimeout` are timers.ts. The Auth0 program installs them.
 */
import { ErrorCtor, PromiseCtor, StringCtor, TypeErrorCtor, promiseThen, reflectApply } from './intrinsics.js';

/** Queues `callback` as a microtask, with the captured `then`. */
export function queueMicrotask(callback: unknown): void {
  if (typeof callback !== 'function') throw new TypeErrorCtor('The "callback" argument must be of type function');
  reflectApply(promiseThen, PromiseCtor.resolve(), [
    function () {
      callback();
    },
  ]);
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function invalidCharacter(message: string): Error {
  const error = new ErrorCtor(message);
  error.name = 'InvalidCharacterError';
  return error;
}

/** Latin-1 text to base64; a code unit above 255 throws InvalidCharacterError. */
export function btoa(data: unknown): string {
  if (arguments.length === 0) throw new TypeErrorCtor('The "data" argument must be specified');
  const s = StringCtor(data);
  let out = '';
  for (let i = 0; i < s.length; i += 3) {
    const a = s.charCodeAt(i);
    const b = s.charCodeAt(i + 1);
    const c = s.charCodeAt(i + 2);
    if (a > 255 || b > 255 || c > 255) throw invalidCharacter('Invalid character');
    const n = (a << 16) | ((b || 0) << 8) | (c || 0);
    out +=
      BASE64[n >> 18]! +
      BASE64[(n >> 12) & 63] +
      (i + 1 < s.length ? BASE64[(n >> 6) & 63] : '=') +
      (i + 2 < s.length ? BASE64[n & 63] : '=');
  }
  return out;
}

/** Base64 (forgiving: whitespace and missing padding allowed) to Latin-1 text. */
export function atob(data: unknown): string {
  if (arguments.length === 0) throw new TypeErrorCtor('The "data" argument must be specified');
  let s = StringCtor(data).replace(/[\t\n\f\r ]/g, '');
  if (s.length % 4 === 0) s = s.replace(/==?$/, '');
  if (s.length % 4 === 1 || /[^A-Za-z0-9+/]/.test(s)) {
    throw invalidCharacter('The string to be decoded is not correctly encoded.');
  }
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (let i = 0; i < s.length; i++) {
    buffer = (buffer << 6) | BASE64.indexOf(s[i]!);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += String.fromCharCode((buffer >> bits) & 255);
    }
  }
  return out;
}
