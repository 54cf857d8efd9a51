/**
 * `KeyObject` inside the isolate, and how Node's key arguments become what the host reads. A key is the action's own
 * object: a secret key holds its bytes, an asymmetric one its canonical DER (PKCS#8 or SPKI, made by the host when it
 * was imported) and the facts Node shows (`asymmetricKeyType`, `asymmetricKeyDetails`); every operation sends it
 * along, and the host keeps nothing. `createPrivateKey`, `createPublicKey`, `createSecretKey` take PEM, DER and JWK.
 */
import { JSONparse, JSONstringify, ObjectCreate, ObjectKeys, StringCtor, TypeErrorCtor } from '../../intrinsics.js';
import { asBuffer, type Buffer } from '../buffer.js';
import { bytesOf, describe, isBytesLike } from './bytes.js';
import type { NodeHostAnswer } from '../../host.js';
import { answerBytes, answerText, codedError, hostCall } from './host-call.js';
import { randomFill } from './random.js';

/** What the host reads a key as (auth0/crypto-keys.ts `KeySource`). */
export interface KeySource {
  kind: 'private' | 'public';
  format: 'pem' | 'der' | 'jwk';
  type?: string;
}

/** A key argument made ready for the host: how to read it, its bytes, and the signature options given with it. */
export interface PreparedKey {
  source: KeySource;
  bytes: Uint8Array;
  options: { padding?: unknown; saltLength?: unknown; dsaEncoding?: unknown };
}

/** The facts the host answered for an asymmetric key. */
interface KeyFacts {
  kind: 'private' | 'public';
  asym: string;
  details: Record<string, unknown>;
}

const INTERNAL = ObjectCreate(null) as object;

/** Reads a KeyObject's fields (a static block's door to the private fields), undefined for anything else. */
let fieldsOf: (k: unknown) => { type: string; bytes: Uint8Array; facts: KeyFacts | undefined } | undefined;

