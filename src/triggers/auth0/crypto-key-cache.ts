/**
 * The keys one isolate's `crypto` signed and verified with lately, as Node read them. An action sends its key with
 * every operation (the isolate keeps it), and Node takes ~0.5 ms to read an RSA-2048 PKCS#8 key, twice the
 * signature's own time: without this an RS256 signature cost 860 µs of the sandbox's main thread, with it ~300 µs.
 * One cache per isolate (runtime/host-bridge.ts makes it with the isolate's References, and it goes with them), so
 * nothing one action sent ever answers another's; at most {@link MAX_KEYS}, the least recently used dropped. It only
 * remembers what `parseKey` answered for the same bytes: every check ran when the key was first read.
 */
import { createHash, type KeyObject } from 'node:crypto';
import { parseKey, type KeySource } from './crypto-keys.js';

const MAX_KEYS = 16;

/** Parsed keys by their bytes and how they were read. */
export class ParsedKeys {
  readonly #keys = new Map<string, KeyObject>();

  /** `parseKey(source, bytes, want)`, from the cache when these bytes were read so before. */
  get(source: KeySource, bytes: Uint8Array, want: 'private' | 'public'): KeyObject {
    const id = `${want} ${source.kind} ${source.format} ${source.type ?? ''} ${createHash('sha256').update(bytes).digest('base64')}`;
    const hit = this.#keys.get(id);
    if (hit !== undefined) {
      this.#keys.delete(id);
      this.#keys.set(id, hit);
      return hit;
    }
    const key = parseKey(source, bytes, want);
    this.#keys.set(id, key);
    if (this.#keys.size > MAX_KEYS) this.#keys.delete(this.#keys.keys().next().value!);
    return key;
  }

  /** Keys held now. */
  get size(): number {
    return this.#keys.size;
  }
}
