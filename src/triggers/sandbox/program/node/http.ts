/**
 * `http` and `https` for clients: `request` and `get` carried over the program's own guarded `fetch` (fetch/fetch.ts:
 * the host's egress rules, timeouts and the per-execution fetch cap apply), the response an `IncomingMessage`-like
 * Readable with `statusCode`, `statusMessage` and lower-cased `headers`. Bodies are text (the host's fetch carries
 * strings), and redirects are followed by the host as `fetch` does. `createServer` throws: an action cannot listen.
 */
import { ObjectKeys, StringCtor } from '../intrinsics.js';
import { fetch } from '../fetch/fetch.js';
import { queueMicrotask } from '../node-globals.js';
import { clearTimeout, setTimeout } from '../timers.js';
import { BufferOf } from './buffer.js';
import {
  argumentsOf,
  httpError,
  METHODS,
  validateHeaderName,
  validateHeaderValue,
  type Options,
} from './http-options.js';
import { STATUS_CODES } from './http-status.js';
import { eventsModule, streamModule, type Emitter, type ReadableClass } from './vendor.js';

interface Classes {
  ClientRequest: new (protocol: string, options: Options, callback: unknown) => object;
  IncomingMessage: ReadableClass;
  Agent: new (options?: Options) => Emitter;
}

let classes: Classes | undefined;

