/**
 * `BatchWriter`: records written after a response leave the request path and reach storage in batches — when
 * `batchSize` are waiting, every `flushMs`, and on close. A failed write keeps its records (ahead of newer ones)
 * for the next attempt; past `maxBuffered` the oldest are dropped and counted, so an unreachable database cannot
 * grow memory without bound. Unit level: the write function is a stub.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyBaseLogger } from 'fastify';
import { BatchWriter, PRESSURE_MAX_WAIT_MS, STUCK_WRITE_MS, type BatchWriterOptions } from '../../src/observability/batch-writer.js';

/** A logger that records `error` calls. */
function recordingLogger() {
  const errors: unknown[][] = [];
  const noop = () => {};
  const logger = { errors, error: (...args: unknown[]) => errors.push(args), warn: noop, info: noop, debug: noop, trace: noop, fatal: noop, silent: noop, level: 'error' };
  return logger as typeof logger & FastifyBaseLogger;
}

/** A writer over a stub that records every batch and fails while `failing` is set. */
function writer(options: Partial<BatchWriterOptions> = {}) {
  const batches: number[][] = [];
  const state = { failing: false, calls: 0, gate: undefined as Promise<void> | undefined };
  const log = recordingLogger();
  const w = new BatchWriter<number>(
    'test',
    async (batch) => {
      state.calls++;
      if (state.gate) await state.gate;
      if (state.failing) throw new Error('database unreachable');
      batches.push([...batch]);
    },
    { batchSize: 3, flushMs: 60_000, maxBuffered: 100, ...options },
    log,
  );
  return { w, batches, state, log };
}