/** `crypto.KeyObject`: made by `createSecretKey`, `createPublicKey`, `createPrivateKey`, `generateKeyPairSync`. */
export class KeyObject {
  #type: 'secret' | 'public' | 'private';
  #bytes: Uint8Array;
  #facts: KeyFacts | undefined;
  static {
    fieldsOf = (k) =>
      k !== null && typeof k === 'object' && #type in k
        ? { type: k.#type, bytes: k.#bytes, facts: k.#facts }
        : undefined;
  }
  constructor(type: unknown, handle?: unknown, bytes?: Uint8Array, facts?: KeyFacts) {
    if (handle !== INTERNAL || (type !== 'secret' && type !== 'public' && type !== 'private')) {
      throw codedError('Invalid key object type ' + StringCtor(type), 'ERR_INVALID_ARG_VALUE', 'TypeError');
    }
    this.#type = type;
    this.#bytes = bytes!;
    this.#facts = facts;
  }
  /** `KeyObject.from(cryptoKey)`. */
  static from(key: unknown): KeyObject {
    const inner = cryptoKeyObject(key);
    if (inner === undefined)
      throw codedError('The "key" argument must be an instance of CryptoKey', 'ERR_INVALID_ARG_TYPE', 'TypeError');
    return inner;
  }
  get type(): string {
    return this.#type;
  }
  get asymmetricKeyType(): string | undefined {
    return this.#facts === undefined ? undefined : this.#facts.asym;
  }
  get asymmetricKeyDetails(): Record<string, unknown> | undefined {
    if (this.#facts === undefined) return undefined;
    const out: Record<string, unknown> = {};
    const d = this.#facts.details;
    const names = ObjectKeys(d);
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      out[name] = name === 'publicExponent' ? BigInt(d[name] as string) : d[name];
    }
    return out;
  }
  get symmetricKeySize(): number | undefined {
    return this.#type === 'secret' ? this.#bytes.length : undefined;
  }
  export(options?: unknown): Buffer | string | Record<string, unknown> {
    const o = (options === undefined || options === null ? {} : options) as Record<string, unknown>;
    if (this.#type === 'secret') {
      if (o.format === 'jwk') return { kty: 'oct', k: asBuffer(this.#bytes.slice()).toString('base64url') };
      return asBuffer(this.#bytes.slice());
    }
    const meta = JSONstringify({
      source: canonicalSource(this.#type),
      options: {
        format: o.format,
        type: o.type,
        cipher: o.cipher,
        passphrase: o.passphrase === undefined ? undefined : '',
      },
    });
    const answer = hostCall('export', meta, this.#bytes);
    if (o.format === 'jwk') return JSONparse(answerText(answer));
    const bytes = answerBytes(answer);
    return o.format === 'der' ? asBuffer(bytes) : asBuffer(bytes).toString('latin1');
  }
  equals(other: unknown): boolean {
    const f = fieldsOf(other);
    if (f === undefined)
      throw codedError('The "otherKeyObject" argument must be a KeyObject', 'ERR_INVALID_ARG_TYPE', 'TypeError');
    if (f.type !== this.#type || f.bytes.length !== this.#bytes.length) return false;
    let diff = 0;
    for (let i = 0; i < f.bytes.length; i++) diff |= f.bytes[i]! ^ this.#bytes[i]!;
    return diff === 0;
  }
  get [Symbol.toStringTag](): string {
    return 'KeyObject';
  }
}

function canonicalSource(type: string): KeySource {
  return type === 'private'
    ? { kind: 'private', format: 'der', type: 'pkcs8' }
    : { kind: 'public', format: 'der', type: 'spki' };
}

/** A KeyObject's fields, or undefined. */
export function keyFields(k: unknown): ReturnType<typeof fieldsOf> {
  return fieldsOf(k);
}

/** The KeyObject inside a CryptoKey (webcrypto.ts sets this). */
export let cryptoKeyObject: (key: unknown) => KeyObject | undefined = function () {
  return undefined;
};
export function setCryptoKeyReader(reader: (key: unknown) => KeyObject | undefined): void {
  cryptoKeyObject = reader;
}

/** A KeyObject from the host's import answer. */
export function keyFromAnswer(answer: NodeHostAnswer): KeyObject {
  const facts = JSONparse(answerText(answer)) as KeyFacts;
  return new KeyObject(facts.kind, INTERNAL, answerBytes(answer), facts);
}

/** A secret KeyObject over a copy of `bytes`. */
export function secretKey(bytes: Uint8Array): KeyObject {
  return new KeyObject('secret', INTERNAL, bytes);
}

/** The bytes of a secret key argument: a string, bytes, a secret KeyObject or an HMAC CryptoKey. */
export function secretBytesOf(key: unknown, name: string, encoding?: unknown): Uint8Array {
  const k = fieldsOf(key) ?? fieldsOf(cryptoKeyObject(key));
  if (k !== undefined) {
    if (k.type !== 'secret')
      throw codedError(
        'Invalid key object type ' + k.type + ', expected secret.',
        'ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE',
        'TypeError',
      );
    return k.bytes;
  }
  return bytesOf(key, encoding, name);
}

/** Node's key arguments (a PEM, DER or JWK, a KeyObject or CryptoKey, or `{ key, format, type, … }`) for the host. */
export function prepareKey(input: unknown, want: 'private' | 'public'): PreparedKey {
  let given = input;
  let options: PreparedKey['options'] = {};
  let format: unknown;
  let type: unknown;
  let encoding: unknown;
  if (given !== null && typeof given === 'object' && !isBytesLike(given) && keyOrCrypto(given) === undefined) {
    const o = given as Record<string, unknown>;
    options = { padding: o.padding, saltLength: o.saltLength, dsaEncoding: o.dsaEncoding };
    format = o.format;
    type = o.type;
    encoding = o.encoding;
    given = o.key;
  }
  const k = keyOrCrypto(given);
  if (k !== undefined) {
    if (k.type === 'secret' || (want === 'private' && k.type !== 'private')) {
      throw codedError(
        'Invalid key object type ' + k.type + ', expected ' + want + '.',
        'ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE',
        'TypeError',
      );
    }
    return { source: canonicalSource(k.type), bytes: k.bytes, options };
  }
  if (format === 'jwk') {
    if (given === null || typeof given !== 'object')
      throw codedError('The "key.key" property must be of type object', 'ERR_INVALID_ARG_TYPE', 'TypeError');
    const jwk = given as Record<string, unknown>;
    const text = JSONstringify(jwk);
    return {
      source: { kind: typeof jwk.d === 'string' ? 'private' : 'public', format: 'jwk' },
      bytes: bytesOf(text, 'utf8', 'key'),
      options,
    };
  }
  if (!isBytesLike(given)) {
    throw codedError(
      'The "key" argument must be of type string or an instance of ArrayBuffer, Buffer, TypedArray, DataView, ' +
        'KeyObject, or CryptoKey. Received ' +
        describe(given),
      'ERR_INVALID_ARG_TYPE',
      'TypeError',
    );
  }
  const bytes = bytesOf(given, encoding, 'key');
  if (format === 'der') {
    const t = StringCtor(type);
    const kind = t === 'pkcs8' || t === 'sec1' ? 'private' : t === 'spki' ? 'public' : want;
    return { source: { kind, format: 'der', type: t }, bytes, options };
  }
  if (format !== undefined && format !== 'pem')
    throw codedError('Invalid key format ' + StringCtor(format), 'ERR_INVALID_ARG_VALUE', 'TypeError');
  return { source: { kind: want, format: 'pem' }, bytes, options };
}

function keyOrCrypto(value: unknown): ReturnType<typeof fieldsOf> {
  return fieldsOf(value) ?? fieldsOf(cryptoKeyObject(value));
}

function importKey(input: unknown, want: 'private' | 'public'): KeyObject {
  const prepared = prepareKey(input, want);
  const meta = JSONstringify({ source: prepared.source, want });
  return keyFromAnswer(hostCall('import', meta, prepared.bytes));
}

export function createPrivateKey(key: unknown): KeyObject {
  return importKey(key, 'private');
}

export function createPublicKey(key: unknown): KeyObject {
  const k = keyOrCrypto(key);
  if (k !== undefined && k.type === 'public') return key as KeyObject;
  return importKey(key, 'public');
}

export function createSecretKey(key: unknown, encoding?: unknown): KeyObject {
  if (fieldsOf(key) !== undefined) throw new TypeErrorCtor('The "key" argument must not be a KeyObject');
  return secretKey(bytesOf(key, encoding, 'key'));
}

/** `generateKeyPairSync(type, options)` for `ec`, `ed25519`, `ed448` (RSA refused by the host: too slow). */
export function generateKeyPairSync(
  type: unknown,
  options?: unknown,
): { publicKey: KeyObject | Buffer | string; privateKey: KeyObject | Buffer | string } {
  const o = (options === undefined || options === null ? {} : options) as Record<string, unknown>;
  const privateKey = keyFromAnswer(
    hostCall('generate', JSONstringify({ type: StringCtor(type), namedCurve: o.namedCurve })),
  );
  const publicKey = createPublicKey(privateKey);
  const encoded = (key: KeyObject, encoding: unknown) =>
    encoding === undefined || encoding === null ? key : (key.export(encoding) as Buffer | string);
  return { publicKey: encoded(publicKey, o.publicKeyEncoding), privateKey: encoded(privateKey, o.privateKeyEncoding) };
}

/** `generateKeySync('hmac' | 'aes', { length })`: random bytes as a secret key. */
export function generateKeySync(type: unknown, options: unknown): KeyObject {
  const length = (options as { length?: unknown } | null)?.length;
  if (type !== 'hmac' && type !== 'aes')
    throw codedError('Invalid type ' + StringCtor(type), 'ERR_INVALID_ARG_VALUE', 'TypeError');
  if (typeof length !== 'number' || !(length >= 8 && length <= 65536) || length % 8 !== 0)
    throw codedError(
      'The "options.length" property must be a multiple of 8 between 8 and 65536',
      'ERR_OUT_OF_RANGE',
      'RangeError',
    );
  const bytes = new Uint8Array(length / 8);
  randomFill(bytes);
  return secretKey(bytes);
}
