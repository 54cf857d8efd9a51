/**
 * Web Crypto's keys (crypto.webcrypto, webcrypto.ts): `CryptoKey` over a KeyObject (keys.ts), and `importKey`,
 * `exportKey`, `generateKey` for HMAC, RSASSA-PKCS1-v1_5, RSA-PSS, ECDSA and Ed25519 (raw, JWK, SPKI, PKCS#8).
 */
import { ArrayIsArray, ObjectCreate, StringCtor } from '../../intrinsics.js';
import { BufferOf } from '../buffer.js';
import { bytesOf } from './bytes.js';
import { hashName } from './hash.js';
import { randomFill } from './random.js';
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  keyFields,
  KeyObject,
  secretKey,
  setCryptoKeyReader,
} from './keys.js';

/** A Web Crypto algorithm argument or description. */
export type Algorithm = Record<string, unknown>;
const WEB_HASHES: Record<string, string> = { sha1: 'SHA-1', sha256: 'SHA-256', sha384: 'SHA-384', sha512: 'SHA-512' };
const CURVE_BYTES: Record<string, number> = { 'P-256': 32, 'P-384': 48, 'P-521': 66 };

export function domError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

const INTERNAL = ObjectCreate(null) as object;
/** The KeyObject inside a CryptoKey, or undefined for anything else. */
export let innerKey: (key: unknown) => KeyObject | undefined;

