/**
 * A call stopped at its deadline, and what it leaves behind: the failure with the console the action printed until
 * then (read back with `drain(q)`), a watch for a thread that never comes back (`stuck`), and the isolate stopped at
 * once when the call was still spinning on CPU (docs/trigger-runtime.md, "Budgets" and "Fairness").
 */
import type { Instance, SandboxFailure } from './isolate-factory.js';
import { failure } from './isolate-factory.js';
import { spinning } from './client-holds.js';

/** How long a call stopped at its deadline may take to give its thread back before it counts as stuck, in ms. */
export const STUCK_AFTER_MS = 2000;
/**
 * isolated-vm timeout of `drain(q)`, off the main thread, in ms: our own short code too (microseconds), but a machine
 * whose cores are all busy can take its thread away for longer than 50 ms, and the console was lost then.
 */
const DRAIN_TIMEOUT_MS = 500;
/**
 * How long a stopped call's console is waited for, in ms (see {@link withConsole}): off the main thread, long enough
 * for the isolate's thread to get a core on a loaded machine.
 */
const CONSOLE_WAIT_MS = 1000;
/**
 * An isolate still spinning when its call timed out, after the call started host I/O (a fetch, a timer), may be
 * looping in a continuation no isolated-vm timeout covers, which cannot answer until it is stopped: it is given this
 * long, in ms, to end, then stopped without its console. One that started no I/O is looping in code isolated-vm's own
 * timeout (the same deadline) ends, so it gets the whole {@link CONSOLE_WAIT_MS}: on a machine whose cores are all
 * busy, ending the loop and reading the console back can take most of it.
 */
const SPINNING_GRACE_MS = 250;

/** What the requests on an isolate get when it is disposed because another call on it spun past its deadline. */
export const STOPPED_BEHIND_LOOP: SandboxFailure = Object.freeze(
  failure(
    'timeout',
    'The action did not finish in time: another request of the same client was stuck in a loop on its isolate',
  ),
);

/** The call that reached its deadline, as `#call` in version-isolate.ts knew it. */
export interface StoppedCall {
  instance: Instance;
  /** The call's number (drain(q) finds its console by it). */
  q: number;
  /** isolated-vm's promise of the call, when it was started. */
  started: Promise<unknown> | undefined;
  startedAt: number;
  cpuBefore: bigint;
  /** `hostIo.generation` when the call started: unchanged means it started no host I/O. */
  ioBefore: number;
  /** Told a version whose call did not give its thread back. */
  onStuck: ((versionId: string) => void) | undefined;
  versionId: string;
  /** Disposes the isolate now (IsolateSet.stop). */
  stop(instance: Instance, reason: SandboxFailure): void;
}

/**
 * The failure of a call stopped at its deadline (its isolate already retired by the caller), with its console when
 * it can be read in time; an isolate still spinning is stopped.
 */
export async function stoppedAtDeadline(call: StoppedCall): Promise<SandboxFailure> {
  const { instance, started } = call;
  if (started !== undefined && call.onStuck !== undefined) watchStuck(started, call.onStuck, call.versionId);
  const spins = spinning(instance, call.cpuBefore, call.startedAt);
  const timedOut = failure('timeout', 'The action did not finish in time');
  // Waiting on the call (not on the console read) keeps the grace independent of how long the read then takes
  // to get a core: on a loaded machine both may take a while, and the console was lost before.
  const waitedAt = performance.now();
  const grace = instance.hostIo.generation === call.ioBefore ? CONSOLE_WAIT_MS : SPINNING_GRACE_MS;
  const freed = !spins || (started !== undefined && (await within(started.then(yes, yes), grace, false)));
  const left = CONSOLE_WAIT_MS - (spins ? performance.now() - waitedAt : 0);
  const failed = freed && left > 0 ? await withConsole(instance, call.q, timedOut, left) : timedOut;
  if (spins) call.stop(instance, STOPPED_BEHIND_LOOP);
  return failed;
}

/**
 * A call stopped at its deadline: its isolate is disposed once idle, which settles isolated-vm's promise within
 * milliseconds (`Promise was abandoned`, or the timeout) — unless the isolate's thread is inside a built-in that
 * never checks for termination. Not settled after {@link STUCK_AFTER_MS}: the thread is lost, say so.
 */
function watchStuck(started: Promise<unknown>, onStuck: (versionId: string) => void, versionId: string): void {
  let settled = false;
  const done = () => (settled = true);
  started.then(done, done);
  setTimeout(() => settled || onStuck(versionId), STUCK_AFTER_MS).unref();
}

/**
 * A stopped call's failure with its console until then, read with `drain(q)`, so that the execution record shows
 * what a looping or hanging action printed. The isolate is idle after isolated-vm's timeout or a promise that never
 * settled; one still busy (a loop in a timer callback) gets {@link CONSOLE_WAIT_MS} before the failure goes without.
 */
export async function withConsole(
  instance: Instance,
  q: number,
  failed: SandboxFailure,
  waitMs = CONSOLE_WAIT_MS,
): Promise<SandboxFailure> {
  if (instance.isolate.isDisposed) return failed;
  const read = instance.drainer.apply(undefined, [q], { timeout: DRAIN_TIMEOUT_MS }).then(
    (json: unknown) => (typeof json === 'string' ? json : undefined),
    () => undefined,
  );
  const json = await within(read, waitMs, undefined);
  return json === undefined ? failed : { ...failed, console: json };
}

const yes = () => true;

/** What `promise` settles to within `ms`, else `fallback` (the promise goes on unobserved). */
export async function within<T, F>(promise: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<F>((resolve) => {
    timer = setTimeout(resolve, ms, fallback);
  });
  try {
    return await Promise.race([promise, expiry]);
  } finally {
    clearTimeout(timer);
  }
}
