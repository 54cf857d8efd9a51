/**
 * `Response` as WHATWG fetch shapes it, over a text body read once (`text()`, `json()`, or as bytes: `blob()`,
 * `arrayBuffer()`, `bytes()`, its UTF-8) or cloned before. The host hands a fetched body over as text (decoded as
 * UTF-8), so a binary one does not come back intact; a Blob given to the constructor is read as UTF-8 text too.
 */
import { JSONparse, PromiseCtor, StringCtor, TypeErrorCtor, promiseThen, reflectApply } from '../intrinsics.js';
import { decodeUtf8, utf8Encode } from '../utf8.js';
import { blobBytes, isBlob, makeBlob, type Blob } from './blob.js';
import { Headers } from './headers.js';

/** What a {@link Response} is made with. */
export interface ResponseInit {
  status?: number;
  statusText?: unknown;
  headers?: unknown;
  url?: string;
}

/** `Response`, as `fetch` answers it. */
export class Response {
  #body: string;
  #used = false;
  // Own properties, set by the constructor in this order.
  declare status: number;
  declare statusText: string;
  declare ok: boolean;
  declare headers: Headers;
  declare url: string;
  declare redirected: boolean;
  declare type: string;
  constructor(body?: unknown, init?: ResponseInit) {
    init = init || {};
    if (isBlob(body)) {
      const bytes = blobBytes(body);
      this.#body = decodeUtf8(bytes, bytes.length, false);
    } else this.#body = body === undefined || body === null ? '' : StringCtor(body);
    this.status = init.status === undefined ? 200 : init.status;
    this.statusText = init.statusText === undefined ? '' : StringCtor(init.statusText);
    this.ok = this.status >= 200 && this.status <= 299;
    // A copy, as WHATWG fetch fills the response's own headers from init's (the Blob's type may be added).
    this.headers = new Headers(init.headers);
    if (isBlob(body) && body.type !== '' && !this.headers.has('content-type')) {
      this.headers.set('content-type', body.type);
    }
    this.url = init.url === undefined ? '' : init.url;
    this.redirected = false;
    this.type = 'basic';
  }
  get bodyUsed(): boolean {
    return this.#used;
  }
  #consume(): Promise<string> {
    if (this.#used) return PromiseCtor.reject(new TypeErrorCtor('Body is unusable: Body has already been read'));
    this.#used = true;
    return PromiseCtor.resolve(this.#body);
  }
  text(): Promise<string> {
    return this.#consume();
  }
  json(): Promise<unknown> {
    return reflectApply(promiseThen, this.#consume(), [JSONparse]);
  }
  /** The body's UTF-8 bytes as a Blob typed by the content-type header. */
  blob(): Promise<Blob> {
    const type = this.headers.get('content-type');
    return reflectApply(promiseThen, this.#consume(), [(text: string) => makeBlob(utf8Encode(text), type ?? '')]);
  }
  arrayBuffer(): Promise<ArrayBuffer> {
    return reflectApply(promiseThen, this.#consume(), [(text: string) => utf8Encode(text).buffer]);
  }
  bytes(): Promise<Uint8Array> {
    return reflectApply(promiseThen, this.#consume(), [utf8Encode]);
  }
  clone(): Response {
    if (this.#used) throw new TypeErrorCtor('Response.clone: Body has already been consumed.');
    return makeResponse(this.#body, {
      status: this.status,
      statusText: this.statusText,
      headers: new Headers(this.headers),
      url: this.url,
    });
  }
  get [Symbol.toStringTag](): string {
    return 'Response';
  }
}

/** `new Response(…)` for the class's own methods: naming the class inside its body makes the bundler rename it. */
function makeResponse(body: string, init: ResponseInit): Response {
  return new Response(body, init);
}
