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
import {
  BatchWriter,
  FAILURE_REPORT_MS,
  PRESSURE_MAX_WAIT_MS,
  STUCK_WRITE_MS,
  type BatchWriterOptions,
} from '../../src/observability/batch-writer.js';

/** A logger that records `error` and `info` calls. */
function recordingLogger() {
  const errors: unknown[][] = [];
  const infos: unknown[][] = [];
  const noop = () => {};
  const logger = {
    errors,
    infos,
    error: (...args: unknown[]) => errors.push(args),
    info: (...args: unknown[]) => infos.push(args),
    warn: noop,
    debug: noop,
    trace: noop,
    fatal: noop,
    silent: noop,
    level: 'error',
  };
  return logger as typeof logger & FastifyBaseLogger;
}

/** What PostgreSQL answers a jsonb value with `\u0000` in it. */
const dataError = () => Object.assign(new Error('unsupported Unicode escape sequence'), { code: '22P05' });

/**
 * A writer over a stub that records every batch; fails while `failing` is set, and refuses (as PostgreSQL refuses
 * data, SQLSTATE 22P05) any batch holding a negative number.
 */
function writer(options: Partial<BatchWriterOptions<number>> = {}) {
  const batches: number[][] = [];
  const state = { failing: false, calls: 0, gate: undefined as Promise<void> | undefined, failFromCall: Infinity };
  const log = recordingLogger();
  const w = new BatchWriter<number>(
    'test',
    async (batch) => {
      state.calls++;
      if (state.gate) await state.gate;
      if (state.calls >= state.failFromCall) state.failing = true;
      if (state.failing)
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
      if (batch.some((n) => n < 0)) throw dataError();
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
    assert.deepEqual(w.stats, { buffered: 2, dropped: 0, written: 0, rejected: 0 });
    w.push(3);
    await w.flush();
    assert.deepEqual(batches, [[1, 2, 3]]);
    assert.deepEqual(w.stats, { buffered: 0, dropped: 0, written: 3, rejected: 0 });
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
    assert.deepEqual(w.stats, { buffered: 0, dropped: 0, written: 5, rejected: 0 });
    await w.close();
  });

  test('a failed write keeps its records ahead of newer ones and logs the failure; the next flush writes them', async () => {
    const { w, batches, state, log } = writer({ batchSize: 10 });
    state.failing = true;
    w.push(1);
    w.push(2);
    await w.flush();
    assert.deepEqual(batches, []);
    assert.deepEqual(w.stats, { buffered: 2, dropped: 0, written: 0, rejected: 0 });
    assert.equal(log.errors.length, 1);
    assert.equal(log.errors[0]![1], 'batch write failed; will retry');

    state.failing = false;
    w.push(3);
    await w.flush();
    assert.deepEqual(batches, [[1, 2, 3]]);
    assert.deepEqual(w.stats, { buffered: 0, dropped: 0, written: 3, rejected: 0 });
    await w.close();
  });

  test('past maxBuffered the oldest records are dropped and counted', async () => {
    const { w, batches } = writer({ batchSize: 100, maxBuffered: 3 });
    for (let i = 1; i <= 5; i++) w.push(i);
    assert.deepEqual(w.stats, { buffered: 3, dropped: 2, written: 0, rejected: 0 });
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
    assert.deepEqual(w.stats, { buffered: 3, dropped: 3, written: 0, rejected: 0 });
    state.failing = false;
    await w.flush();
    assert.deepEqual(batches, [[4, 5], [6]]);
    assert.deepEqual(w.stats, { buffered: 0, dropped: 3, written: 3, rejected: 0 });
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

  describe('records the database refuses for their data (issue 11: one hostile record silenced the log)', () => {
    const refusing = (options: Partial<BatchWriterOptions<number>> = {}) =>
      writer({ batchSize: 8, isDataError: (error) => (error as { code?: string }).code === '22P05', ...options });

    test('a refused batch is halved until the refused record is alone; it is stood in for, counted, reported once; the rest written in order', async () => {
      const { w, batches, state, log } = refusing({ standIn: (n) => 1000 - n });
      for (const n of [1, 2, 3, -4, 5, 6, 7, 8, 9, 10]) w.push(n);
      await w.flush();
      assert.deepEqual(
        batches.flat(),
        [1, 2, 3, 1004, 5, 6, 7, 8, 9, 10],
        "the stand-in takes the refused record's place",
      );
      assert.deepEqual(w.stats, { buffered: 0, dropped: 0, written: 10, rejected: 1 });
      // [1..8] refused; [1..4] refused; [1,2] written; [3,-4] refused; [3] written; [-4] refused; its stand-in;
      // [5..8]; then the second part, [9,10].
      assert.equal(state.calls, 9);
      assert.equal(log.errors.length, 1);
      assert.deepEqual(log.errors[0], [
        {
          writer: 'test',
          outcome: 'replaced by a stand-in',
          refused: 1,
          rejected_total: 1,
          error: { message: 'unsupported Unicode escape sequence', code: '22P05' },
        },
        'record refused by the database',
      ]);
      // The writer is not failing: the next record is written at once.
      w.push(11);
      await w.flush();
      assert.deepEqual(batches.at(-1), [11]);
      await w.close();
    });

    test('without a stand-in the refused records are dropped and counted; a refused stand-in is dropped, counted once', async () => {
      const dropping = refusing();
      for (const n of [-1, 2, -3, 4]) dropping.w.push(n);
      await dropping.w.flush();
      assert.deepEqual(dropping.batches.flat(), [2, 4]);
      assert.deepEqual(dropping.w.stats, { buffered: 0, dropped: 0, written: 2, rejected: 2 });
      assert.equal(
        dropping.log.errors.length,
        1,
        'one line: the second refusal within FAILURE_REPORT_MS is counted, not logged',
      );
      await dropping.w.close();

      const stubborn = refusing({ standIn: (n) => n - 1 }); // the stand-in is refused too
      for (const n of [1, -2, 3]) stubborn.w.push(n);
      await stubborn.w.flush();
      assert.deepEqual(stubborn.batches.flat(), [1, 3]);
      assert.deepEqual(stubborn.w.stats, { buffered: 0, dropped: 0, written: 2, rejected: 1 });
      await stubborn.w.close();
    });

    test('a connection failure while a batch is being split keeps every unwritten record, in order, for the next attempt', async () => {
      const { w, batches, state } = refusing({ batchSize: 4, standIn: (n) => 1000 - n });
      for (const n of [1, -2, 3, 4, 5]) w.push(n);
      // The first write ([1,-2,3,4]) is refused; the database goes away before the first half is written.
      state.failFromCall = 2;
      await w.flush();
      assert.deepEqual(batches, []);
      assert.deepEqual(w.stats, { buffered: 5, dropped: 0, written: 0, rejected: 0 });
      state.failing = false;
      state.failFromCall = Infinity;
      await w.flush();
      assert.deepEqual(batches.flat(), [1, 1002, 3, 4, 5]);
      assert.deepEqual(w.stats, { buffered: 0, dropped: 0, written: 5, rejected: 1 });
      await w.close();
    });

    test("an error that is not the data's is never split: the whole batch is kept (without isDataError, every error is such)", async () => {
      const { w, batches, state } = writer({ batchSize: 8 });
      for (const n of [1, -2, 3]) w.push(n);
      await w.flush();
      assert.equal(state.calls, 1);
      assert.deepEqual(w.stats, { buffered: 3, dropped: 0, written: 0, rejected: 0 });
      assert.deepEqual(batches, []);
      await w.close().catch(() => undefined);
    });
  });

  describe('an outage does not flood the log (issue 11: 1,019 stack traces in a 15 s outage)', () => {
    test('while writes fail, new records start no writes: only the timer retries, once per flushMs', async () => {
      const { w, state } = writer({ batchSize: 1, flushMs: 25, maxBuffered: 1000 });
      state.failing = true;
      w.push(0); // starts a write, which fails
      await w.flush();
      const calls = state.calls;
      for (let i = 1; i <= 500; i++) w.push(i); // each a full batch: today every one would start a write
      assert.equal(state.calls, calls, '500 records, no write started by them');
      await sleep(200);
      assert.ok(
        state.calls - calls >= 1 && state.calls - calls <= 9,
        `${state.calls - calls} timer retries in 200 ms at flushMs 25`,
      );
      state.failing = false;
      await sleep(100);
      assert.deepEqual(w.stats, { buffered: 0, dropped: 0, written: 501, rejected: 0 });
      await w.close();
    });

    test(`an outage is one error line without a stack, then at most one per ${FAILURE_REPORT_MS} ms, and one line when writes succeed again`, async () => {
      const { w, state, log } = writer({ batchSize: 1, flushMs: 5 });
      state.failing = true;
      for (let i = 0; i < 50; i++) {
        w.push(i);
        await w.flush();
      }
      assert.ok(state.calls >= 50);
      assert.equal(log.errors.length, 1);
      const [fields, message] = log.errors[0] as [Record<string, unknown>, string];
      assert.equal(message, 'batch write failed; will retry');
      assert.deepEqual(fields, {
        writer: 'test',
        pending: 1,
        dropped: 0,
        attempts: 1,
        error: { message: 'connect ECONNREFUSED 127.0.0.1:5432', code: 'ECONNREFUSED' },
      });
      assert.equal(JSON.stringify(log.errors).includes('at '), false, 'no stack trace');
      const failedCalls = state.calls;
      state.failing = false;
      await w.flush();
      assert.equal(log.infos.length, 1);
      const [recovered, recoveredMessage] = log.infos[0] as [Record<string, unknown>, string];
      assert.equal(recoveredMessage, 'batch writes succeed again');
      assert.equal(recovered.failed_attempts, failedCalls);
      assert.equal(w.stats.written, 50);
      await w.close();
    });
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
      assert.equal(
        await settledWithin(wait, PRESSURE_MAX_WAIT_MS - 20),
        true,
        'released by the write, not by the time limit',
      );
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
      assert.ok(
        waited >= PRESSURE_MAX_WAIT_MS - 5 && waited < PRESSURE_MAX_WAIT_MS + 200,
        `waited ${waited.toFixed(1)} ms`,
      );
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
      for (let i = 2; i < 8; i++) w.push(i);
      assert.equal(w.stats.buffered, 8, 'while failing, records start no write');
      void w.flush(); // a retry of all 8 under way, still failing as far as anyone knows
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
