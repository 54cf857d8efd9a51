/**
 * HTTP requests out of the isolate, shared by `fetch` (Auth0) and `kinde.fetch`: fetch-style arguments normalised to
 * what crosses to the host as two strings (the URL, and the init as JSON). The egress guard lives on the host
 * (`HostServices.fetch`, triggers/egress/). So a body is text; each caller says how its bodies become text (the
 * Auth0 `fetch`'s FormData, Blob and byte bodies: fetch/body.ts), over the bodies both take ({@link textBody}).
 */
import { ArrayIsArray, JSONstringify, ObjectCreate, ObjectKeys, StringCtor } from '../intrinsics.js';
import { URLSearchParams } from '../url/search-params.js';
import { notHeaders } from './headers.js';

/** A body (not undefined or null) as the text sent, given the lower-cased headers, to which it may add content-type. */
export type BodyEncoder = (body: unknown, headers: Record<string, string>) => string;

/** What crosses to the host: method, lower-cased headers and a string body. */
export interface RequestInit {
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

/** Fields read off fetch-style arguments, whatever the action passed. */
type Loose = Record<string, unknown> & { forEach?: unknown };

/** URL, method, lower-cased headers and a string body, from fetch-style arguments. */
export function requestParts(
  input: unknown,
  init: unknown,
  encodeBody: BodyEncoder,
): { url: string; init: RequestInit } {
  const given = input as Loose;
  const url =
    typeof input === 'string'
      ? input
      : input !== null && typeof input === 'object' && typeof given.href === 'string'
        ? given.href
        : input !== null && typeof input === 'object' && typeof given.url === 'string'
          ? given.url
          : StringCtor(input);
  if (init === undefined || init === null) init = {};
  const options = init as Loose;
  const method = options.method === undefined ? 'GET' : StringCtor(options.method).toUpperCase();
  const headers: Record<string, string> = ObjectCreate(null);
  const h = options.headers as Loose | unknown[] | undefined | null;
  if (h !== undefined && h !== null && typeof h !== 'object' && typeof h !== 'function') throw notHeaders();
  if (h !== undefined && h !== null) {
    if (ArrayIsArray(h)) {
      for (let i = 0; i < h.length; i++) {
        headers[StringCtor((h[i] as unknown[])[0]).toLowerCase()] = StringCtor((h[i] as unknown[])[1]);
      }
    } else if (typeof h.forEach === 'function') {
      h.forEach(function (value: unknown, key: unknown) {
        headers[StringCtor(key).toLowerCase()] = StringCtor(value);
      });
    } else {
      const keys = ObjectKeys(h);
      for (let k = 0; k < keys.length; k++) headers[keys[k]!.toLowerCase()] = StringCtor(h[keys[k]!]);
    }
  }
  const body = options.body === undefined || options.body === null ? undefined : encodeBody(options.body, headers);
  const plainHeaders: Record<string, string> = {};
  const names = ObjectKeys(headers);
  for (let n = 0; n < names.length; n++) plainHeaders[names[n]!] = headers[names[n]!]!;
  return { url: url, init: { method: method, headers: plainHeaders, body: body } };
}

/**
 * The bodies both fetches send: URLSearchParams (form-encoded), a string (text/plain), an object as JSON when
 * `objectAsJson` (kinde.fetch), anything else as `String()`; a content-type is set where none was given.
 */
export function textBody(body: unknown, headers: Record<string, string>, objectAsJson: boolean): string {
  if (body instanceof URLSearchParams) {
    if (headers['content-type'] === undefined)
      headers['content-type'] = 'application/x-www-form-urlencoded;charset=UTF-8';
    return body.toString();
  }
  if (typeof body === 'string') {
    if (headers['content-type'] === undefined) headers['content-type'] = 'text/plain;charset=UTF-8';
    return body;
  }
  if (objectAsJson && typeof body === 'object') {
    if (headers['content-type'] === undefined) headers['content-type'] = 'application/json';
    return JSONstringify(body);
  }
  return StringCtor(body);
}

/** Turns a Reference call's failure into a plain message the action can read. */
export function hostMessage(e: unknown): string {
  return e !== null && typeof e === 'object' && typeof (e as { message?: unknown }).message === 'string'
    ? (e as { message: string }).message
    : StringCtor(e);
}