/** The classes, made at the first `require('http')` (they extend the lazily loaded events and stream packages). */
function httpClasses(): Classes {
  if (classes !== undefined) return classes;
  const EventEmitter = eventsModule();
  const { Readable } = streamModule();

  class IncomingMessage extends Readable {
    statusCode = 0;
    statusMessage = '';
    httpVersion = '1.1';
    httpVersionMajor = 1;
    httpVersionMinor = 1;
    headers: Record<string, string | string[]> = {};
    rawHeaders: string[] = [];
    trailers: Record<string, string> = {};
    rawTrailers: string[] = [];
    url = '';
    method = null;
    complete = false;
    aborted = false;
    socket = null;
    override _read(): void {}
    setTimeout(): this {
      return this;
    }
  }

  class Agent extends EventEmitter {
    options: Options;
    maxSockets = Infinity;
    maxFreeSockets = 256;
    keepAlive = false;
    sockets = {};
    freeSockets = {};
    requests = {};
    constructor(options?: Options) {
      super(...([] as never[]));
      this.options = { ...(options ?? {}) };
    }
    destroy(): void {}
  }

  class ClientRequest extends EventEmitter {
    method: string;
    path: string;
    host: string;
    protocol: string;
    destroyed = false;
    aborted = false;
    finished = false;
    writableEnded = false;
    reusedSocket = false;
    socket = null;
    #headers: Record<string, [string, string]> = {};
    #chunks: Uint8Array[] = [];
    #url: string;
    #timer: unknown = undefined;
    constructor(protocol: string, options: Options, callback: unknown) {
      super();
      const hostname = StringCtor(options.hostname ?? options.host ?? 'localhost').replace(/:\d+$/, '');
      const port =
        options.port === undefined || options.port === null || options.port === ''
          ? ''
          : ':' + StringCtor(options.port);
      this.protocol = protocol;
      this.method = StringCtor(options.method ?? 'GET').toUpperCase();
      this.path = StringCtor(options.path ?? '/');
      this.host = hostname;
      const bracketed = hostname.indexOf(':') >= 0 && hostname[0] !== '[' ? '[' + hostname + ']' : hostname;
      this.#url = protocol + '//' + bracketed + port + this.path;
      const given = options.headers;
      const headers = (given !== null && typeof given === 'object' ? given : {}) as Options;
      const names = ObjectKeys(headers);
      for (let i = 0; i < names.length; i++) this.setHeader(names[i]!, headers[names[i]!]);
      if (typeof options.auth === 'string' && !this.hasHeader('authorization'))
        this.setHeader('Authorization', 'Basic ' + BufferOf().from(options.auth).toString('base64'));
      if (typeof callback === 'function') this.once('response', callback as (...args: unknown[]) => void);
      if (typeof options.timeout === 'number') this.setTimeout(options.timeout);
    }
    setHeader(name: unknown, value: unknown): this {
      const v = Array.isArray(value) ? value.map(StringCtor).join(', ') : StringCtor(value);
      this.#headers[StringCtor(name).toLowerCase()] = [StringCtor(name), v];
      return this;
    }
    getHeader(name: unknown): string | undefined {
      return this.#headers[StringCtor(name).toLowerCase()]?.[1];
    }
    hasHeader(name: unknown): boolean {
      return this.#headers[StringCtor(name).toLowerCase()] !== undefined;
    }
    removeHeader(name: unknown): void {
      delete this.#headers[StringCtor(name).toLowerCase()];
    }
    getHeaders(): Record<string, string> {
      const out: Record<string, string> = {};
      for (const key of ObjectKeys(this.#headers)) out[key] = this.#headers[key]![1];
      return out;
    }
    getHeaderNames(): string[] {
      return ObjectKeys(this.#headers);
    }
    flushHeaders(): void {}
    setNoDelay(): void {}
    setSocketKeepAlive(): void {}
    setTimeout(ms: unknown, callback?: unknown): this {
      if (typeof callback === 'function') this.once('timeout', callback as () => void);
      clearTimeout(this.#timer);
      this.#timer = Number(ms) > 0 ? setTimeout(() => this.emit('timeout'), Number(ms)) : undefined;
      return this;
    }
    write(chunk: unknown, encoding?: unknown, callback?: unknown): boolean {
      if (this.writableEnded) throw httpError('write after end', 'ERR_STREAM_WRITE_AFTER_END');
      const B = BufferOf();
      const bytes =
        typeof chunk === 'string'
          ? B.from(chunk, typeof encoding === 'string' ? encoding : 'utf8')
          : B.from(chunk as Uint8Array);
      this.#chunks.push(bytes);
      const done = typeof encoding === 'function' ? encoding : callback;
      if (typeof done === 'function') queueMicrotask(done as () => void);
      return true;
    }
    end(chunk?: unknown, encoding?: unknown, callback?: unknown): this {
      if (typeof chunk === 'function') [callback, chunk] = [chunk, undefined];
      if (typeof encoding === 'function') [callback, encoding] = [encoding, undefined];
      if (chunk !== undefined && chunk !== null) this.write(chunk, encoding);
      if (this.writableEnded) return this;
      this.writableEnded = this.finished = true;
      if (typeof callback === 'function') this.once('finish', callback as () => void);
      this.#send();
      return this;
    }
    abort(): void {
      if (this.aborted) return;
      this.aborted = true;
      this.destroy();
      this.emit('abort');
    }
    destroy(error?: unknown): this {
      if (this.destroyed) return this;
      this.destroyed = true;
      clearTimeout(this.#timer);
      queueMicrotask(() => {
        if (error !== undefined && error !== null) this.emit('error', error);
        this.emit('close');
      });
      return this;
    }
    #send(): void {
      const headers: Record<string, string> = {};
      for (const key of ObjectKeys(this.#headers)) headers[key] = this.#headers[key]![1];
      const body = this.#chunks.length === 0 ? undefined : BufferOf().concat(this.#chunks).toString('utf8');
      queueMicrotask(() => this.emit('finish'));
      const sent = fetch(this.#url, { method: this.method, headers, body });
      sent.then(
        (response) =>
          response.text().then((text) => {
            clearTimeout(this.#timer);
            if (this.destroyed) return;
            const res = new IncomingMessage() as unknown as IncomingMessage & Options;
            res.statusCode = response.status;
            res.statusMessage = response.statusText || STATUS_CODES[response.status] || '';
            const resHeaders: Record<string, string | string[]> = {};
            const raw: string[] = [];
            response.headers.forEach((value: string, name: string) => {
              resHeaders[name] = name === 'set-cookie' ? [value] : value;
              raw.push(name, value);
            });
            res.headers = resHeaders;
            res.rawHeaders = raw;
            res.once('end', () => {
              res.complete = true;
              this.emit('close');
            });
            if (this.listenerCount('response') === 0) res.resume();
            else this.emit('response', res);
            if (text !== '') res.push(BufferOf().from(text, 'utf8'));
            res.push(null);
          }),
        (error: unknown) => {
          clearTimeout(this.#timer);
          if (this.destroyed) return;
          const e = httpError(error instanceof Error ? error.message : StringCtor(error), 'ECONNREFUSED');
          this.destroyed = true;
          this.emit('error', e);
          this.emit('close');
        },
      );
    }
  }

  classes = { ClientRequest, IncomingMessage, Agent } as unknown as Classes;
  return classes;
}

/** Makes the `http` (`protocol` `http:`) or `https` module. */
export function makeHttp(protocol: 'http:' | 'https:'): Record<string, unknown> {
  const { ClientRequest, IncomingMessage, Agent } = httpClasses();
  const request = function (a: unknown, b?: unknown, c?: unknown) {
    const { options, callback } = argumentsOf(protocol, a, b, c);
    return new ClientRequest(protocol, options, callback);
  };
  const globalAgent = new Agent({ keepAlive: false });
  return {
    request,
    get: function (a: unknown, b?: unknown, c?: unknown) {
      const req = request(a, b, c) as { end(): void };
      req.end();
      return req;
    },
    Agent,
    globalAgent,
    ClientRequest,
    IncomingMessage,
    METHODS: METHODS.slice(),
    STATUS_CODES: { ...STATUS_CODES },
    maxHeaderSize: 16384,
    createServer: function () {
      throw httpError(
        'An action cannot listen for connections: it answers the token request it is given',
        'ERR_MINTER_NO_SERVER',
      );
    },
    validateHeaderName,
    validateHeaderValue,
  };
}
