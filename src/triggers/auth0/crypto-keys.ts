/**
 * Keys an action's `crypto` hands the host, read with Node's own `crypto` and checked before any use: PEM, DER and
 * JWK in, only the key types and sizes an M2M action needs (RSA and RSA-PSS up to 4096 bits to sign and 8192 to
 * verify, EC on the NIST and secp256k1 curves, Ed25519 and Ed448), out as the canonical form the isolate keeps
 * (PKCS#8 or SPKI DER) with the facts Node's `KeyObject` shows. The host keeps nothing: the isolate sends its key with
 * every operation.
 *
 * Encrypted private keys are refused rather than decrypted: their key derivation's cost is written in the key
 * (a PBKDF2 iteration count, scrypt parameters), and decrypting one with 2³¹ iterations would hold the sandbox
 * process's main thread for minutes. Node reads a DER or PEM key without a passphrase without deriving anything.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';

/** Key bytes in, at most (a PEM of an 8192-bit RSA private key is ~6.4 KB; a JWK of one ~8.5 KB). */
export const MAX_KEY_BYTES = 64 * 1024;
const MAX_RSA_SIGN_BITS = 4096;
const MAX_RSA_VERIFY_BITS = 8192;
/** OpenSSL's own bound for the public exponent of a key past 3072 bits, applied to all (65537 is 17 bits). */
const MAX_RSA_EXPONENT_BITS = 64;
const CURVES = new Set(['prime256v1', 'secp384r1', 'secp521r1', 'secp256k1']);
const KEY_TYPES = new Set(['rsa', 'rsa-pss', 'ec', 'ed25519', 'ed448']);
const FORMATS = new Set(['pem', 'der', 'jwk']);
const DER_TYPES = new Set(['pkcs1', 'pkcs8', 'spki', 'sec1']);

/** A failure the action may read: its message (and Node-style code) cross to the isolate. */
export class CryptoRefusal extends Error {
  override name = 'Error';
  constructor(
    message: string,
    readonly code = 'ERR_MINTER_CRYPTO',
    readonly kind: 'Error' | 'TypeError' | 'RangeError' = 'Error',
  ) {
    super(message);
  }
}

/** How the isolate describes key bytes: `private` or `public`, their format and (DER) type. */
export interface KeySource {
  kind: 'private' | 'public';
  format: 'pem' | 'der' | 'jwk';
  type?: 'pkcs1' | 'pkcs8' | 'spki' | 'sec1';
}

/** Reads a {@link KeySource} out of the isolate's JSON, refusing anything else. */
export function keySource(raw: unknown): KeySource {
  const o = (raw ?? {}) as Record<string, unknown>;
  if (o.kind !== 'private' && o.kind !== 'public') throw new CryptoRefusal('Invalid key kind', 'ERR_INVALID_ARG_VALUE');
  if (typeof o.format !== 'string' || !FORMATS.has(o.format))
    throw new CryptoRefusal(`Invalid key format ${String(o.format)}`, 'ERR_INVALID_ARG_VALUE', 'TypeError');
  if (o.type !== undefined && (typeof o.type !== 'string' || !DER_TYPES.has(o.type)))
    throw new CryptoRefusal(`Invalid key type ${String(o.type)}`, 'ERR_INVALID_ARG_VALUE', 'TypeError');
  return {
    kind: o.kind,
    format: o.format as KeySource['format'],
    ...(o.type ? { type: o.type as KeySource['type'] } : {}),
  };
}

const ENCRYPTED =
  'encrypted private keys are not supported in Minter actions: store the key decrypted in the action’s secrets (they are encrypted at rest)';

/** A JWK as JSON text → the object Node reads: a plain object of strings (and `key_ops`, `ext`). */
function jwkOf(bytes: Uint8Array): Record<string, unknown> {
  let jwk: unknown;
  try {
    jwk = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw new CryptoRefusal('Invalid JWK: not JSON', 'ERR_CRYPTO_INVALID_JWK', 'TypeError');
  }
  if (jwk === null || typeof jwk !== 'object' || Array.isArray(jwk))
    throw new CryptoRefusal('Invalid JWK: not an object', 'ERR_CRYPTO_INVALID_JWK', 'TypeError');
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(jwk)) {
    if (typeof value === 'string' || (name === 'ext' && typeof value === 'boolean')) out[name] = value;
    else if (name === 'key_ops' && Array.isArray(value) && value.every((v) => typeof v === 'string'))
      out[name] = [...(value as string[])];
  }
  if (typeof out.kty !== 'string' || !['RSA', 'EC', 'OKP'].includes(out.kty))
    throw new CryptoRefusal(
      `Invalid JWK: unsupported key type ${String(out.kty)}`,
      'ERR_CRYPTO_INVALID_JWK',
      'TypeError',
    );
  return out;
}

/** What Node's createPrivateKey / createPublicKey take (typed loosely: the DER type is checked by Node itself). */
type NodeKeyInput = Parameters<typeof createPrivateKey>[0] & Parameters<typeof createPublicKey>[0];

