/**
 * The `crypto` module of an Auth0 action (Node's API, the parts M2M actions use): hashes, HMAC, random values,
 * `timingSafeEqual`, key objects, signatures, `webcrypto`. The work is the host's (`hostNode`, auth0/node-host.ts),
 * bounded per execution (host-call.ts); ciphers, key agreement and key derivation are not provided.
 */
import { queueMicrotask } from '../../node-globals.js';
import { bufferModule } from '../buffer.js';
import { Hash, HASHES, Hmac, hash } from './hash.js';
import {
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  generateKeyPairSync,
  generateKeySync,
  KeyObject,
} from './keys.js';
import { getRandomValues, randomBytes, randomFillAsync, randomFillSync, randomInt, randomUUID } from './random.js';
import { sign, Sign, timingSafeEqual, verify, Verify } from './sign.js';
import { CryptoKey, makeWebCrypto, SubtleCrypto } from './webcrypto.js';

let webcrypto: Record<string, unknown> | undefined;

/** The `webcrypto` object, shared by `require('crypto').webcrypto` and the global `crypto`. */
export function webcryptoObject(): Record<string, unknown> {
  if (webcrypto === undefined) webcrypto = makeWebCrypto();
  return webcrypto;
}

/**
 * Wraps a synchronous maker of two arguments in Node's `(a, b, callback)` form, answering on a later microtask;
 * `pair` spreads a key pair into the callback's `(err, publicKey, privateKey)`.
 */
function callbackForm(make: (a: unknown, b: unknown) => unknown, pair: boolean) {
  return function (a: unknown, b: unknown, callback: unknown): void {
    if (typeof callback !== 'function') throw new TypeError('The "callback" argument must be of type function');
    let result: unknown;
    try {
      result = make(a, b);
    } catch (error) {
      queueMicrotask(() => callback(error));
      return;
    }
    queueMicrotask(() => {
      const keys = result as { publicKey?: unknown; privateKey?: unknown };
      if (pair) callback(null, keys.publicKey, keys.privateKey);
      else callback(null, result);
    });
  };
}

/** Makes the `crypto` module (at the first `require('crypto')`). */
export function makeCrypto(): Record<string, unknown> {
  bufferModule();
  const web = webcryptoObject();
  return {
    createHash: (algorithm: unknown, options?: unknown) => new Hash(algorithm, options),
    createHmac: (algorithm: unknown, key: unknown, options?: unknown) => new Hmac(algorithm, key, options),
    hash,
    getHashes: () => HASHES.slice(),
    getCurves: () => ['prime256v1', 'secp256k1', 'secp384r1', 'secp521r1'],
    getCiphers: () => [],
    Hash,
    Hmac,
    randomBytes,
    pseudoRandomBytes: randomBytes,
    randomFillSync,
    randomFill: randomFillAsync,
    randomInt,
    randomUUID,
    getRandomValues,
    timingSafeEqual,
    createSign: (algorithm: unknown, options?: unknown) => new Sign(algorithm, options),
    createVerify: (algorithm: unknown, options?: unknown) => new Verify(algorithm, options),
    Sign,
    Verify,
    sign,
    verify,
    KeyObject,
    createPrivateKey,
    createPublicKey,
    createSecretKey,
    generateKeyPairSync,
    generateKeyPair: callbackForm(generateKeyPairSync, true),
    generateKeySync,
    generateKey: callbackForm(generateKeySync, false),
    webcrypto: web,
    subtle: web.subtle,
    CryptoKey,
    SubtleCrypto,
    constants: {
      RSA_PKCS1_PADDING: 1,
      RSA_NO_PADDING: 3,
      RSA_PKCS1_OAEP_PADDING: 4,
      RSA_PKCS1_PSS_PADDING: 6,
      RSA_PSS_SALTLEN_DIGEST: -1,
      RSA_PSS_SALTLEN_MAX_SIGN: -2,
      RSA_PSS_SALTLEN_AUTO: -2,
    },
  };
}
