/**
 * One batch of requests on one isolate, synchronously (docs/trigger-runtime.md, "Batches"): how many requests a
 * batch takes, and the `runAll` + `collect` calls that run them within one slice and read back their records.
 * Which request then settles, waits or runs again alone is version-isolate.ts's.
 */
import { messageOf, SYNC_TIMEOUT_MESSAGE, type Instance, type SandboxFailure } from './isolate-factory.js';

/** isolated-vm timeout of `collect()` after a batch outran its slice, on the main thread, in ms: our own short code. */
export const DRAIN_WAIT_MS = 50;
/** The size of a version's first batch, before its CPU time per request is known. */
const FIRST_BATCH = 16;
/** The most requests one batch takes. */
const MAX_BATCH = 256;
/** The share of the synchronous slice a batch is sized to fill, by the version's CPU time per request. */
const BATCH_SLICE_SHARE = 0.25;

/** One request to run: its payload, its `performance.now()` deadline and its client (whose isolates it may use). */
export interface Request {
  payload: string;
  deadline: number;
  client: string;
}

/** A request waiting for its batch. */
export interface Queued extends Request {
  resolve: (outcome: { kind: 'record'; record: string } | SandboxFailure) => void;
}

/** How many requests the next batch takes, given the version's CPU time per request so far (0: not known yet). */
export function batchLimit(requestMs: number, syncSliceMs: number): number {
  const size = requestMs > 0 ? Math.floor((syncSliceMs * BATCH_SLICE_SHARE) / requestMs) : FIRST_BATCH;
  return Math.min(MAX_BATCH, Math.max(1, size));
}

/** What one batch made: a line per request (a record, `P` for one left waiting, else not started), in order. */
export type BatchRun =
  | { failed: false; lines: string[]; overran: boolean; cpuMs: number }
  /** The isolate failed otherwise than by outrunning the slice (it died, say): every request runs again alone. */
  | { failed: true; error: unknown };

/**
 * Runs `payloads` (a JSON array of request payloads) with `runAll` within `slice` ms, then reads their lines with
 * `collect`. `overran`: the slice ran out, the lines made before it still count.
 */
export function runBatch(instance: Instance, payloads: string, slice: number): BatchRun {
  const cpuBefore = instance.isolate.isDisposed ? 0n : instance.isolate.cpuTime;
  let overran = false;
  try {
    instance.batchRunner.applySync(undefined, [payloads], { timeout: slice });
  } catch (error) {
    if (messageOf(error) !== SYNC_TIMEOUT_MESSAGE || instance.isolate.isDisposed) return { failed: true, error };
    overran = true;
  }
  let lines: string[] = [];
  try {
    // Our own code, after isolated-vm has run the microtasks: no timer needed, unless a stopped batch left any.
    const collected = instance.collector.applySync(undefined, [], overran ? { timeout: DRAIN_WAIT_MS } : {});
    if (typeof collected === 'string') lines = collected.split('\n');
  } catch {
    // Nothing collected: every request runs again alone.
  }
  const cpuMs = instance.isolate.isDisposed ? 0 : Number(instance.isolate.cpuTime - cpuBefore) / 1e6;
  return { failed: false, lines, overran, cpuMs };
}
