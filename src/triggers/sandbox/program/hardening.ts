/**
 * What no action may reach, removed before anything else runs in an action context: the first module of every
 * program bundle (scripts/build-sandbox.mjs checks that it comes first) and, bundled alone, the script
 * `hardenedContext` runs in the deploy-time contexts (sandbox/hardening.ts says why each is removed).
 *
 * In strict mode: a global that cannot be deleted, or a `prepareStackTrace` that cannot be pinned, throws, and the
 * isolate is never used.
 */
const removed = ['SharedArrayBuffer', 'Atomics', 'WebAssembly', 'FinalizationRegistry'];
for (let i = 0; i < removed.length; i++) {
  const name = removed[i]!;
  delete (globalThis as Record<string, unknown>)[name];
  if (name in globalThis) throw new Error('sandbox hardening: ' + name + ' is still reachable');
}
Object.defineProperty(Error, 'prepareStackTrace', {
  value: undefined,
  writable: false,
  enumerable: false,
  configurable: false,
});
