/**
 * The `require` of an Auth0 action's module, and the globals of Node's built-ins (`Buffer`, `crypto`, `TextEncoder`,
 * `TextDecoder`, `structuredClone`): both made by the Node layer (node/index.ts), which runs once per isolate, when
 * first needed. A built-in is answered by bare or `node:` name, made at its first `require` and shared by every later
 * one in the isolate, as Node's module cache does. Any other name throws what the deploy-time check says for it
 * (auth0/node-builtins.ts, asked of the host so that the list lives in one place).
 */
import { installLazyGlobal } from './globals.js';
import { StringCtor, TypeErrorCtor } from './intrinsics.js';
import { kernel } from './node-kernel.js';
import type { NodeLayer } from './node/index.js';
import { slice } from './safe.js';

/** The Node layer's bundle, a function declaration the build appends to the program (scripts/build-sandbox.mjs). */
declare function __minterNode(kernel: Record<string, object>): { layer: NodeLayer };

let made: NodeLayer | undefined;

/** The Node layer, made at the first call. */
function node(): NodeLayer {
  if (made === undefined) made = __minterNode(kernel()).layer;
  return made;
}

function bare(name: string): string {
  return slice(name, 0, 5) === 'node:' ? slice(name, 5) : name;
}

function checkName(name: unknown): string {
  if (typeof name !== 'string') {
    const error = new TypeErrorCtor(
      'The "id" argument must be of type string. Received ' + (name === null ? 'null' : typeof name),
    ) as TypeError & { code: string };
    error.code = 'ERR_INVALID_ARG_TYPE';
    throw error;
  }
  if (name === '') throw new TypeErrorCtor("The argument 'id' must be a non-empty string. Received ''");
  return name;
}

/**
 * The action's `require`. Made as a property's function so that its name (the action sees it, and its stack frame)
 * is `require`: the bundler renames a function declared so.
 */
export const requireBuiltin = {
  require: function (name: unknown): unknown {
    const id = checkName(name);
    const layer = node();
    const module = layer.load(bare(id));
    if (module === undefined) throw layer.moduleError(slice(StringCtor(id), 0, 200));
    return module;
  },
}.require;

/** `require.resolve(name)`: a built-in's own name, as Node answers for built-ins. */
(requireBuiltin as { resolve?: unknown }).resolve = function resolve(name: unknown): string {
  const id = checkName(name);
  const layer = node();
  if (!layer.has(bare(id))) throw layer.moduleError(slice(id, 0, 200));
  return id;
};

/** Installs the globals the Node layer makes, each at its first read (Node's `crypto` is enumerable, the others not). */
export function installNodeGlobals(): void {
  installLazyGlobal('TextEncoder', () => node().TextEncoder(), false);
  installLazyGlobal('TextDecoder', () => node().TextDecoder(), false);
  installLazyGlobal('Buffer', () => node().Buffer(), false);
  installLazyGlobal('crypto', () => node().crypto(), true);
  installLazyGlobal('structuredClone', () => node().structuredClone(), false);
  // A stand-in (node/process-shim.ts): an empty env, Node 22's version, nextTick; nothing of the host's process.
  installLazyGlobal('process', () => node().process(), false);
}
