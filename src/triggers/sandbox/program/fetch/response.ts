/** `Response` as WHATWG fetch shapes it, over a text body read once (`text()`, `json()`) or cloned before. */
import { JSONparse, PromiseCtor, StringCtor, TypeErrorCtor, promiseThen, reflectApply } from '../intrinsics.js';
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
    this.#body = body === undefined || body === null ? '' : StringCtor(body);
    this.status = init.status === undefined ? 200 : init.status;
    this.statusText = init.statusText === undefined ? '' : StringCtor(init.statusText);
    this.ok = this.status >= 200 && this.status <= 299;
    this.headers = init.headers instanceof Headers ? init.headers : new Headers(init.headers);
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
