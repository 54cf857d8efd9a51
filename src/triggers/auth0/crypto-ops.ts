/**
 * The crypto operations an Auth0 action's `crypto` asks of the host, done with Node's `crypto` on arguments already
 * typed by node-host.ts: digests, HMAC, random bytes, key import and export, RSA / RSA-PSS / ECDSA / EdDSA signatures,
 * EC and Ed25519 key generation. Algorithms come from allow-lists; every size is bounded so that one operation takes
 * milliseconds at most (an RSA-4096 signature, a digest of {@link MAX_DATA_BYTES}).
 */
import { createHash, createHmac, generateKeyPairSync, randomFillSync, sign, verify, type KeyObject } from 'node:crypto';
import type { ParsedKeys } from './crypto-key-cache.js';
import { canonical, CryptoRefusal, describeKey, exportKey, keySource, parseKey } from './crypto-keys.js';

/** Bytes one operation may digest, HMAC or sign (the isolate refuses more before copying them out). */
export const MAX_DATA_BYTES = 8 * 1024 * 1024;
/** Random bytes one call may ask for (the isolate pools smaller asks). */
export const MAX_RANDOM_BYTES = 65536;
/** A signature to verify, at most (RSA-8192: 1,024 bytes). */
const MAX_SIGNATURE_BYTES = 4096;

/** Digests Minter's actions may use, by the names Node and Web Crypto give them. */
export const HASHES = ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'] as const;
const HASH_SET: ReadonlySet<string> = new Set(HASHES);

/** A digest name as Node takes it (`SHA256`, `RSA-SHA256`, `sha-256`, `sha256WithRSAEncryption`) → `sha256`. */
export function hashName(name: unknown, what = 'Digest method'): string {
  const lower = String(name).toLowerCase();
  const bare = lower
    .replace(/^(rsa-|ecdsa-with-)/, '')
    .replace(/withrsaencryption$/, '')
    .replace(/^sha-(\d)/, 'sha$1');
  if (!HASH_SET.has(bare))
    throw new CryptoRefusal(
      `${what} not supported: ${String(name).slice(0, 100)} (Minter actions support ${HASHES.join(', ')})`,
      'ERR_CRYPTO_INVALID_DIGEST',
      'TypeError',
    );
  return bare;
}

function data(bytes: Uint8Array | undefined, what: string): Uint8Array {
  if (!(bytes instanceof Uint8Array))
    throw new CryptoRefusal(`The ${what} must be bytes`, 'ERR_INVALID_ARG_TYPE', 'TypeError');
  if (bytes.length > MAX_DATA_BYTES)
    throw new CryptoRefusal(`At most ${MAX_DATA_BYTES} bytes per operation`, 'ERR_OUT_OF_RANGE', 'RangeError');
  return bytes;
}

export function digest(alg: string, bytes: Uint8Array | undefined): Uint8Array {
  return new Uint8Array(createHash(hashName(alg)).update(data(bytes, 'data')).digest());
}

export function hmac(alg: string, key: Uint8Array | undefined, bytes: Uint8Array | undefined): Uint8Array {
  const name = hashName(alg);
  return new Uint8Array(createHmac(name, data(key, 'key')).update(data(bytes, 'data')).digest());
}

export function random(size: number): Uint8Array {
  if (!Number.isSafeInteger(size) || size < 0 || size > MAX_RANDOM_BYTES)
    throw new CryptoRefusal(`At most ${MAX_RANDOM_BYTES} random bytes per call`, 'ERR_OUT_OF_RANGE', 'RangeError');
  return randomFillSync(new Uint8Array(size));
}

/** `createPrivateKey` / `createPublicKey`: the key's facts as JSON, and its canonical DER. */
export function importKey(meta: Record<string, unknown>, bytes: Uint8Array | undefined): { s: string; b: Uint8Array } {
  const source = keySource(meta.source);
  const want = meta.want === 'private' ? 'private' : 'public';
  const key = parseKey(source, data(bytes, 'key'), want);
  return { s: describeKey(key), b: canonical(key) };
}

export function exportKeyObject(meta: Record<string, unknown>, bytes: Uint8Array | undefined): Uint8Array | string {
  const source = keySource(meta.source);
  const key = parseKey(source, data(bytes, 'key'), source.kind);
  return exportKey(key, (meta.options ?? {}) as Record<string, unknown>);
}

