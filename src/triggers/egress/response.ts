/**
 * The response side of the egress guard: status, headers and the body as text, decompressed, with the size limit
 * enforced on the decompressed bytes as they arrive.
 */
import type http from 'node:http';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import type { SandboxFetchResponse } from '../contract.js';
import { EgressNetworkError, EgressTooLargeError, networkError } from './errors.js';

/** Reads the body, decompressing it, and drops the connection once it passes `limit` bytes. */
export function readResponse(
  response: http.IncomingMessage,
  method: string,
  limit: number,
): Promise<SandboxFetchResponse> {
  const head = {
    status: response.statusCode ?? 0,
    statusText: response.statusMessage ?? '',
    headers: flattenHeaders(response.headers),
  };
  const status = head.status;
  if (method === 'HEAD' || status === 204 || status === 304) {
    response.destroy();
    return Promise.resolve({ ...head, body: '' });
  }
  const declared = Number(response.headers['content-length']);
  const encoding = (response.headers['content-encoding'] ?? '').trim().toLowerCase();
  if (Number.isFinite(declared) && declared > limit && encoding === '') {
    response.destroy();
    return Promise.reject(new EgressTooLargeError('response', limit));
  }
  let stream: Readable = response;
  if (encoding === 'gzip' || encoding === 'x-gzip') stream = response.pipe(zlib.createGunzip());
  else if (encoding === 'deflate') stream = response.pipe(zlib.createInflate());
  else if (encoding === 'br') stream = response.pipe(zlib.createBrotliDecompress());

  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true; // first: destroying emits 'aborted' synchronously
      reject(error);
      response.destroy();
      if (stream !== response) stream.destroy();
    };
    stream.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (settled) return;
      if (total > limit) fail(new EgressTooLargeError('response', limit));
      else chunks.push(chunk);
    });
    stream.on('error', (error) => fail(networkError(error, 'response body')));
    response.on('aborted', () => fail(new EgressNetworkError('the connection closed before the body ended')));
    stream.on('end', () => {
      if (settled) return;
      settled = true;
      resolve({ ...head, body: new TextDecoder().decode(Buffer.concat(chunks)) });
    });
  });
}

/** Node's header object to `Record<string, string>`; repeated headers (`set-cookie`) are joined with ", ". */
function flattenHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}
