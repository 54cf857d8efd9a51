/**
 * `TextEncoder` and `TextDecoder` (WHATWG Encoding, UTF-8 only), globals of Node that V8 alone lacks and that
 * packages use to turn strings into bytes and back: `encode`, `encodeInto`, and `decode` with `fatal`, `ignoreBOM`
 * and `{ stream: true }`. A lone surrogate encodes as U+FFFD; an invalid sequence decodes as U+FFFD (or throws, fatal).
 */
import { RangeErrorCtor, StringCtor, TypeErrorCtor } from '../intrinsics.js';
import { decodeUtf8, utf8Encode } from '../utf8.js';

const UTF8_LABELS = ['utf-8', 'utf8', 'unicode-1-1-utf-8', 'unicode11utf8', 'unicode20utf8', 'x-unicode20utf8'];

/** Bytes of a BufferSource, without copying. */
function viewOf(input: unknown): Uint8Array {
  if (input === undefined) return new Uint8Array(0);
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  throw new TypeErrorCtor('The "input" argument must be an instance of ArrayBuffer or ArrayBufferView');
}

/** `TextEncoder`: strings to UTF-8. */
export class TextEncoder {
  get encoding(): string {
    return 'utf-8';
  }
  encode(input: unknown = ''): Uint8Array {
    return utf8Encode(StringCtor(input));
  }
  encodeInto(source: unknown, destination: Uint8Array): { read: number; written: number } {
    if (!(destination instanceof Uint8Array)) throw new TypeErrorCtor('The "dest" argument must be a Uint8Array');
    const s = StringCtor(source);
    let read = 0;
    let written = 0;
    for (let i = 0; i < s.length;) {
      const c = s.codePointAt(i)!;
      const units = c > 0xffff ? 2 : 1;
      const bytes = utf8Encode(s.slice(i, i + units));
      if (written + bytes.length > destination.length) break;
      destination.set(bytes, written);
      written += bytes.length;
      read += units;
      i += units;
    }
    return { read, written };
  }
}

/** `TextDecoder`: UTF-8 to strings. */
export class TextDecoder {
  #fatal: boolean;
  #ignoreBOM: boolean;
  #pending: number[] = [];
  #bomSeen = false;
  constructor(label: unknown = 'utf-8', options?: { fatal?: unknown; ignoreBOM?: unknown }) {
    const name = StringCtor(label).trim().toLowerCase();
    if (UTF8_LABELS.indexOf(name) < 0) {
      throw new RangeErrorCtor('The "' + name + '" encoding is not supported (Minter actions decode UTF-8 only)');
    }
    this.#fatal = options !== undefined && options !== null && options.fatal === true;
    this.#ignoreBOM = options !== undefined && options !== null && options.ignoreBOM === true;
  }
  get encoding(): string {
    return 'utf-8';
  }
  get fatal(): boolean {
    return this.#fatal;
  }
  get ignoreBOM(): boolean {
    return this.#ignoreBOM;
  }
  decode(input?: unknown, options?: { stream?: unknown }): string {
    const stream = options !== undefined && options !== null && options.stream === true;
    const view = viewOf(input);
    const bytes = this.#pending.length > 0 ? concat(this.#pending, view) : view;
    this.#pending = [];
    let end = bytes.length;
    if (stream) end = completeUpTo(bytes);
    for (let i = end; i < bytes.length; i++) this.#pending.push(bytes[i]!);
    let text = decodeUtf8(bytes, end, this.#fatal);
    if (!this.#ignoreBOM && !this.#bomSeen && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      this.#bomSeen = true;
    }
    if (!stream) this.#bomSeen = false;
    return text;
  }
}

function concat(pending: number[], view: Uint8Array): Uint8Array {
  const out = new Uint8Array(pending.length + view.length);
  for (let i = 0; i < pending.length; i++) out[i] = pending[i]!;
  out.set(view, pending.length);
  return out;
}

/** The length of `bytes` without a trailing sequence that more bytes could still complete. */
function completeUpTo(bytes: Uint8Array): number {
  for (let back = 1; back <= 3 && back <= bytes.length; back++) {
    const b = bytes[bytes.length - back]!;
    if ((b & 0xc0) === 0x80) continue;
    const need = b >= 0xf0 && b <= 0xf4 ? 4 : b >= 0xe0 ? 3 : b >= 0xc2 && b <= 0xdf ? 2 : 1;
    return need > back ? bytes.length - back : bytes.length;
  }
  return bytes.length;
}