/** The signature options Node takes beside the key, checked. */
function signOptions(key: KeyObject, meta: Record<string, unknown>) {
  const options: { key: KeyObject; padding?: number; saltLength?: number; dsaEncoding?: 'der' | 'ieee-p1363' } = {
    key,
  };
  if (meta.padding !== undefined && meta.padding !== null) {
    if (meta.padding !== 1 && meta.padding !== 6)
      throw new CryptoRefusal(
        'padding must be RSA_PKCS1_PADDING or RSA_PKCS1_PSS_PADDING',
        'ERR_INVALID_ARG_VALUE',
        'TypeError',
      );
    options.padding = meta.padding;
  }
  if (meta.saltLength !== undefined && meta.saltLength !== null) {
    if (!Number.isInteger(meta.saltLength) || (meta.saltLength as number) < -2 || (meta.saltLength as number) > 1024)
      throw new CryptoRefusal('Invalid saltLength', 'ERR_INVALID_ARG_VALUE', 'RangeError');
    options.saltLength = meta.saltLength as number;
  }
  if (meta.dsaEncoding !== undefined && meta.dsaEncoding !== null) {
    if (meta.dsaEncoding !== 'der' && meta.dsaEncoding !== 'ieee-p1363')
      throw new CryptoRefusal('dsaEncoding must be der or ieee-p1363', 'ERR_INVALID_ARG_VALUE', 'TypeError');
    options.dsaEncoding = meta.dsaEncoding;
  }
  return options;
}

/** The digest of a signature: null for EdDSA (and Node's default), else one of {@link HASHES}. */
function signatureHash(key: KeyObject, alg: unknown): string | null {
  const eddsa = key.asymmetricKeyType === 'ed25519' || key.asymmetricKeyType === 'ed448';
  if (alg === null || alg === undefined) return null;
  if (eddsa)
    throw new CryptoRefusal('EdDSA signs without a digest: pass null', 'ERR_CRYPTO_INVALID_DIGEST', 'TypeError');
  return hashName(alg, 'Invalid digest');
}

function failed(error: unknown): never {
  if (error instanceof CryptoRefusal) throw error;
  const e = error as { message?: unknown; code?: unknown };
  throw new CryptoRefusal(
    String(e.message ?? 'failed'),
    typeof e.code === 'string' ? e.code : 'ERR_CRYPTO_OPERATION_FAILED',
  );
}

export function signData(
  meta: Record<string, unknown>,
  keyBytes: Uint8Array | undefined,
  bytes: Uint8Array | undefined,
  keys: ParsedKeys,
): Uint8Array {
  const key = keys.get(keySource(meta.source), data(keyBytes, 'key'), 'private');
  const alg = signatureHash(key, meta.alg);
  const options = signOptions(key, meta);
  try {
    return new Uint8Array(sign(alg, data(bytes, 'data'), options));
  } catch (error) {
    failed(error);
  }
}

export function verifyData(
  meta: Record<string, unknown>,
  keyBytes: Uint8Array | undefined,
  bytes: Uint8Array | undefined,
  signature: Uint8Array | undefined,
  keys: ParsedKeys,
): boolean {
  const key = keys.get(keySource(meta.source), data(keyBytes, 'key'), 'public');
  const alg = signatureHash(key, meta.alg);
  const options = signOptions(key, meta);
  const sig = data(signature, 'signature');
  if (sig.length > MAX_SIGNATURE_BYTES) return false;
  try {
    return verify(alg, data(bytes, 'data'), options, sig);
  } catch (error) {
    failed(error);
  }
}

/** `generateKeyPairSync` for EC and EdDSA (RSA key generation takes seconds: refused): the private key's import. */
export function generate(meta: Record<string, unknown>): { s: string; b: Uint8Array } {
  let pair: { privateKey: KeyObject };
  if (meta.type === 'ec') {
    if (typeof meta.namedCurve !== 'string')
      throw new CryptoRefusal('namedCurve is needed', 'ERR_INVALID_ARG_VALUE', 'TypeError');
    const curve =
      { 'P-256': 'prime256v1', 'P-384': 'secp384r1', 'P-521': 'secp521r1' }[meta.namedCurve] ?? meta.namedCurve;
    if (!['prime256v1', 'secp384r1', 'secp521r1', 'secp256k1'].includes(curve))
      throw new CryptoRefusal(`The curve ${meta.namedCurve} is not supported`, 'ERR_CRYPTO_INVALID_CURVE', 'TypeError');
    pair = generateKeyPairSync('ec', { namedCurve: curve });
  } else if (meta.type === 'ed25519') {
    pair = generateKeyPairSync('ed25519');
  } else if (meta.type === 'ed448') {
    pair = generateKeyPairSync('ed448');
  } else {
    throw new CryptoRefusal(
      `Generating ${String(meta.type)} keys is not supported in Minter actions (ec, ed25519 and ed448 are; an RSA key ` +
        'takes too long to make on the token path: import one from the action’s secrets)',
      'ERR_MINTER_KEYGEN',
    );
  }
  return { s: describeKey(pair.privateKey), b: canonical(pair.privateKey) };
}
