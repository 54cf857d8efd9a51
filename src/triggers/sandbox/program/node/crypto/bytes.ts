/**
 * Node's argument conventions for `crypto`: data as a string (in an encoding, UTF-8 by default) or any
 * ArrayBufferView / ArrayBuffer, copied into a Uint8Array the host may take; output as a Buffer or, given an
 * encoding, a string.
 */
import { StringCtor } from '../../intrinsics.js';
import { asBuffer, BufferOf, type Buffer } from '../buffer.js';
import { codedError } from './host-call.js';

/** The bytes of `data` (a copy), or a TypeError naming `name` as Node's does. */
export function bytesOf(data: unknown, encoding: unknown, name: string): Uint8Array {
  if (typeof data === 'string') {
    const b = BufferOf().from(data, encodingOf(encoding));
    return new Uint8Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  }
  if (data instanceof ArrayBuffer) return new Uint8Array(data.slice(0));
  if (ArrayBuffer.isView(data)) {
    return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  }
  throw codedError(
    'The "' +
      name +
      '" argument must be of type string or an instance of Buffer, TypedArray, or DataView. Received ' +
      describe(data),
    'ERR_INVALID_ARG_TYPE',
    'TypeError',
  );
}

/** Whether `data` is what {@link bytesOf} takes. */
export function isBytesLike(data: unknown): boolean {
  return typeof data === 'string' || data instanceof ArrayBuffer || ArrayBuffer.isView(data);
}

/** An encoding argument: undefined or 'buffer' for none, else the name Buffer knows (refused when unknown). */
function encodingOf(encoding: unknown): string {
  if (encoding === undefined || encoding === null || encoding === 'buffer') return 'utf8';
  const name = StringCtor(encoding);
  if (!BufferOf().isEncoding(name)) throw codedError('Unknown encoding: ' + name, 'ERR_UNKNOWN_ENCODING', 'TypeError');
  return name;
}

/** Output: a Buffer, or a string in `encoding` when one is given. */
export function output(bytes: Uint8Array, encoding: unknown): Buffer | string {
  const buffer = asBuffer(bytes);
  if (encoding === undefined || encoding === null || encoding === 'buffer') return buffer;
  return buffer.toString(encodingOf(encoding));
}

/** A value as Node's argument errors name it. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return 'function ' + ((value as { name?: string }).name || '');
  if (typeof value === 'object') {
    const ctor = (value as { constructor?: { name?: unknown } }).constructor;
    return 'an instance of ' + (ctor && typeof ctor.name === 'string' ? ctor.name : 'Object');
  }
  return 'type ' + typeof value;
}
