/**
 * `FormData` (XHR Standard §4.3), as Node's runtime has it, for Auth0 actions and the packages they bundle (the `auth0`
 * SDK tests `body instanceof FormData`). Entries are strings: the isolate has no `Blob`, so a value is converted with
 * `String()` and a file name is refused. A `fetch` body sends it as `multipart/form-data` (fetch/request.ts).
 */
import { ErrorCtor, StringCtor, TypeErrorCtor } from '../intrinsics.js';

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

/** An entry's value; a third argument (a file name) is refused: there are no files in an action. */
function entryValue(value: unknown, rest: unknown[], method: string): string {
  if (rest.length > 0) throw new TypeErrorCtor(`Failed to execute '${method}' on 'FormData': files are not available`);
  return StringCtor(value);
}

export class FormData {
  readonly #entries: Array<[string, string]> = [];

  constructor(form?: unknown) {
    if (form !== undefined) throw new TypeErrorCtor("Failed to construct 'FormData': there are no forms in an action");
  }

  append(name: string, value: string, ...rest: unknown[]): void {
    needs(2, arguments.length, 'append');
    this.#entries.push([StringCtor(name), entryValue(value, rest, 'append')]);
  }

  set(name: string, value: string, ...rest: unknown[]): void {
    needs(2, arguments.length, 'set');
    const key = StringCtor(name);
    const text = entryValue(value, rest, 'set');
    const first = this.#entries.findIndex((entry) => entry[0] === key);
    if (first < 0) return void this.#entries.push([key, text]);
    this.#entries[first] = [key, text];
    for (let i = this.#entries.length - 1; i > first; i--) if (this.#entries[i]![0] === key) this.#entries.splice(i, 1);
  }

  get(name: string): string | null {
    needs(1, arguments.length, 'get');
    const key = StringCtor(name);
    const found = this.#entries.find((entry) => entry[0] === key);
    return found === undefined ? null : found[1];
  }

  getAll(name: string): string[] {
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

  forEach(callback: (value: string, key: string, parent: FormData) => void, thisArg?: unknown): void {
    if (typeof callback !== 'function') throw new TypeErrorCtor("Failed to execute 'forEach' on 'FormData'");
    for (const [key, value] of this.#entries.slice()) callback.call(thisArg, value, key, this);
  }

  *entries(): IterableIterator<[string, string]> {
    for (const [key, value] of this.#entries.slice()) yield [key, value];
  }

  *keys(): IterableIterator<string> {
    for (const [key] of this.#entries.slice()) yield key;
  }

  *values(): IterableIterator<string> {
    for (const [, value] of this.#entries.slice()) yield value;
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
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
    parts.push(`Content-Disposition: form-data; name="${escapeName(crlf(name))}"\r\n\r\n${crlf(value)}\r\n`);
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
