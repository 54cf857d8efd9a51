/**
 * Whether an isolate is quiet: no call running and no host I/O out that could resume code in it. Asked after calls
 * (docs/trigger-runtime.md, "Synchronous fast path" and "Fairness"), on the isolate's own thread, so behind any
 * continuation still queued there.
 */
import { spinning } from './client-holds.js';
import type { Instance, SandboxFailure } from './isolate-factory.js';
import { STOPPED_BEHIND_LOOP } from './stopped-call.js';

/** isolated-vm timeout of the `quiet()` probe, in ms: it only reads a counter. */
const PROBE_TIMEOUT_MS = 100;
/** How often an isolate whose last call left host I/O out is probed again until it is quiet, in ms. */
const PROBE_AGAIN_MS = 100;
/**
 * How long a probe of an isolate no call uses may wait behind code that runs on it, in ms, before that code (which no
 * request owns) is taken for a loop — if the isolate spent most of that time on CPU — and the isolate disposed.
 */
const ORPHAN_WAIT_MS = 1_000;

/**
 * Clears `hostIo.started` and `ioLeftOut` when the isolate is quiet: no call running and, asked on its own thread,
 * no host I/O out, none started while the probe ran. An isolate whose last call left I/O out is probed again until it
 * is quiet; if the probe cannot run because code no request owns spins on the isolate, `stop` disposes it.
 * `syncCapable`: whether the version may run synchronously (only then does `hostIo.started` need clearing).
 */
export function probeQuiet(
  instance: Instance,
  syncCapable: boolean,
  stop: (instance: Instance, reason: SandboxFailure) => void,
): void {
  const unsettled = instance.ioLeftOut || (syncCapable && instance.hostIo.started);
  if (!unsettled || instance.asyncLive > 0 || instance.retired || instance.isolate.isDisposed) return;
  const generation = instance.hostIo.generation;
  const startedAt = performance.now();
  const cpuBefore = instance.isolate.cpuTime;
  let answered = false;
  instance.asyncLive++;
  instance.quieter.apply(undefined, [], { timeout: PROBE_TIMEOUT_MS }).then(
    (quiet: unknown) => {
      answered = true;
      instance.asyncLive--;
      if (quiet === true && instance.asyncLive === 0 && instance.hostIo.generation === generation)
        instance.hostIo.started = false;
      if (quiet === true) instance.ioLeftOut = false;
      else if (instance.ioLeftOut && instance.live === 0)
        setTimeout(() => probeQuiet(instance, syncCapable, stop), PROBE_AGAIN_MS).unref();
    },
    () => {
      answered = true;
      instance.asyncLive--;
    },
  );
  if (!instance.ioLeftOut) return;
  setTimeout(() => {
    if (!answered && instance.live === 0 && spinning(instance, cpuBefore, startedAt))
      stop(instance, STOPPED_BEHIND_LOOP);
  }, ORPHAN_WAIT_MS).unref();
}

/** Whether a record says host I/O was still out when its call ended: finish() in sandbox/program/record.ts writes `{"io":N,…`. */
const ioOutAfter = (record: string) => !record.startsWith('{"io":0,');

/**
 * A call on `instance` ended with `record`. A call that left host I/O out (an unawaited fetch) makes the isolate
 * asynchronous at once: the host may not have seen that I/O start yet, and its continuation will run on the
 * isolate's thread; and until a probe finds it quiet, no other request is placed there (docs/trigger-runtime.md,
 * "Fairness").
 */
export function noteIoAfter(instance: Instance, record: string): void {
  instance.ioLeftOut = ioOutAfter(record);
  if (instance.ioLeftOut) {
    instance.hostIo.started = true;
    instance.hostIo.generation++;
  }
}
