/**
 * Web Crypto (`crypto.webcrypto`, the global `crypto` of Node 22): `getRandomValues`, `randomUUID` and a `subtle`
 * that digests, signs and verifies with HMAC, RSASSA-PKCS1-v1_5, RSA-PSS, ECDSA and Ed25519, and imports, exports and
 * generates their keys (webcrypto-keys.ts) — over the same host operations as the Node API. Encryption and key
 * derivation reject with NotSupportedError.
 */
import { JSONstringify, PromiseCtor } from '../../intrinsics.js';
import { answerBytes, answerText, hostCall } from './host-call.js';
import { keyFields, type KeyObject } from './keys.js';
import { getRandomValues, randomUUID } from './random.js';
import { timingSafeEqual } from './sign.js';
import {
  algorithmOf,
  CryptoKey,
  domError,
  exportNow,
  generateNow,
  hashOf,
  importNow,
  innerKey,
  sourceBytes,
  toArrayBuffer,
  type Algorithm,
} from './webcrypto-keys.js';

export { CryptoKey } from './webcrypto-keys.js';

/** Host parameters of a signature by `key` under `algorithm`. */
function signatureMeta(
  algorithm: unknown,
  key: CryptoKey,
): { alg: string | null; padding?: number; saltLength?: number; dsaEncoding?: string } {
  const alg = algorithmOf(algorithm);
  const own = key.algorithm;
  if (alg.name !== own.name) throw domError('InvalidAccessError', 'The key is not a ' + alg.name + ' key');
  const keyHash = (own.hash as Algorithm | undefined)?.name;
  if (alg.name === 'Ed25519') return { alg: null };
  if (alg.name === 'ECDSA') return { alg: hashOf(alg.hash).node, dsaEncoding: 'ieee-p1363' };
  const hash = hashOf(keyHash).node;
  if (alg.name === 'RSA-PSS') return { alg: hash, padding: 6, saltLength: Number(alg.saltLength) };
  return { alg: hash, padding: 1 };
}

function signNow(algorithm: unknown, key: unknown, data: unknown): ArrayBuffer {
  const inner = innerKey(key);
  if (inner === undefined) throw new TypeError('The key is not a CryptoKey');
  if ((key as CryptoKey).usages.indexOf('sign') < 0) throw domError('InvalidAccessError', 'The key may not sign');
  const bytes = sourceBytes(data);
  if ((key as CryptoKey).algorithm.name === 'HMAC') return toArrayBuffer(hmacBytes(key as CryptoKey, inner, bytes));
  const m = signatureMeta(algorithm, key as CryptoKey);
  const meta = JSONstringify({ ...m, source: { kind: 'private', format: 'der', type: 'pkcs8' } });
  return toArrayBuffer(answerBytes(hostCall('sign', meta, keyFields(inner)!.bytes, bytes)));
}

function hmacBytes(key: CryptoKey, inner: KeyObject, bytes: Uint8Array): Uint8Array {
  const hash = hashOf((key.algorithm.hash as Algorithm).name).node;
  return answerBytes(hostCall('hmac', JSONstringify({ alg: hash }), keyFields(inner)!.bytes, bytes));
}

function verifyNow(algorithm: unknown, key: unknown, signature: unknown, data: unknown): boolean {
  const inner = innerKey(key);
  if (inner === undefined) throw new TypeError('The key is not a CryptoKey');
  if ((key as CryptoKey).usages.indexOf('verify') < 0) throw domError('InvalidAccessError', 'The key may not verify');
  const bytes = sourceBytes(data);
  const sig = sourceBytes(signature);
  if ((key as CryptoKey).algorithm.name === 'HMAC') {
    const mac = hmacBytes(key as CryptoKey, inner, bytes);
    return mac.length === sig.length && timingSafeEqual(mac, sig);
  }
  const m = signatureMeta(algorithm, key as CryptoKey);
  const meta = JSONstringify({ ...m, source: { kind: 'public', format: 'der', type: 'spki' } });
  return answerText(hostCall('verify', meta, keyFields(inner)!.bytes, bytes, sig)) === 'true';
}

/** Runs `make` now and answers a promise of its result (Web Crypto's methods reject rather than throw). */
function promised<T>(make: () => T): Promise<T> {
  try {
    return PromiseCtor.resolve(make());
  } catch (error) {
    return PromiseCtor.reject(error);
  }
}

function notSupported(): Promise<never> {
  return PromiseCtor.reject(domError('NotSupportedError', 'This operation is not supported in Minter actions'));
}

/** `crypto.subtle`. */
export class SubtleCrypto {
  digest(algorithm: unknown, data: unknown): Promise<ArrayBuffer> {
    return promised(function () {
      const name = hashOf(algorithmOf(algorithm).name).node;
      return toArrayBuffer(answerBytes(hostCall('digest', JSONstringify({ alg: name }), sourceBytes(data))));
    });
  }
  importKey(
    format: unknown,
    keyData: unknown,
    algorithm: unknown,
    extractable: unknown,
    usages: unknown,
  ): Promise<CryptoKey> {
    return promised(function () {
      return importNow(format, keyData, algorithm, extractable, usages);
    });
  }
  exportKey(format: unknown, key: unknown): Promise<ArrayBuffer | Algorithm> {
    return promised(function () {
      return exportNow(format, key);
    });
  }
  sign(algorithm: unknown, key: unknown, data: unknown): Promise<ArrayBuffer> {
    return promised(function () {
      return signNow(algorithm, key, data);
    });
  }
  verify(algorithm: unknown, key: unknown, signature: unknown, data: unknown): Promise<boolean> {
    return promised(function () {
      return verifyNow(algorithm, key, signature, data);
    });
  }
  generateKey(algorithm: unknown, extractable: unknown, usages: unknown): Promise<unknown> {
    return promised(function () {
      return generateNow(algorithm, extractable, usages);
    });
  }
  encrypt(): Promise<never> {
    return notSupported();
  }
  decrypt(): Promise<never> {
    return notSupported();
  }
  deriveBits(): Promise<never> {
    return notSupported();
  }
  deriveKey(): Promise<never> {
    return notSupported();
  }
  wrapKey(): Promise<never> {
    return notSupported();
  }
  unwrapKey(): Promise<never> {
    return notSupported();
  }
}

/** The `webcrypto` object (the global `crypto`): made once per isolate, at its first use. */
export function makeWebCrypto(): Record<string, unknown> {
  return {
    subtle: new SubtleCrypto(),
    getRandomValues,
    randomUUID,
    CryptoKey,
  };
}
