/**
 * How the Auth0 `fetch` turns a body into the text that crosses to the host (fetch/request.ts): a FormData as
 * `multipart/form-data`, a Blob (its type the content-type, if none was given) or an ArrayBuffer, typed array or
 * DataView as their bytes — which must be UTF-8 text, sent exactly; other bytes are refused with a TypeError, as the
 * host sends text bodies only — and the rest as both fetches do (`textBody`). kinde.fetch has none of these classes.
 */
import { ArrayBufferCtor, ArrayBufferIsView, TypeErrorCtor, Uint8ArrayCtor } from '../intrinsics.js';
import { decodeUtf8 } from '../utf8.js';
import { blobBodyText, isBlob } from './blob.js';
import { FormData, multipartBody } from './form-data.js';
import { textBody } from './request.js';

/** An ArrayBuffer or view body (a Buffer, a TextEncoder's bytes) as the UTF-8 text it must hold. */
function bufferText(body: ArrayBuffer | ArrayBufferView): string {
  const bytes =
    body instanceof ArrayBufferCtor
      ? new Uint8ArrayCtor(body)
      : new Uint8ArrayCtor(body.buffer, body.byteOffset, body.byteLength);
  try {
    return decodeUtf8(bytes, bytes.length, true);
  } catch {
    throw new TypeErrorCtor("fetch: the body's bytes are not UTF-8 text: an action's requests carry text bodies only");
  }
}

/** The Auth0 fetch's body encoder. */
export function fetchBody(body: unknown, headers: Record<string, string>): string {
  if (body instanceof FormData) {
    const multipart = multipartBody(body);
    if (headers['content-type'] === undefined) headers['content-type'] = multipart.contentType;
    return multipart.body;
  }
  if (isBlob(body)) {
    if (headers['content-type'] === undefined && body.type !== '') headers['content-type'] = body.type;
    return blobBodyText(body, 'fetch: the Blob body');
  }
  if (body instanceof ArrayBufferCtor || ArrayBufferIsView(body)) return bufferText(body);
  return textBody(body, headers, false);
}
