/**
 * `Blob` and `File` (W3C File API), as Node's runtime has them, for Auth0 actions and the packages they bundle (the
 * `auth0` SDK tests `body instanceof Blob`). A Blob holds its bytes in the isolate, made at construction from strings
 * (UTF-8), ArrayBuffers, typed arrays, DataViews and other Blobs, and never changed: `slice` shares them. `text()`,
 * `arrayBuffer()` and `bytes()` answer copies; there is no `stream()`, as the isolate has no `ReadableStream`.
 * `fetch` sends a Blob body as text (fetch/body.ts), so it must be UTF-8.
 */
import {
  ArrayBufferCtor,
  ArrayBufferIsView,
  DateNow,
  PromiseCtor,
  StringCtor,
  TypeErrorCtor,
  Uint8ArrayCtor,
} from '../intrinsics.js';
import { resolved } from '../safe.js';
import { decodeUtf8, utf8Encode } from '../utf8.js';

/** The bytes of a Blob, for fetch and FormData (set in the class's static block: the field is private). */
export let blobBytes: (blob: Blob) => Uint8Array;
/** Whether `value` is a Blob made here (a brand check: an object given Blob.prototype is not). */
export let isBlob: (value: unknown) => value is Blob;

/** Bytes a Blob made by {@link makeBlob} takes as they are (the constructor reads no argument then). */
let adopted: Uint8Array | null = null;
/**
 * Set by File's constructor for Blob's, which names the class in its errors (naming Blob in its own body would make
 * the bundler rename it).
 */
let constructingFile = false;

/** What a Blob method that answers a promise does on another object: reject, as Web IDL says (not throw). */
function illegalInvocation(): Promise<never> {
  return PromiseCtor.reject(new TypeErrorCtor('Illegal invocation'));
}

/** A type as the File API keeps it: ASCII lower-cased, or '' if it has a character outside U+0020–U+007E. */
function normalType(type: unknown): string {
  const s = StringCtor(type);
  return /[^\x20-\x7e]/.test(s) ? '' : s.toLowerCase();
}

/** Web IDL's `[Clamp] long long`, for `slice`: NaN is 0, halves round to even. */
function clampInteger(value: unknown): number {
  const x = +(value as number);
  if (x !== x) return 0;
  if (x >= 9007199254740991) return 9007199254740991;
  if (x <= -9007199254740991) return -9007199254740991;
  let r = Math.round(x);
  if (Math.abs(x % 1) === 0.5 && r % 2 !== 0) r -= 1;
  return r + 0;
}

/** A copy of the bytes of a BufferSource. */
function bufferBytes(part: ArrayBuffer | ArrayBufferView): Uint8Array {
  return part instanceof ArrayBufferCtor
    ? new Uint8ArrayCtor(part.slice(0))
    : new Uint8ArrayCtor(part.buffer, part.byteOffset, part.byteLength).slice();
}

