/**
 * `buffer` and the global `Buffer`: the `buffer` npm package (Node's API over a Uint8Array), with the `base64url`
 * encoding Node has had since v15 (scripts/build-sandbox.mjs adds it to the package's encoding switches at build
 * time), and the module's `atob`, `btoa` and `constants`. Evaluated at the first use, never at isolate start.
 */
import type { Buffer as NpmBuffer } from 'buffer';
import { atob, btoa } from '../node-globals.js';

/** The Buffer class. */
export type Buffer = NpmBuffer;
/** The Buffer class's static side. */
export type BufferClass = typeof NpmBuffer;

/** The `buffer` module. */
export interface BufferModule {
  Buffer: BufferClass;
  kMaxLength: number;
  [name: string]: unknown;
}

let made: BufferModule | undefined;

/** The `buffer` module, made at the first call. */
export function bufferModule(): BufferModule {
  if (made === undefined) {
    const m = require('buffer') as BufferModule;
    m.atob = atob;
    m.btoa = btoa;
    m.constants = { MAX_LENGTH: m.kMaxLength, MAX_STRING_LENGTH: 536870888 };
    made = m;
  }
  return made;
}

/** The Buffer class. */
export function BufferOf(): BufferClass {
  return bufferModule().Buffer;
}

/** A Buffer over the same memory as `bytes` (no copy). */
export function asBuffer(bytes: Uint8Array): Buffer {
  const B = BufferOf();
  return B.from(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength);
}
