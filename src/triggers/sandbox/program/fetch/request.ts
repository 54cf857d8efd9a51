/**
 * HTTP requests out of the isolate, shared by `fetch` (Auth0) and `kinde.fetch`: fetch-style arguments normalised to
 * what crosses to the host as two strings (the URL, and the init as JSON). The egress guard lives on the host
 * (`HostServices.fetch`, triggers/egress/).
 */
import { ArrayIsArray, JSONstringify, ObjectCreate, ObjectKeys, StringCtor } from '../intrinsics.js';
import { URLSearchParams } from '../url/search-params.js';
import { multipartBody, FormData } from './form-data.js';
import { notHeaders } from './headers.js';

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
  objectBodyAsJson: boolean,
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
  let body: unknown = options.body;
  if (body === undefined || body === null) body = undefined;
  else if (body instanceof FormData) {
    const multipart = multipartBody(body);
    if (headers['content-type'] === undefined) headers['content-type'] = multipart.contentType;
    body = multipart.body;
  } else if (body instanceof URLSearchParams) {
    if (headers['content-type'] === undefined)
      headers['content-type'] = 'application/x-www-form-urlencoded;charset=UTF-8';
    body = body.toString();
  } else if (typeof body === 'string') {
    if (headers['content-type'] === undefined) headers['content-type'] = 'text/plain;charset=UTF-8';
  } else if (objectBodyAsJson && typeof body === 'object') {
    if (headers['content-type'] === undefined) headers['content-type'] = 'application/json';
    body = JSONstringify(body);
  } else body = StringCtor(body);
  const plainHeaders: Record<string, string> = {};
  const names = ObjectKeys(headers);
  for (let n = 0; n < names.length; n++) plainHeaders[names[n]!] = headers[names[n]!]!;
  return { url: url, init: { method: method, headers: plainHeaders, body: body as string | undefined } };
}

/** Turns a Reference call's failure into a plain message the action can read. */
export function hostMessage(e: unknown): string {
  return e !== null && typeof e === 'object' && typeof (e as { message?: unknown }).message === 'string'
    ? (e as { message: string }).message
    : StringCtor(e);
}
