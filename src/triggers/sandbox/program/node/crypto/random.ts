/**
 * Random values from the host's CSPRNG (Node's `randomFillSync`): small asks are served from a pool of
 * {@link POOL_BYTES} fetched in one host call, as Node itself pools `randomUUID`; larger ones go to the host directly.
 * The pool is module state of the program, which no action code can read. `randomBytes`, `randomFillSync`,
 * `randomFill`, `randomInt`, `randomUUID` and Web Crypto's `getRandomValues`.
 */
import { MathFloor, NumberCtor, TypeErrorCtor } from '../../intrinsics.js';
import { queueMicrotask } from '../../node-globals.js';
import { asBuffer, type Buffer } from '../buffer.js';
import { describe } from './bytes.js';
import { answerBytes, codedError, hostCall } from './host-call.js';

const POOL_BYTES = 4096;
/** Bytes one host call may answer (the host's MAX_RANDOM_BYTES). */
const MAX_CALL = 65536;
/** Node's kMaxLength for randomBytes; asks past {@link MAX_CALL} are made of several calls. */
const MAX_RANDOM = 2147483647;

let pool: Uint8Array = new Uint8Array(0);
let used = 0;

/** `n` random bytes, fresh. */
export function randomFill(target: Uint8Array): void {
  const n = target.length;
  if (n <= 256) {
    if (pool.length - used < n) {
      pool = answerBytes(hostCall('random', '{"size":' + POOL_BYTES + '}'));
      used = 0;
    }
    target.set(pool.subarray(used, used + n));
    pool.fill(0, used, used + n);
    used += n;
    return;
  }
  for (let at = 0; at < n; at += MAX_CALL) {
    const size = n - at < MAX_CALL ? n - at : MAX_CALL;
    target.set(answerBytes(hostCall('random', '{"size":' + size + '}')), at);
  }
}

function checkSize(size: unknown, max: number): number {
  if (typeof size !== 'number')
    throw codedError(
      'The "size" argument must be of type number. Received ' + describe(size),
      'ERR_INVALID_ARG_TYPE',
      'TypeError',
    );
  if (!(size >= 0 && size <= max) || MathFloor(size) !== size)
    throw codedError(
      'The value of "size" is out of range. It must be >= 0 && <= ' + max + '. Received ' + size,
      'ERR_OUT_OF_RANGE',
      'RangeError',
    );
  return size;
}

/** Runs `make` now and hands its result to a Node-style callback on a later microtask, or throws without one. */
function maybeCallback<T>(make: () => T, callback: unknown): T | undefined {
  if (callback === undefined) return make();
  if (typeof callback !== 'function')
    throw codedError('The "callback" argument must be of type function', 'ERR_INVALID_ARG_TYPE', 'TypeError');
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

export function randomBytes(size: unknown, callback?: unknown): Buffer | undefined {
  return maybeCallback(function () {
    const bytes = new Uint8Array(checkSize(size, MAX_RANDOM));
    randomFill(bytes);
    return asBuffer(bytes);
  }, callback);
}

function viewBytes(buf: unknown): Uint8Array {
  if (ArrayBuffer.isView(buf)) return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf instanceof ArrayBuffer) return new Uint8Array(buf);
  throw codedError(
    'The "buf" argument must be an instance of ArrayBuffer or ArrayBufferView. Received ' + describe(buf),
    'ERR_INVALID_ARG_TYPE',
    'TypeError',
  );
}

export function randomFillSync<T>(buf: T, offset?: unknown, size?: unknown): T {
  const view = viewBytes(buf);
  const from = offset === undefined ? 0 : checkSize(offset, view.length);
  const n = size === undefined ? view.length - from : checkSize(size, view.length - from);
  const bytes = new Uint8Array(n);
  randomFill(bytes);
  view.set(bytes, from);
  return buf;
}

/** `randomFill(buf[, offset[, size]], callback)`. */
export function randomFillAsync(buf: unknown, offset?: unknown, size?: unknown, callback?: unknown): void {
  let cb = callback;
  if (typeof offset === 'function') [cb, offset, size] = [offset, undefined, undefined];
  else if (typeof size === 'function') [cb, size] = [size, undefined];
  maybeCallback(
    function () {
      return randomFillSync(buf, offset, size);
    },
    cb === undefined ? null : cb,
  );
}

/** A uniform integer in [min, max) by rejection sampling, as Node's randomInt (range below 2^48). */
export function randomInt(a: unknown, b?: unknown, callback?: unknown): number | undefined {
  let min = 0;
  let max = a;
  let cb = b;
  if (typeof b === 'number') {
    min = a as number;
    max = b;
    cb = callback;
  }
  if (!NumberCtor.isSafeInteger(min) || !NumberCtor.isSafeInteger(max))
    throw codedError('The "min" and "max" arguments must be safe integers', 'ERR_INVALID_ARG_TYPE', 'TypeError');
  const range = (max as number) - min;
  if (!(range > 0 && range <= 0xffffffffffff))
    throw codedError(
      'The value of "max" is out of range. It must be greater than the value of "min" (' +
        min +
        ') and the range ' +
        'must be at most 2^48',
      'ERR_OUT_OF_RANGE',
      'RangeError',
    );
  return maybeCallback(function () {
    const limit = 0x1000000000000 - (0x1000000000000 % range);
    const six = new Uint8Array(6);
    for (;;) {
      randomFill(six);
      const x =
        six[0]! * 0x10000000000 +
        six[1]! * 0x100000000 +
        ((six[2]! << 24) >>> 0) +
        (six[3]! << 16) +
        (six[4]! << 8) +
        six[5]!;
      if (x < limit) return min + (x % range);
    }
  }, cb);
}

const HEX = '0123456789abcdef';

/** A version 4 UUID (RFC 9562 §5.4). */
export function randomUUID(): string {
  const b = new Uint8Array(16);
  randomFill(b);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  let out = '';
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) out += '-';
    out += HEX[b[i]! >> 4]! + HEX[b[i]! & 15]!;
  }
  return out;
}

/** Web Crypto's `getRandomValues(typedArray)`: integer arrays of at most 65,536 bytes. */
export function getRandomValues<T>(array: T): T {
  if (
    !ArrayBuffer.isView(array) ||
    array instanceof DataView ||
    array instanceof Float32Array ||
    array instanceof Float64Array
  ) {
    throw new TypeErrorCtor("Failed to execute 'getRandomValues': The provided value is not an integer typed array");
  }
  if (array.byteLength > MAX_CALL) {
    const error = codedError(
      "Failed to execute 'getRandomValues': The ArrayBufferView's byte length (" +
        array.byteLength +
        ') exceeds ' +
        'the number of bytes of entropy available via this API (65536)',
      'QuotaExceededError',
    );
    error.name = 'QuotaExceededError';
    throw error;
  }
  randomFillSync(array);
  return array;
}
