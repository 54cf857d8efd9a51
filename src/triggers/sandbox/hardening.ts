/**
 * What no action may reach: removed from every isolate before any action code runs (the runtime isolates, the
 * `test` run, and the throwaway isolates that check code at deploy). Each was found by trying it (docs/security.md,
 * "sandbox"; the crash hunt in test/triggers/sandbox-crash-hunt.test.ts keeps trying):
 *
 * - `SharedArrayBuffer` and `Atomics`: `Atomics.waitAsync(…, timeout)` on a shared buffer aborts the whole process
 *   (isolated-vm's thread pool meets V8's wait timer: `terminate called without an active exception`), and
 *   `Atomics.wait` blocks an isolate thread outside any budget.
 * - `WebAssembly`: a shared `WebAssembly.Memory` hands out a `SharedArrayBuffer` (its `.buffer.constructor` is the
 *   constructor itself), and wasm's own `memory.atomic.wait` blocks like `Atomics.wait`.
 * - `FinalizationRegistry`: its cleanup callbacks run after a call has ended, outside every budget: a loop in one
 *   holds an isolate thread for ever, a throw prints to the host's stderr once per registered object.
 * - `Error.prepareStackTrace`: V8 calls it when a stack is formatted, which isolated-vm does on the host's side of a
 *   call, outside its budget: a loop there blocked the thread for ever. It is pinned to `undefined`.
 *
 * In the sandbox process (runtime/sandbox-host.ts) V8 is started with {@link SANDBOX_V8_FLAGS}, so the first three are
 * never created at all and no prototype, wasm memory or other path can lead back to them; the deletions (made by
 * program/hardening.ts, the first module of every program) cover the inline engine and are checked again in every
 * context.
 */
import ivm from 'isolated-vm';
import { HARDENING_SCRIPT } from './bundles.generated.js';

/** V8 flags of the sandbox process: no `SharedArrayBuffer`, no `Atomics`, no `WebAssembly`, in any context. */
export const SANDBOX_V8_FLAGS: readonly string[] = [
  '--no-harmony-sharedarraybuffer',
  '--no-harmony-atomics',
  '--no-expose-wasm',
];

/**
 * Statements run first in every action context, in strict mode (program/hardening.ts, bundled alone): a global that
 * cannot be deleted, or a `prepareStackTrace` that cannot be pinned, throws, and the isolate is never used.
 */
export const SANDBOX_HARDENING_SOURCE = HARDENING_SCRIPT;

/** A fresh context of `isolate` with {@link SANDBOX_HARDENING_SOURCE} applied (for the deploy-time checks). */
export async function hardenedContext(isolate: ivm.Isolate): Promise<ivm.Context> {
  const context = await isolate.createContext();
  await context.eval(SANDBOX_HARDENING_SOURCE, { timeout: 1000 });
  return context;
}
