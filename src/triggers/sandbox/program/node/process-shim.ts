/**
 * The `process` the bundled npm packages read (readable-stream's `require('process/')`, util's free `process`: the
 * build points both here): `nextTick` as a microtask (queued with the `then` captured at start), an empty
 * environment, no streams, no `exit`. It is also the `process` global of an Auth0 action (installed lazily by
 * node-require.ts), as packages written for Node read `process.env` and `process.version`; nothing of the host's
 * process is in it.
 */
import { queueMicrotask } from '../node-globals.js';

/** Node's `process.nextTick(callback, ...args)`, run as a microtask. */
function nextTick(callback: (...args: unknown[]) => unknown, ...args: unknown[]): void {
  if (typeof callback !== 'function') throw new TypeError('The "callback" argument must be of type function');
  queueMicrotask(function () {
    callback(...args);
  });
}

/** The stand-in. */
export const process = {
  title: 'minter',
  browser: false,
  env: {} as Record<string, string>,
  argv: [] as string[],
  version: 'v22.0.0',
  versions: { node: '22.0.0' } as Record<string, string>,
  platform: 'linux',
  pid: 1,
  noDeprecation: false,
  throwDeprecation: false,
  traceDeprecation: false,
  nextTick,
  emitWarning: function () {},
  cwd: function () {
    return '/';
  },
};

export default process;
