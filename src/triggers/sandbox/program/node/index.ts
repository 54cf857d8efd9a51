/**
 * The Node layer of the Auth0 program: Node's built-ins (modules.ts) and the globals made from them, bundled apart
 * from the program (scripts/build-sandbox.mjs) into one function, `__minterNode(kernel)`, that runs once per isolate,
 * at the first `require` of a built-in or the first read of `Buffer`, `crypto`, `TextEncoder`, `TextDecoder` or
 * `structuredClone`
 * (node-require.ts). Until then an isolate pays nothing for it: V8 keeps an uncalled function as its source text.
 *
 * What it imports from the rest of the program (intrinsics, host, invocation, timers, fetch, URL…) is not bundled
 * again: the build hands it the program's own modules (node-kernel.ts), so the intrinsics are the ones captured at
 * start, and the invocation, the timers and the fetch cap are the program's.
 */
import { ObjectCreate } from '../intrinsics.js';
import { owns } from '../safe.js';
import { BufferOf } from './buffer.js';
import { webcryptoObject } from './crypto/index.js';
import { moduleError } from './crypto/host-call.js';
import { moduleMakers } from './modules.js';
import { process } from './process-shim.js';
import { structuredClone } from './structured-clone.js';
import { TextDecoder, TextEncoder } from './text-coding.js';

const made: Record<string, unknown> = ObjectCreate(null);
const makers = moduleMakers(load);

/** The built-in `name` (bare: `crypto`, `stream/promises`), made at the first call; undefined when not provided. */
function load(name: string): unknown {
  if (owns(made, name)) return made[name];
  if (!owns(makers, name)) return undefined;
  const module = makers[name]!();
  made[name] = module;
  return module;
}

/** What the layer answers the program. */
export const layer = {
  load,
  has: function (name: string): boolean {
    return owns(makers, name);
  },
  moduleError,
  Buffer: BufferOf,
  crypto: webcryptoObject,
  TextEncoder: function () {
    return TextEncoder;
  },
  TextDecoder: function () {
    return TextDecoder;
  },
  structuredClone: function () {
    return structuredClone;
  },
  process: function () {
    return process;
  },
};

/** The layer's shape, for node-require.ts. */
export type NodeLayer = typeof layer;