/** The bytes of `parts` (a sequence of BlobParts), as the File API's "process blob parts". */
function processParts(parts: unknown, native: boolean, what: string): Uint8Array {
  if (parts === undefined) return new Uint8ArrayCtor(0);
  if (parts === null || (typeof parts !== 'object' && typeof parts !== 'function')) {
    throw new TypeErrorCtor(`Failed to construct '${what}': The provided value cannot be converted to a sequence.`);
  }
  if (typeof (parts as Iterable<unknown>)[Symbol.iterator] !== 'function') {
    throw new TypeErrorCtor(`Failed to construct '${what}': The object must have a callable @@iterator property.`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (const part of parts as Iterable<unknown>) {
    let bytes: Uint8Array;
    if (isBlob(part)) bytes = blobBytes(part);
    else if (part instanceof ArrayBufferCtor || ArrayBufferIsView(part)) bytes = bufferBytes(part);
    else {
      let text = StringCtor(part);
      if (native) text = text.replace(/\r\n?/g, '\n');
      bytes = utf8Encode(text);
    }
    chunks.push(bytes);
    size += bytes.length;
  }
  // Each chunk is a copy already, or a Blob's bytes, which never change.
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8ArrayCtor(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/** The options of Blob and File: `type` (normalised) and `endings` ('transparent' or 'native', the latter LF). */
function readOptions(options: unknown, what: string): { type: string; native: boolean } {
  if (options === undefined || options === null) return { type: '', native: false };
  if (typeof options !== 'object' && typeof options !== 'function') {
    throw new TypeErrorCtor(`Failed to construct '${what}': The provided value is not of type '${what}PropertyBag'.`);
  }
  const bag = options as Record<string, unknown>;
  const endings = bag.endings === undefined ? 'transparent' : StringCtor(bag.endings);
  if (endings !== 'transparent' && endings !== 'native') {
    throw new TypeErrorCtor(
      `Failed to construct '${what}': The provided value '${endings}' is not a valid enum value of type EndingType.`,
    );
  }
  return { type: bag.type === undefined ? '' : normalType(bag.type), native: endings === 'native' };
}

export class Blob {
  readonly #bytes: Uint8Array;
  readonly #type: string;

  static {
    blobBytes = (blob) => blob.#bytes;
    isBlob = (value): value is Blob => value !== null && typeof value === 'object' && #bytes in value;
  }

  constructor(blobParts?: unknown, options?: unknown) {
    if (adopted !== null) {
      this.#bytes = adopted;
      this.#type = normalType(options);
      adopted = null;
      return;
    }
    const what = constructingFile ? 'File' : 'Blob';
    constructingFile = false;
    const read = readOptions(options, what);
    this.#bytes = processParts(blobParts, read.native, what);
    this.#type = read.type;
  }

  get size(): number {
    return this.#bytes.length;
  }

  get type(): string {
    return this.#type;
  }

  /** The bytes from `start` to `end` (negative: from the end), sharing this Blob's; `contentType` its type. */
  slice(start?: unknown, end?: unknown, contentType?: unknown): Blob {
    const size = this.#bytes.length;
    const from = start === undefined ? 0 : clampInteger(start);
    const to = end === undefined ? size : clampInteger(end);
    const first = from < 0 ? Math.max(size + from, 0) : Math.min(from, size);
    const last = to < 0 ? Math.max(size + to, 0) : Math.min(to, size);
    return makeBlob(this.#bytes.subarray(first, Math.max(last, first)), contentType === undefined ? '' : contentType);
  }

  /** The bytes as UTF-8 text (a BOM dropped, invalid sequences as U+FFFD), as `TextDecoder` does. */
  text(): Promise<string> {
    if (!isBlob(this)) return illegalInvocation();
    const text = decodeUtf8(this.#bytes, this.#bytes.length, false);
    return resolved(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    if (!isBlob(this)) return illegalInvocation();
    return resolved(this.#bytes.slice().buffer);
  }

  bytes(): Promise<Uint8Array> {
    if (!isBlob(this)) return illegalInvocation();
    return resolved(this.#bytes.slice());
  }

  get [Symbol.toStringTag](): string {
    return 'Blob';
  }
}

/** A Blob of `bytes` as they are (not copied: nothing may change them afterwards) and `type`, normalised. */
export function makeBlob(bytes: Uint8Array, type: unknown): Blob {
  adopted = bytes;
  return new Blob(undefined, type);
}

export class File extends Blob {
  readonly #name: string;
  readonly #lastModified: number;

  constructor(fileBits: unknown, fileName: unknown, options?: unknown) {
    if (arguments.length < 2) {
      throw new TypeErrorCtor(
        `Failed to construct 'File': 2 arguments required, but only ${arguments.length} present.`,
      );
    }
    constructingFile = true;
    super(fileBits, options);
    this.#name = StringCtor(fileName);
    const bag = options !== null && typeof options === 'object' ? (options as Record<string, unknown>) : {};
    const at = bag.lastModified === undefined ? DateNow() : +(bag.lastModified as number);
    this.#lastModified = at === at && at !== Infinity && at !== -Infinity ? Math.trunc(at) + 0 : 0;
  }

  get name(): string {
    return this.#name;
  }

  get lastModified(): number {
    return this.#lastModified;
  }

  get webkitRelativePath(): string {
    return '';
  }

  override get [Symbol.toStringTag](): string {
    return 'File';
  }
}

/** The text a Blob carries as a fetch body: its bytes as UTF-8, kept exactly (a BOM too); other bytes refused. */
export function blobBodyText(blob: Blob, what: string): string {
  const bytes = blobBytes(blob);
  try {
    return decodeUtf8(bytes, bytes.length, true);
  } catch {
    throw new TypeErrorCtor(`${what} is not UTF-8 text: an action's requests carry text bodies only`);
  }
}
