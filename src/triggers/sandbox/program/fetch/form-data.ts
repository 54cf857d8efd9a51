/**
 * `FormData` (XHR Standard §4.3), as Node's runtime has it, for Auth0 actions and the packages they bundle (the `auth0`
 * SDK tests `body instanceof FormData`). An entry's value is a string or a `File`: a Blob value becomes a File (named
 * by the third argument, else `blob`), any other value a string. A `fetch` body sends it as `multipart/form-data`
 * (fetch/body.ts), a file's bytes as they are, which must be UTF-8 text: bodies cross to the host as strings.
 */
import { ErrorCtor, StringCtor, TypeErrorCtor } from '../intrinsics.js';
import { File, blobBodyText, isBlob } from './blob.js';

/** An entry's value: Node's `FormDataEntryValue`. */
type EntryValue = string | File;

/** The characters a multipart name or boundary escapes (HTML §4.10.21.8: `"`, CR and LF as percent-escapes). */
const escapeName = (name: string) => name.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
/** CR, LF and CRLF in a value become CRLF, as the multipart encoding normalises them. */
const crlf = (value: string) => value.replace(/\r\n|\r|\n/g, '\r\n');

function needs(count: number, got: number, method: string): void {
  if (got < count) {
    throw new TypeErrorCtor(
      `Failed to execute '${method}' on 'FormData': ${count} argument${count > 1 ? 's' : ''} required, but only ${got} present.`,
    );
  }
}

/**
 * An entry's value (XHR §4.3.1 "create an entry"): a Blob as a File named by `rest[0]` (a File keeps its name
 * without one, any other Blob is `blob`), anything else as a string; a file name with a value that is no Blob throws.
 */
function entryValue(value: unknown, rest: unknown[], method: string): EntryValue {
  if (!isBlob(value)) {
    if (rest.length > 0) {
      throw new TypeErrorCtor(`Failed to execute '${method}' on 'FormData': parameter 2 is not of type 'Blob'.`);
    }
    return StringCtor(value);
  }
  const isFile = value instanceof File;
  if (isFile && (rest.length === 0 || rest[0] === undefined)) return value;
  const name = rest.length > 0 && rest[0] !== undefined ? StringCtor(rest[0]) : isFile ? value.name : 'blob';
  return new File([value], name, { type: value.type, lastModified: isFile ? value.lastModified : undefined });
}

export class FormData {
  readonly #entries: Array<[string, EntryValue]> = [];

  constructor(form?: unknown) {
    if (form !== undefined) throw new TypeErrorCtor("Failed to construct 'FormData': there are no forms in an action");
  }

  append(name: string, value: unknown, ...rest: unknown[]): void {
    needs(2, arguments.length, 'append');
    this.#entries.push([StringCtor(name), entryValue(value, rest, 'append')]);
  }

  set(name: string, value: unknown, ...rest: unknown[]): void {
    needs(2, arguments.length, 'set');
    const key = StringCtor(name);
    const stored = entryValue(value, rest, 'set');
    const first = this.#entries.findIndex((entry) => entry[0] === key);
    if (first < 0) return void this.#entries.push([key, stored]);
    this.#entries[first] = [key, stored];
    for (let i = this.#entries.length - 1; i > first; i--) if (this.#entries[i]![0] === key) this.#entries.splice(i, 1);
  }

  get(name: string): EntryValue | null {
    needs(1, arguments.length, 'get');
    const key = StringCtor(name);
    const found = this.#entries.find((entry) => entry[0] === key);
    return found === undefined ? null : found[1];
  }

  getAll(name: string): EntryValue[] {
    needs(1, arguments.length, 'getAll');
    const key = StringCtor(name);
    return this.#entries.filter((entry) => entry[0] === key).map((entry) => entry[1]);
  }

  has(name: string): boolean {
    needs(1, arguments.length, 'has');
    const key = StringCtor(name);
    return this.#entries.some((entry) => entry[0] === key);
  }

  delete(name: string): void {
    needs(1, arguments.length, 'delete');
    const key = StringCtor(name);
    for (let i = this.#entries.length - 1; i >= 0; i--) if (this.#entries[i]![0] === key) this.#entries.splice(i, 1);
  }

  forEach(callback: (value: EntryValue, key: string, parent: FormData) => void, thisArg?: unknown): void {
    if (typeof callback !== 'function') throw new TypeErrorCtor("Failed to execute 'forEach' on 'FormData'");
    for (const [key, value] of this.#entries.slice()) callback.call(thisArg, value, key, this);
  }

  *entries(): IterableIterator<[string, EntryValue]> {
    for (const [key, value] of this.#entries.slice()) yield [key, value];
  }

  *keys(): IterableIterator<string> {
    for (const [key] of this.#entries.slice()) yield key;
  }

  *values(): IterableIterator<EntryValue> {
    for (const [, value] of this.#entries.slice()) yield value;
  }

  [Symbol.iterator](): IterableIterator<[string, EntryValue]> {
    return this.entries();
  }

  get [Symbol.toStringTag](): string {
    return 'FormData';
  }
}

/** The `multipart/form-data` body of `form` and its content type, with a boundary no value contains. */
export function multipartBody(form: FormData): { body: string; contentType: string } {
  const parts: string[] = [];
  for (const [name, value] of form.entries()) {
    const disposition = `Content-Disposition: form-data; name="${escapeName(crlf(name))}"`;
    if (typeof value === 'string') parts.push(`${disposition}\r\n\r\n${crlf(value)}\r\n`);
    else {
      const text = blobBodyText(value, `fetch: the FormData file '${value.name}'`);
      const type = value.type === '' ? 'application/octet-stream' : value.type;
      parts.push(`${disposition}; filename="${escapeName(value.name)}"\r\nContent-Type: ${type}\r\n\r\n${text}\r\n`);
    }
  }
  let boundary = '';
  for (let tries = 0; tries < 8; tries++) {
    boundary = `----MinterFormBoundary${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
    if (!parts.some((part) => part.includes(boundary))) break;
    if (tries === 7) throw new ErrorCtor('FormData: no boundary found');
  }
  const body = parts.map((part) => `--${boundary}\r\n${part}`).join('') + `--${boundary}--\r\n`;
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}