/** The bytes and format as Node's createPrivateKey / createPublicKey take them. */
function nodeInput(source: KeySource, bytes: Uint8Array): NodeKeyInput {
  if (bytes.length > MAX_KEY_BYTES)
    throw new CryptoRefusal(`A key may be at most ${MAX_KEY_BYTES} bytes`, 'ERR_OUT_OF_RANGE', 'RangeError');
  if (source.format === 'jwk') return { key: jwkOf(bytes), format: 'jwk' } as NodeKeyInput;
  const buffer = Buffer.from(bytes);
  if (source.format === 'pem') {
    const text = buffer.toString('latin1');
    if (/ENCRYPTED/.test(text)) throw new CryptoRefusal(ENCRYPTED, 'ERR_MINTER_ENCRYPTED_KEY');
    return { key: text, format: 'pem' } as NodeKeyInput;
  }
  const type = source.type ?? (source.kind === 'private' ? 'pkcs8' : 'spki');
  return { key: buffer, format: 'der', type } as NodeKeyInput;
}

/** Node's key, from what the isolate sent: a private key, or a public one (derived from a private one if need be). */
export function parseKey(source: KeySource, bytes: Uint8Array, want: 'private' | 'public'): KeyObject {
  if (want === 'private' && source.kind !== 'private')
    throw new CryptoRefusal('A private key is needed', 'ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE', 'TypeError');
  const input = nodeInput(source, bytes);
  let key: KeyObject;
  try {
    key = want === 'private' ? createPrivateKey(input) : createPublicKey(input);
  } catch (error) {
    const e = error as { message?: unknown; code?: unknown };
    if (e.code === 'ERR_MISSING_PASSPHRASE') throw new CryptoRefusal(ENCRYPTED, 'ERR_MINTER_ENCRYPTED_KEY');
    throw new CryptoRefusal(
      String(e.message ?? 'Invalid key'),
      typeof e.code === 'string' ? e.code : 'ERR_INVALID_ARG_VALUE',
    );
  }
  checkKey(key, want);
  return key;
}

/** Refuses a key whose type or size Minter's actions do not take. */
function checkKey(key: KeyObject, use: 'private' | 'public'): void {
  const type = key.asymmetricKeyType ?? '';
  if (!KEY_TYPES.has(type))
    throw new CryptoRefusal(
      `Keys of type ${type || 'unknown'} are not supported in Minter actions (RSA, RSA-PSS, EC, Ed25519, Ed448 are)`,
      'ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE',
    );
  const details = key.asymmetricKeyDetails ?? {};
  if (type === 'rsa' || type === 'rsa-pss') {
    const bits = details.modulusLength ?? 0;
    const max = use === 'private' ? MAX_RSA_SIGN_BITS : MAX_RSA_VERIFY_BITS;
    if (bits > max)
      throw new CryptoRefusal(
        `RSA keys of ${bits} bits are too large here: at most ${max} bits to ${use === 'private' ? 'sign' : 'verify'}`,
        'ERR_OUT_OF_RANGE',
        'RangeError',
      );
    if ((details.publicExponent ?? 0n).toString(2).length > MAX_RSA_EXPONENT_BITS)
      throw new CryptoRefusal('The RSA public exponent is too large', 'ERR_OUT_OF_RANGE', 'RangeError');
  }
  if (type === 'ec' && !CURVES.has(details.namedCurve ?? ''))
    throw new CryptoRefusal(
      `The curve ${details.namedCurve ?? '(explicit parameters)'} is not supported (P-256, P-384, P-521 and secp256k1 are)`,
      'ERR_CRYPTO_INVALID_CURVE',
    );
}

/** What the isolate's KeyObject shows: type, asymmetric key type and details (a BigInt exponent as a string). */
export function describeKey(key: KeyObject): string {
  const details: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(key.asymmetricKeyDetails ?? {}))
    details[name] = typeof value === 'bigint' ? value.toString() : value;
  return JSON.stringify({ kind: key.type, asym: key.asymmetricKeyType, details });
}

/** The canonical form the isolate keeps: PKCS#8 DER (private) or SPKI DER (public). */
export function canonical(key: KeyObject): Uint8Array {
  const der =
    key.type === 'private' ? key.export({ format: 'der', type: 'pkcs8' }) : key.export({ format: 'der', type: 'spki' });
  return new Uint8Array(der);
}

/** `keyObject.export(options)`: PEM or DER bytes, or a JWK as JSON text. Encrypted exports are refused. */
export function exportKey(key: KeyObject, options: Record<string, unknown>): Uint8Array | string {
  if (options.cipher !== undefined || options.passphrase !== undefined)
    throw new CryptoRefusal('Encrypted key export is not supported in Minter actions', 'ERR_MINTER_ENCRYPTED_KEY');
  const format = options.format === undefined ? 'pem' : options.format;
  try {
    if (format === 'jwk') return JSON.stringify(key.export({ format: 'jwk' }));
    if (format !== 'pem' && format !== 'der')
      throw new CryptoRefusal(`Invalid format ${String(format)}`, 'ERR_INVALID_ARG_VALUE', 'TypeError');
    if (typeof options.type !== 'string' || !DER_TYPES.has(options.type))
      throw new CryptoRefusal(`Invalid key type ${String(options.type)}`, 'ERR_INVALID_ARG_VALUE', 'TypeError');
    const type = options.type as 'pkcs1' | 'pkcs8' | 'spki' | 'sec1';
    const exported = key.export as (options: { format: string; type: string }) => string | Buffer;
    const out = exported.call(key, { format, type });
    return typeof out === 'string' ? new Uint8Array(Buffer.from(out, 'latin1')) : new Uint8Array(out);
  } catch (error) {
    if (error instanceof CryptoRefusal) throw error;
    const e = error as { message?: unknown; code?: unknown };
    throw new CryptoRefusal(
      String(e.message ?? 'export failed'),
      typeof e.code === 'string' ? e.code : 'ERR_INVALID_ARG_VALUE',
    );
  }
}
