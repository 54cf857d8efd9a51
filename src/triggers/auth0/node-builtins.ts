/**
 * Which Node built-in modules an Auth0 action may `require`, in one place: the deploy-time checks (action-build.ts
 * for the action's own code, triggers/packages/ for its dependencies) read it to refuse a module at deploy and to
 * pick a package's build, and the isolate's `require` (sandbox/program/node/) provides the modules it lists and
 * throws {@link refusedBuiltinMessage} for the others (issue 13, "Node built-ins").
 *
 * Three kinds: {@link SUPPORTED_BUILTINS} are Minter's promise (implemented inside the isolate, on the host where
 * they need it: `crypto`); {@link REFUSED_BUILTINS} reach the host (files, sockets, processes, the V8 engine) and fail
 * the deploy with what to use instead; any other built-in (`zlib`, `assert`, …) is not available either: the
 * action's own code is refused at deploy, a dependency's build may still leave it on a path it never takes.
 */
import { builtinModules } from 'node:module';

/** Built-ins the isolate's `require` implements (issue 13): a package needing only these runs as it does on Node. */
export const SUPPORTED_BUILTINS: readonly string[] = [
  'buffer',
  'crypto',
  'events',
  'http',
  'https',
  'os',
  'path',
  'querystring',
  'stream',
  'string_decoder',
  'url',
  'util',
];

/**
 * The supported built-ins the isolate provides today: all of them. The packager prefers a package's Node build when
 * every built-in it needs is here, and otherwise its browser build when that one needs none missing.
 */
export const PROVIDED_BUILTINS: ReadonlySet<string> = new Set<string>(SUPPORTED_BUILTINS);

/** Sub-modules the isolate's `require` answers besides the base names (`node:` prefixed or not). */
export const SUPPORTED_SUBMODULES: readonly string[] = ['path/posix', 'stream/promises', 'util/types'];

const USE_FETCH = 'use fetch() (or https), which Minter carries over its guarded egress';
const NO_PROCESS = 'an action runs in one V8 isolate: there are no processes or threads to start';

/** Built-ins no action may load, each with what to use instead. */
export const REFUSED_BUILTINS: Readonly<Record<string, string>> = {
  fs: 'there is no file system: keep configuration in event.secrets, or fetch() it over https',
  net: USE_FETCH,
  tls: USE_FETCH,
  dgram: USE_FETCH,
  dns: USE_FETCH,
  http2: USE_FETCH,
  child_process: NO_PROCESS,
  cluster: NO_PROCESS,
  worker_threads: NO_PROCESS,
  vm: 'the action already runs in an isolate: compile nothing at run time',
  v8: 'the engine is not reachable from an action',
  inspector: 'the engine is not reachable from an action',
  repl: 'there is no terminal',
  readline: 'there is no terminal',
  tty: 'there is no terminal',
  module: 'declare packages in the action’s dependencies; they are bundled at deploy',
  process: 'read configuration from event.secrets',
  wasi: 'WebAssembly is not available in actions',
  trace_events: 'the engine is not reachable from an action',
};

const BUILTINS = new Set(builtinModules);

/**
 * The built-in a specifier names (`node:fs/promises` → `fs`, `stream/promises` → `stream`), or undefined when it
 * names a package. Node's own private modules (`_http_agent`) count under the public one they belong to.
 */
export function builtinOf(specifier: string): string | undefined {
  const bare = specifier.startsWith('node:') ? specifier.slice(5) : specifier;
  if (!BUILTINS.has(bare) && !specifier.startsWith('node:')) return undefined;
  const base = bare.split('/')[0]!;
  return base.startsWith('_') ? (base.match(/^_(http|https|stream|tls)/)?.[1] ?? base) : base;
}

export type BuiltinKind = 'provided' | 'supported' | 'refused' | 'other';

/** How Minter treats a built-in (by its base name, from {@link builtinOf}). */
export function builtinKind(name: string): BuiltinKind {
  if (PROVIDED_BUILTINS.has(name)) return 'provided';
  if (SUPPORTED_BUILTINS.includes(name)) return 'supported';
  if (Object.hasOwn(REFUSED_BUILTINS, name)) return 'refused';
  return 'other';
}

/** Whether the isolate's `require` answers `specifier` (`crypto`, `node:crypto`, `stream/promises`, …). */
export function isSupportedBuiltin(specifier: string): boolean {
  const bare = specifier.startsWith('node:') ? specifier.slice(5) : specifier;
  return SUPPORTED_BUILTINS.includes(bare) || SUPPORTED_SUBMODULES.includes(bare);
}

/**
 * The deploy error's text for a built-in an action may not load (by its base name, or a full specifier): the
 * module, and what to use instead; undefined for a supported one. The isolate's `require` throws the same text.
 */
export function refusedBuiltinMessage(name: string): string | undefined {
  if (isSupportedBuiltin(name)) return undefined;
  const base = builtinOf(name) ?? name;
  const instead = Object.hasOwn(REFUSED_BUILTINS, base)
    ? REFUSED_BUILTINS[base]
    : `Minter provides ${SUPPORTED_BUILTINS.join(', ')}`;
  return `the Node built-in "${name}" is not available in Minter actions: ${instead}`;
}
