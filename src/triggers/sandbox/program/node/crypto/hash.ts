/**
 * `createHash`, `createHmac` and the one-shot `hash`: the data is gathered in the isolate and digested by the host
 * in one call at `digest()` (the host keeps nothing between calls). MD5, SHA-1 and SHA-2 under the names Node takes.
 */
import { JSONstringify, StringCtor } from '../../intrinsics.js';
import type { Buffer } from '../buffer.js';
import { bytesOf, output } from './bytes.js';
import { answerBytes, checkSize, codedError, hostCall } from './host-call.js';
import { secretBytesOf } from './keys.js';

/** The digests, by their plain names: what `getHashes()` answers. */
export const HASHES = ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'];

/** A digest name as Node takes it (`SHA256`, `RSA-SHA256`, `sha-256`) → `sha256`; unknown names throw `what`. */
export function hashName(name: unknown, what: string): string {
  const bare = StringCtor(name)
    .toLowerCase()
    .replace(/^(rsa-|ecdsa-with-)/, '')
    .replace(/withrsaencryption$/, '')
    .replace(/^sha-(\d)/, 'sha$1');
  for (let i = 0; i < HASHES.length; i++) if (HASHES[i] === bare) return bare;
  throw codedError(what + ': ' + StringCtor(name), 'ERR_CRYPTO_INVALID_DIGEST', 'TypeError');
}

/** Chunks given to `update`, joined once. */
export class Chunks {
  #parts: Uint8Array[] = [];
  #size = 0;
  add(data: unknown, encoding: unknown): void {
    const bytes = bytesOf(data, encoding, 'data');
    checkSize(this.#size + bytes.length);
    this.#parts.push(bytes);
    this.#size += bytes.length;
  }
  joined(): Uint8Array {
    const out = new Uint8Array(this.#size);
    let at = 0;
    for (let i = 0; i < this.#parts.length; i++) {
      out.set(this.#parts[i]!, at);
      at += this.#parts[i]!.length;
    }
    return out;
  }
  copy(): Chunks {
    const c = new Chunks();
    c.#parts = this.#parts.slice();
    c.#size = this.#size;
    return c;
  }
}

/** Hands a copy's data to a new Hash (a static block's door to the private field). */
let setData: (h: Hash, data: Chunks) => void;

function finalized(): Error {
  return codedError('Digest already called', 'ERR_CRYPTO_HASH_FINALIZED');
}

/** `crypto.Hash`, as `createHash` makes it. */
export class Hash {
  #alg: string;
  #data: Chunks;
  #done = false;
  static {
    setData = (h, data) => {
      h.#data = data;
    };
  }
  constructor(algorithm: unknown, _options?: unknown) {
    this.#alg = hashName(algorithm, 'Digest method not supported');
    this.#data = new Chunks();
  }
  update(data: unknown, inputEncoding?: unknown): this {
    if (this.#done) throw finalized();
    this.#data.add(data, inputEncoding);
    return this;
  }
  digest(outputEncoding?: unknown): Buffer | string {
    if (this.#done) throw finalized();
    this.#done = true;
    const meta = '{"alg":' + JSONstringify(this.#alg) + '}';
    return output(answerBytes(hostCall('digest', meta, this.#data.joined())), outputEncoding);
  }
  copy(): Hash {
    if (this.#done) throw finalized();
    const h = makeHash(this.#alg);
    setData(h, this.#data.copy());
    return h;
  }
}

/** `new Hash(…)` for the class's own methods: naming the class inside its body makes the bundler rename it. */
function makeHash(algorithm: unknown): Hash {
  return new Hash(algorithm);
}

/** `crypto.Hmac`, as `createHmac` makes it. */
export class Hmac {
  #alg: string;
  #key: Uint8Array;
  #data = new Chunks();
  #done = false;
  constructor(algorithm: unknown, key: unknown, _options?: unknown) {
    this.#alg = hashName(algorithm, 'Invalid digest');
    this.#key = secretBytesOf(key, 'key');
  }
  update(data: unknown, inputEncoding?: unknown): this {
    if (this.#done) throw finalized();
    this.#data.add(data, inputEncoding);
    return this;
  }
  digest(outputEncoding?: unknown): Buffer | string {
    if (this.#done) throw finalized();
    this.#done = true;
    const meta = '{"alg":' + JSONstringify(this.#alg) + '}';
    return output(answerBytes(hostCall('hmac', meta, this.#key, this.#data.joined())), outputEncoding);
  }
}

/** The one-shot `crypto.hash(algorithm, data, outputEncoding = 'hex')` of Node 21.7. */
export function hash(algorithm: unknown, data: unknown, outputEncoding: unknown = 'hex'): Buffer | string {
  return makeHash(algorithm).update(data).digest(outputEncoding);
}
