/**
 * What `http.request` and `https.request` take (http.ts): a URL or options, and a callback, in Node's argument orders;
 * the protocol checked against the module's; Node's header validators and errors with a `code`.
 */
import { StringCtor } from '../intrinsics.js';
import { URL } from '../url/url.js';

/** Request options as Node takes them. */
export type Options = Record<string, unknown>;

/** The methods `http.METHODS` lists. */
export const METHODS = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'];

/** An Error with Node's `code`. */
export function httpError(message: string, code: string): Error & { code: string } {
  const error = new Error(message) as Error & { code: string };
  error.code = code;
  return error;
}

/** `request(url[, options][, callback])` or `request(options[, callback])` → options and callback. */
export function argumentsOf(
  protocol: string,
  a: unknown,
  b: unknown,
  c: unknown,
): { options: Options; callback: unknown } {
  let options: Options = {};
  let callback = c;
  if (typeof a === 'string' || a instanceof URL) {
    const url = new URL(StringCtor(a));
    options = {
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port,
      path: url.pathname + url.search,
      ...(url.username !== ''
        ? { auth: decodeURIComponent(url.username) + ':' + decodeURIComponent(url.password) }
        : {}),
    };
    if (typeof b === 'function') callback = b;
    else if (b !== null && typeof b === 'object') options = { ...options, ...(b as Options) };
  } else {
    if (a !== null && typeof a === 'object') options = { ...(a as Options) };
    callback = b;
  }
  const given = options.protocol === undefined || options.protocol === null ? protocol : StringCtor(options.protocol);
  if (given !== protocol) {
    const error = httpError(
      'Protocol "' + given + '" not supported. Expected "' + protocol + '"',
      'ERR_INVALID_PROTOCOL',
    );
    throw Object.setPrototypeOf(error, TypeError.prototype);
  }
  return { options, callback };
}

/** `http.validateHeaderName`. */
export function validateHeaderName(name: unknown): void {
  if (typeof name !== 'string' || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name))
    throw Object.setPrototypeOf(
      httpError('Header name must be a valid HTTP token ["' + StringCtor(name) + '"]', 'ERR_INVALID_HTTP_TOKEN'),
      TypeError.prototype,
    );
}

/** `http.validateHeaderValue`. */
export function validateHeaderValue(name: unknown, value: unknown): void {
  if (value === undefined)
    throw Object.setPrototypeOf(
      httpError('Invalid value "undefined" for header "' + StringCtor(name) + '"', 'ERR_HTTP_INVALID_HEADER_VALUE'),
      TypeError.prototype,
    );
  if (/[^\t\x20-\x7e\x80-\xff]/.test(StringCtor(value)))
    throw Object.setPrototypeOf(
      httpError('Invalid character in header content ["' + StringCtor(name) + '"]', 'ERR_INVALID_CHAR'),
      TypeError.prototype,
    );
}
