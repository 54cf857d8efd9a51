/**
 * The npm packages that stand in for Node's own modules inside the isolate, each loaded at its first use (esbuild's
 * lazy CommonJS loaders: scripts/build-sandbox.mjs bundles them into the Auth0 program): `events`, `readable-stream`
 * (as `stream`), `util`, `url`, `querystring-es3`, `string_decoder`. Typed here as far as the program uses them.
 */

/** An EventEmitter instance, as far as the program calls it. */
export interface Emitter {
  on(name: string | symbol, listener: (...args: never[]) => void): this;
  once(name: string | symbol, listener: (...args: never[]) => void): this;
  emit(name: string | symbol, ...args: unknown[]): boolean;
  listenerCount(name: string | symbol): number;
}
export type EmitterClass = new (...args: never[]) => Emitter;

/** A Readable stream, as far as the program calls it. */
export interface Readable extends Emitter {
  push(chunk: unknown): boolean;
  resume(): this;
  _read(size: number): void;
}
export type ReadableClass = new (options?: unknown) => Readable;

/** The `stream` module. */
export interface StreamModule {
  Readable: ReadableClass;
  [name: string]: unknown;
}

let events: EmitterClass | undefined;
let stream: StreamModule | undefined;

export function eventsModule(): EmitterClass {
  if (events === undefined) events = require('events') as EmitterClass;
  return events;
}

/** readable-stream's `Stream` (Node's legacy constructor) with `Readable`, `Writable`, …, `promises`, as Node's. */
export function streamModule(): StreamModule {
  if (stream === undefined) stream = require('readable-stream/lib/stream.js') as StreamModule;
  return stream;
}

export function streamPromises(): unknown {
  return require('readable-stream/lib/stream/promises.js');
}

export function utilPackage(): Record<string, unknown> {
  return require('util/') as Record<string, unknown>;
}

export function urlPackage(): Record<string, unknown> {
  return require('url/') as Record<string, unknown>;
}

export function querystringPackage(): Record<string, unknown> {
  return require('querystring-es3') as Record<string, unknown>;
}

export function stringDecoderPackage(): Record<string, unknown> {
  return require('string_decoder/') as Record<string, unknown>;
}
