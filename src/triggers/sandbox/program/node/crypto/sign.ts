/**
 * Signatures: `createSign` / `createVerify` and the one-shot `sign` / `verify`, for RSA (PKCS#1 v1.5 and PSS),
 * ECDSA (DER or IEEE P1363) and EdDSA; the host signs with Node's `crypto` (crypto-ops.ts). Also `timingSafeEqual`,
 * which needs no host: a loop over every byte whatever they hold.
 */
import { JSONstringify } from '../../intrinsics.js';
import { queueMicrotask } from '../../node-globals.js';
import type { Buffer } from '../buffer.js';
import { bytesOf, describe, output } from './bytes.js';
import { Chunks, hashName } from './hash.js';
import { answerBytes, answerText, checkSize, codedError, hostCall } from './host-call.js';
import { prepareKey, type PreparedKey } from './keys.js';

function meta(alg: string | null, key: PreparedKey): string {
  return JSONstringify({
    alg,
    source: key.source,
    padding: key.options.padding,
    saltLength: key.options.saltLength,
    dsaEncoding: key.options.dsaEncoding,
  });
}

function signBytes(alg: string | null, data: Uint8Array, key: unknown): Uint8Array {
  const prepared = prepareKey(key, 'private');
  return answerBytes(hostCall('sign', meta(alg, prepared), prepared.bytes, data));
}

function verifyBytes(alg: string | null, data: Uint8Array, key: unknown, signature: Uint8Array): boolean {
  const prepared = prepareKey(key, 'public');
  checkSize(signature.length);
  return answerText(hostCall('verify', meta(alg, prepared), prepared.bytes, data, signature)) === 'true';
}

function algorithmOf(algorithm: unknown): string | null {
  return algorithm === null || algorithm === undefined ? null : hashName(algorithm, 'Invalid digest');
}

/** `crypto.Sign`, as `createSign` makes it. */
export class Sign {
  #alg: string;
  #data = new Chunks();
  #done = false;
  constructor(algorithm: unknown, _options?: unknown) {
    this.#alg = hashName(algorithm, 'Invalid digest');
  }
  update(data: unknown, inputEncoding?: unknown): this {
    this.#data.add(data, inputEncoding);
    return this;
  }
  sign(privateKey: unknown, outputEncoding?: unknown): Buffer | string {
    if (this.#done) throw codedError('Sign already called', 'ERR_CRYPTO_SIGN_KEY_REQUIRED');
    const signature = signBytes(this.#alg, this.#data.joined(), privateKey);
    this.#done = true;
    return output(signature, outputEncoding);
  }
}

/** `crypto.Verify`, as `createVerify` makes it. */
export class Verify {
  #alg: string;
  #data = new Chunks();
  constructor(algorithm: unknown, _options?: unknown) {
    this.#alg = hashName(algorithm, 'Invalid digest');
  }
  update(data: unknown, inputEncoding?: unknown): this {
    this.#data.add(data, inputEncoding);
    return this;
  }
  verify(publicKey: unknown, signature: unknown, signatureEncoding?: unknown): boolean {
    return verifyBytes(this.#alg, this.#data.joined(), publicKey, bytesOf(signature, signatureEncoding, 'signature'));
  }
}

/** Runs `make` and answers its result, or hands it to a Node-style callback on a later microtask. */
function withCallback<T>(make: () => T, callback: unknown): T | undefined {
  if (callback === undefined) return make();
  if (typeof callback !== 'function')
    throw codedError(
      'The "callback" argument must be of type function. Received ' + describe(callback),
      'ERR_INVALID_ARG_TYPE',
      'TypeError',
    );
  let result: T;
  try {
    result = make();
  } catch (error) {
    queueMicrotask(function () {
      callback(error);
    });
    return undefined;
  }
  queueMicrotask(function () {
    callback(null, result);
  });
  return undefined;
}

/** `crypto.sign(algorithm, data, key[, callback])`. */
export function sign(algorithm: unknown, data: unknown, key: unknown, callback?: unknown): Buffer | undefined {
  const alg = algorithmOf(algorithm);
  const bytes = bytesOf(data, undefined, 'data');
  checkSize(bytes.length);
  return withCallback(function () {
    return output(signBytes(alg, bytes, key), undefined) as Buffer;
  }, callback);
}

/** `crypto.verify(algorithm, data, key, signature[, callback])`. */
export function verify(
  algorithm: unknown,
  data: unknown,
  key: unknown,
  signature: unknown,
  callback?: unknown,
): boolean | undefined {
  const alg = algorithmOf(algorithm);
  const bytes = bytesOf(data, undefined, 'data');
  const sig = bytesOf(signature, undefined, 'signature');
  checkSize(bytes.length);
  return withCallback(function () {
    return verifyBytes(alg, bytes, key, sig);
  }, callback);
}

/** `crypto.timingSafeEqual(a, b)`: compares every byte, whatever they hold. */
export function timingSafeEqual(a: unknown, b: unknown): boolean {
  const x = viewOf(a, 'buf1');
  const y = viewOf(b, 'buf2');
  if (x.length !== y.length)
    throw codedError(
      'Input buffers must have the same byte length',
      'ERR_CRYPTO_TIMING_SAFE_EQUAL_LENGTH',
      'RangeError',
    );
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x[i]! ^ y[i]!;
  return diff === 0;
}

function viewOf(value: unknown, name: string): Uint8Array {
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  throw codedError(
    'The "' +
      name +
      '" argument must be an instance of ArrayBuffer, Buffer, TypedArray, or DataView. Received ' +
      describe(value),
    'ERR_INVALID_ARG_TYPE',
    'TypeError',
  );
}