/** `CryptoKey`: its type, extractability, algorithm and usages, over a KeyObject. */
export class CryptoKey {
  #key: KeyObject;
  #extractable: boolean;
  #algorithm: Algorithm;
  #usages: string[];
  static {
    innerKey = (k) => (k !== null && typeof k === 'object' && #key in k ? k.#key : undefined);
  }
  constructor(handle?: unknown, key?: KeyObject, algorithm?: Algorithm, extractable?: boolean, usages?: string[]) {
    if (handle !== INTERNAL) throw new TypeError('Illegal constructor');
    this.#key = key!;
    this.#algorithm = algorithm!;
    this.#extractable = extractable === true;
    this.#usages = usages!;
  }
  get type(): string {
    return this.#key.type;
  }
  get extractable(): boolean {
    return this.#extractable;
  }
  get algorithm(): Algorithm {
    return this.#algorithm;
  }
  get usages(): string[] {
    return this.#usages.slice();
  }
  get [Symbol.toStringTag](): string {
    return 'CryptoKey';
  }
}
setCryptoKeyReader(function (key) {
  return innerKey(key);
});

/** An algorithm argument: a name, or an object with `name`. */
export function algorithmOf(algorithm: unknown): Algorithm {
  const a: Algorithm =
    typeof algorithm === 'string'
      ? { name: algorithm }
      : algorithm !== null && typeof algorithm === 'object'
        ? (algorithm as Algorithm)
        : {};
  const name = StringCtor(a.name).toUpperCase();
  const known = ['HMAC', 'RSASSA-PKCS1-V1_5', 'RSA-PSS', 'ECDSA', 'ED25519', 'SHA-1', 'SHA-256', 'SHA-384', 'SHA-512'];
  if (known.indexOf(name) < 0) throw domError('NotSupportedError', 'Unrecognized algorithm name');
  return { ...a, name: name === 'RSASSA-PKCS1-V1_5' ? 'RSASSA-PKCS1-v1_5' : name === 'ED25519' ? 'Ed25519' : name };
}

/** The `{ name }` of a hash argument, and its Node name. */
export function hashOf(hash: unknown): { web: string; node: string } {
  const node = hashName(
    typeof hash === 'object' && hash !== null ? (hash as Algorithm).name : hash,
    'Unrecognized hash',
  );
  const web = WEB_HASHES[node];
  if (web === undefined) throw domError('NotSupportedError', 'Unrecognized hash');
  return { web, node };
}

export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

export function sourceBytes(data: unknown): Uint8Array {
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return bytesOf(data, undefined, 'data');
  throw new TypeError('Failed to execute: parameter is not of type ArrayBuffer or ArrayBufferView');
}

function checkUsages(usages: unknown, allowed: string[]): string[] {
  if (!ArrayIsArray(usages)) throw new TypeError('keyUsages must be a sequence');
  const out: string[] = [];
  for (let i = 0; i < usages.length; i++) {
    const u = StringCtor(usages[i]);
    if (allowed.indexOf(u) < 0) throw domError('SyntaxError', 'Unsupported key usage for this key: ' + u);
    if (out.indexOf(u) < 0) out.push(u);
  }
  return out;
}

function b64url(bytes: Uint8Array): string {
  return BufferOf().from(bytes).toString('base64url');
}
function fromB64url(text: unknown): Uint8Array {
  return new Uint8Array(BufferOf().from(StringCtor(text), 'base64url'));
}

/** The KeyObject's algorithm as Web Crypto shows it. */
function describedAlgorithm(alg: Algorithm, key: KeyObject, hash: string | undefined): Algorithm {
  const out: Algorithm = { name: alg.name };
  const details = key.asymmetricKeyDetails;
  if (alg.name === 'HMAC') out.length = (key.symmetricKeySize ?? 0) * 8;
  if (alg.name === 'RSASSA-PKCS1-v1_5' || alg.name === 'RSA-PSS') {
    out.modulusLength = details?.modulusLength;
    const e = BigInt(details?.publicExponent as bigint);
    const bytes: number[] = [];
    for (let x = e; x > 0n; x >>= 8n) bytes.unshift(Number(x & 255n));
    out.publicExponent = new Uint8Array(bytes);
  }
  if (alg.name === 'ECDSA') {
    const curve = details?.namedCurve;
    out.namedCurve =
      curve === 'prime256v1' ? 'P-256' : curve === 'secp384r1' ? 'P-384' : curve === 'secp521r1' ? 'P-521' : curve;
  }
  if (hash !== undefined) out.hash = { name: hash };
  return out;
}

function usagesFor(alg: unknown, type: string): string[] {
  if (alg === 'HMAC') return ['sign', 'verify'];
  return type === 'private' ? ['sign'] : ['verify'];
}

export function importNow(
  format: unknown,
  keyData: unknown,
  algorithm: unknown,
  extractable: unknown,
  usages: unknown,
): CryptoKey {
  const alg = algorithmOf(algorithm);
  const hash = alg.name === 'ECDSA' || alg.name === 'Ed25519' ? undefined : hashOf(alg.hash).web;
  let key: KeyObject;
  if (alg.name === 'HMAC') {
    if (format === 'raw') key = secretKey(sourceBytes(keyData));
    else if (format === 'jwk' && (keyData as Algorithm | null)?.kty === 'oct')
      key = secretKey(fromB64url((keyData as Algorithm).k));
    else throw domError('NotSupportedError', 'Unsupported key format for HMAC: ' + StringCtor(format));
  } else if (format === 'jwk') {
    const jwk = keyData as Algorithm;
    key =
      typeof jwk?.d === 'string'
        ? createPrivateKey({ key: jwk, format: 'jwk' })
        : createPublicKey({ key: jwk, format: 'jwk' });
  } else if (format === 'spki') key = createPublicKey({ key: sourceBytes(keyData), format: 'der', type: 'spki' });
  else if (format === 'pkcs8') key = createPrivateKey({ key: sourceBytes(keyData), format: 'der', type: 'pkcs8' });
  else if (format === 'raw' && (alg.name === 'ECDSA' || alg.name === 'Ed25519')) {
    const raw = sourceBytes(keyData);
    const jwk: Algorithm =
      alg.name === 'Ed25519'
        ? { kty: 'OKP', crv: 'Ed25519', x: b64url(raw) }
        : rawPointJwk(raw, StringCtor(alg.namedCurve));
    key = createPublicKey({ key: jwk, format: 'jwk' });
  } else throw domError('NotSupportedError', 'Unsupported key format: ' + StringCtor(format));
  const asym = key.asymmetricKeyType;
  const expected =
    alg.name === 'ECDSA' ? 'ec' : alg.name === 'Ed25519' ? 'ed25519' : alg.name === 'HMAC' ? undefined : 'rsa';
  if (asym !== expected && !(alg.name === 'RSA-PSS' && asym === 'rsa-pss'))
    throw domError('DataError', 'The key is not a ' + alg.name + ' key');
  const described = describedAlgorithm(alg, key, hash);
  if (alg.name === 'ECDSA' && alg.namedCurve !== undefined && described.namedCurve !== alg.namedCurve)
    throw domError('DataError', 'Named curve mismatch');
  return new CryptoKey(
    INTERNAL,
    key,
    described,
    extractable === true,
    checkUsages(usages, usagesFor(alg.name, key.type)),
  );
}

function rawPointJwk(raw: Uint8Array, curve: string): Algorithm {
  const n = CURVE_BYTES[curve];
  if (n === undefined || raw.length !== 1 + 2 * n || raw[0] !== 4) throw domError('DataError', 'Invalid EC public key');
  return { kty: 'EC', crv: curve, x: b64url(raw.slice(1, 1 + n)), y: b64url(raw.slice(1 + n)) };
}

export function exportNow(format: unknown, key: unknown): ArrayBuffer | Algorithm {
  const inner = innerKey(key);
  if (inner === undefined) throw new TypeError('The key is not a CryptoKey');
  const k = key as CryptoKey;
  if (!k.extractable) throw domError('InvalidAccessError', 'key is not extractable');
  if (format === 'jwk') {
    const jwk = inner.export({ format: 'jwk' }) as Algorithm;
    const alg = k.algorithm;
    const bits = StringCtor((alg.hash as Algorithm | undefined)?.name ?? '').slice(4);
    if (alg.name === 'HMAC') jwk.alg = 'HS' + bits;
    if (alg.name === 'RSASSA-PKCS1-v1_5') jwk.alg = 'RS' + bits;
    if (alg.name === 'RSA-PSS') jwk.alg = 'PS' + bits;
    jwk.key_ops = k.usages;
    jwk.ext = true;
    return jwk;
  }
  if (format === 'raw') {
    if (inner.type === 'secret') return toArrayBuffer(keyFields(inner)!.bytes);
    if (inner.type !== 'public') throw domError('InvalidAccessError', 'Only public keys export as raw');
    const jwk = inner.export({ format: 'jwk' }) as Algorithm;
    if (jwk.kty === 'OKP') return toArrayBuffer(fromB64url(jwk.x));
    const x = fromB64url(jwk.x);
    const y = fromB64url(jwk.y);
    const out = new Uint8Array(1 + x.length + y.length);
    out[0] = 4;
    out.set(x, 1);
    out.set(y, 1 + x.length);
    return toArrayBuffer(out);
  }
  if ((format === 'spki' && inner.type === 'public') || (format === 'pkcs8' && inner.type === 'private'))
    return toArrayBuffer(new Uint8Array(inner.export({ format: 'der', type: format }) as Uint8Array));
  throw domError('NotSupportedError', 'Unsupported export format: ' + StringCtor(format));
}

export function generateNow(
  algorithm: unknown,
  extractable: unknown,
  usages: unknown,
): CryptoKey | { publicKey: CryptoKey; privateKey: CryptoKey } {
  const alg = algorithmOf(algorithm);
  if (alg.name === 'HMAC') {
    const hash = hashOf(alg.hash);
    const bits =
      alg.length === undefined ? (hash.node === 'sha384' || hash.node === 'sha512' ? 1024 : 512) : Number(alg.length);
    if (!(bits > 0 && bits <= 65536) || bits % 8 !== 0) throw domError('OperationError', 'Invalid HMAC key length');
    const bytes = new Uint8Array(bits / 8);
    randomFill(bytes);
    const key = secretKey(bytes);
    return new CryptoKey(
      INTERNAL,
      key,
      describedAlgorithm(alg, key, hash.web),
      extractable === true,
      checkUsages(usages, ['sign', 'verify']),
    );
  }
  if (alg.name !== 'ECDSA' && alg.name !== 'Ed25519')
    throw domError(
      'NotSupportedError',
      alg.name + ' keys cannot be generated in Minter actions (HMAC, ECDSA and Ed25519 can)',
    );
  const pair =
    alg.name === 'ECDSA' ? generateKeyPairSync('ec', { namedCurve: alg.namedCurve }) : generateKeyPairSync('ed25519');
  const wanted = checkUsages(usages, ['sign', 'verify']);
  const priv = pair.privateKey as KeyObject;
  const pub = pair.publicKey as KeyObject;
  return {
    publicKey: new CryptoKey(
      INTERNAL,
      pub,
      describedAlgorithm(alg, pub, undefined),
      true,
      wanted.indexOf('verify') < 0 ? [] : ['verify'],
    ),
    privateKey: new CryptoKey(
      INTERNAL,
      priv,
      describedAlgorithm(alg, priv, undefined),
      extractable === true,
      wanted.indexOf('sign') < 0 ? [] : ['sign'],
    ),
  };
}
