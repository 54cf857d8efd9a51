/**
 * Which Node built-in modules an Auth0 action may `require`, in one place: the deploy-time packager
 * (triggers/packages/) reads it to refuse a module at deploy and to pick a package's build, and the isolate's
 * `require` provides the modules it lists (issue 13, "Node built-ins").
 *
 * Three kinds: {@link SUPPORTED_BUILTINS} are Minter's promise (implemented inside the isolate, on the host where
 * they need it); {@link REFUSED_BUILTINS} reach the host (files, sockets, processes, the V8 engine) and fail the
 * deploy with what to use instead; any other built-in (`path`, `zlib`, `assert`, …) is left to the isolate's
 * `require`, which throws when it does not have it.
 */
import { builtinModules } from 'node:module';

/** Built-ins the isolate's `require` implements (issue 13): a package needing only these runs as it does on Node. */
export const SUPPORTED_BUILTINS: readonly string[] = [
  'buffer',
  'crypto',
  'events',
  'http',
  'https',
  'querystring',
  'stream',
  'string_decoder',
  'url',
  'util',
];

/**
 * The supported built-ins the isolate provides today. The packager prefers a package's Node build when every
 * built-in it needs is here, and otherwise its browser build when that one needs none missing; the Node built-ins
 * work (issue 13) adds each module here as it lands, and then this equals {@link SUPPORTED_BUILTINS}.
 */
export const PROVIDED_BUILTINS: ReadonlySet<string> = new Set<string>();

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
  os: 'the host is not visible to an action: read what you need from event or event.secrets',
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

/** The deploy error's text for a refused built-in: the module, and what to use instead. */
export function refusedBuiltinMessage(name: string): string {
  const instead = Object.hasOwn(REFUSED_BUILTINS, name) ? REFUSED_BUILTINS[name] : 'it is not available';
  return `the Node built-in "${name}" is not available in Minter actions: ${instead}`;
}