describe('BatchWriter', () => {
  test('writes once batchSize records are waiting, not before', async () => {
    const { w, batches } = writer({ batchSize: 3 });
    w.push(1);
    w.push(2);
    await sleep(10);
    assert.deepEqual(batches, []);
    assert.deepEqual(w.stats, { buffered: 2, dropped: 0, written: 0 });
    w.push(3);
    await w.flush();
    assert.deepEqual(batches, [[1, 2, 3]]);
    assert.deepEqual(w.stats, { buffered: 0, dropped: 0, written: 3 });
    await w.close();
  });

  test('writes what is waiting every flushMs', async () => {
    const { w, batches } = writer({ batchSize: 100, flushMs: 20 });
    w.push(1);
    await sleep(120);
    assert.deepEqual(batches, [[1]]);
    await w.close();
  });

  test('flush waits for a write under way, then writes the newer records in batches of batchSize, in order', async () => {
    const { w, batches, state } = writer({ batchSize: 2 });
    let open!: () => void;
    state.gate = new Promise<void>((resolve) => (open = resolve));
    w.push(1);
    w.push(2); // starts a write that waits on the gate
    w.push(3);
    w.push(4);
    w.push(5);
    const flushed = w.flush();
    open();
    state.gate = undefined;
    await flushed;
    assert.deepEqual(batches, [[1, 2], [3, 4], [5]]);
    assert.deepEqual(w.stats, { buffered: 0, dropped: 0, written: 5 });
    await w.close();
  });

  test('a failed write keeps its records ahead of newer ones and logs the failure; the next flush writes them', async () => {
    const { w, batches, state, log } = writer({ batchSize: 10 });
    state.failing = true;
    w.push(1);
    w.push(2);
    await w.flush();
    assert.deepEqual(batches, []);
    assert.deepEqual(w.stats, { buffered: 2, dropped: 0, written: 0 });
    assert.equal(log.errors.length, 1);
    assert.equal(log.errors[0]![1], 'batch write failed; will retry');

    state.failing = false;
    w.push(3);
    await w.flush();
    assert.deepEqual(batches, [[1, 2, 3]]);
    assert.deepEqual(w.stats, { buffered: 0, dropped: 0, written: 3 });
    await w.close();
  });

  test('past maxBuffered the oldest records are dropped and counted', async () => {
    const { w, batches } = writer({ batchSize: 100, maxBuffered: 3 });
    for (let i = 1; i <= 5; i++) w.push(i);
    assert.deepEqual(w.stats, { buffered: 3, dropped: 2, written: 0 });
    await w.flush();
    assert.deepEqual(batches, [[3, 4, 5]]);
    await w.close();
  });

  test('while writes fail the buffer stays bounded: oldest dropped and counted, the rest written once storage is back', async () => {
    const { w, batches, state } = writer({ batchSize: 2, maxBuffered: 3 });
    state.failing = true;
    for (let i = 1; i <= 6; i++) {
      w.push(i);
      await w.flush();
    }
    assert.deepEqual(w.stats, { buffered: 3, dropped: 3, written: 0 });
    state.failing = false;
    await w.flush();
    assert.deepEqual(batches, [[4, 5], [6]]);
    assert.deepEqual(w.stats, { buffered: 0, dropped: 3, written: 3 });
    await w.close();
  });

  test('close writes what is left and stops the timer', async () => {
    const { w, batches, state } = writer({ batchSize: 100, flushMs: 20 });
    w.push(1);
    await w.close();
    assert.deepEqual(batches, [[1]]);
    const calls = state.calls;
    w.push(2);
    await sleep(80);
    assert.equal(state.calls, calls, 'no timer-driven write after close');
  });

  test('close retries once and reports what could not be written', async () => {
    const { w, state, log } = writer({ batchSize: 100 });
    state.failing = true;
    w.push(1);
    w.push(2);
    await w.close();
    assert.equal(state.calls, 2, 'the close flush and one retry');
    const last = log.errors.at(-1)!;
    assert.deepEqual(last, [{ writer: 'test', lost: 2 }, 'records not written at shutdown']);
  });

  describe('backpressure', () => {
    /** A gate the stub's writes wait on until it is opened. */
    function gate() {
      let open!: () => void;
      const promise = new Promise<void>((resolve) => (open = resolve));
      return { promise, open };
    }
    const settledWithin = async (promise: Promise<void>, ms: number) =>
      Promise.race([promise.then(() => true), sleep(ms).then(() => false)]);

    test('none below highWater, nor above it while no write is under way', async () => {
      const { w } = writer({ batchSize: 100, highWater: 5 });
      for (let i = 0; i < 4; i++) w.push(i);
      assert.equal(w.pressure(), undefined, 'below highWater');
      for (let i = 4; i < 10; i++) w.push(i);
      assert.equal(w.pressure(), undefined, 'above highWater, but nothing is being written: nothing to wait for');
      await w.close();
    });

    test('past highWater with a write under way, callers wait until the next batch is written', async () => {
      const { w, state, batches } = writer({ batchSize: 2, highWater: 4 });
      const slow = gate();
      state.gate = slow.promise;
      for (let i = 0; i < 6; i++) w.push(i); // the first two start a write that waits on the gate
      const wait = w.pressure();
      assert.ok(wait, 'six unwritten records, a write under way: pressure');
      assert.equal(w.pressure(), wait, 'every caller waits on the same write');
      assert.equal(await settledWithin(wait, 10), false, 'still waiting while the write is held');
      state.gate = undefined;
      slow.open();
      assert.equal(await settledWithin(wait, PRESSURE_MAX_WAIT_MS - 20), true, 'released by the write, not by the time limit');
      await w.close();
      assert.deepEqual(batches.flat(), [0, 1, 2, 3, 4, 5], 'nothing lost, in order');
    });

    test('highWater stays at most half of maxBuffered: callers wait before anything is dropped', async () => {
      const { w, state } = writer({ batchSize: 2, maxBuffered: 10 }); // default highWater would be 40
      const slow = gate();
      state.gate = slow.promise;
      for (let i = 0; i < 4; i++) w.push(i);
      assert.equal(w.pressure(), undefined, '4 unwritten: below half of maxBuffered');
      w.push(4);
      assert.ok(w.pressure(), '5 unwritten, half of maxBuffered: wait');
      assert.equal(w.stats.dropped, 0);
      state.gate = undefined;
      slow.open();
      await w.close();
    });

    test('a wait ends after PRESSURE_MAX_WAIT_MS even if the write does not', async () => {
      const { w, state } = writer({ batchSize: 2, highWater: 4 });
      const slow = gate();
      state.gate = slow.promise;
      for (let i = 0; i < 6; i++) w.push(i);
      const started = performance.now();
      await w.pressure();
      const waited = performance.now() - started;
      assert.ok(waited >= PRESSURE_MAX_WAIT_MS - 5 && waited < PRESSURE_MAX_WAIT_MS + 200, `waited ${waited.toFixed(1)} ms`);
      state.gate = undefined;
      slow.open();
      await w.close();
    });

    test('no pressure while writes fail: tokens never wait for a database outage', async () => {
      const { w, state } = writer({ batchSize: 2, highWater: 4, maxBuffered: 1000 });
      state.failing = true;
      for (let i = 0; i < 2; i++) w.push(i);
      await w.flush(); // fails: the writer is now failing
      const slow = gate();
      state.gate = slow.promise;
      for (let i = 2; i < 8; i++) w.push(i); // a retry under way, still failing as far as anyone knows
      assert.ok(w.stats.buffered + 2 >= 4);
      assert.equal(w.pressure(), undefined);
      state.failing = false;
      state.gate = undefined;
      slow.open();
      await w.close();
    });

    test(`no pressure once a write has run for ${STUCK_WRITE_MS} ms: a stuck database is not waited on`, async () => {
      const { w, state } = writer({ batchSize: 2, highWater: 4 });
      const stuck = gate();
      state.gate = stuck.promise;
      for (let i = 0; i < 6; i++) w.push(i);
      assert.ok(w.pressure(), 'a fresh write is waited on');
      await sleep(STUCK_WRITE_MS + 50);
      assert.equal(w.pressure(), undefined);
      state.gate = undefined;
      stuck.open();
      await w.close();
    });
  });
});
