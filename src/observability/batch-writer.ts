/**
 * Buffers records written after a response (token logs, execution records) and writes them in batches, off the
 * request path: when `batchSize` are waiting, every `flushMs`, and on close. A failed write keeps its records for
 * the next attempt; past `maxBuffered` the oldest are dropped and counted, so an unreachable database cannot grow
 * memory without bound.
 *
 * Backpressure: a database that answers but more slowly than records arrive (embedded PGlite runs on a
 * low-priority thread, see pglite-worker.ts) would otherwise fall behind until records are dropped. Once
 * `highWater` records are unwritten and writes are succeeding, {@link pressure} hands the request path a promise
 * that settles when the next batch is written (or after {@link PRESSURE_MAX_WAIT_MS}): requests wait a little,
 * the database gets the CPU, nothing is lost. A failing or stuck database exerts no pressure: tokens never wait
 * for an outage.
 */
import type { FastifyBaseLogger } from 'fastify';

export interface BatchWriterOptions {
  batchSize: number;
  flushMs: number;
  maxBuffered: number;
  /**
   * Unwritten records from which {@link BatchWriter.pressure} asks callers to wait. Default `20 × batchSize`, and
   * never more than half of `maxBuffered` (callers must wait before anything is dropped).
   */
  highWater?: number;
}

/** The longest one {@link BatchWriter.pressure} wait lasts, in ms. */
export const PRESSURE_MAX_WAIT_MS = 50;
/** A batch write running longer than this (ms) counts as stuck: no more pressure until it ends. */
export const STUCK_WRITE_MS = 1000;

export class BatchWriter<T> {
  #buffer: T[] = [];
  #flushing: Promise<void> | undefined;
  #timer: NodeJS.Timeout;
  #dropped = 0;
  #written = 0;
  /** Records taken for the write under way and not yet written. */
  #inFlight = 0;
  /** `performance.now()` when the batch being written was sent. */
  #writeStarted = 0;
  /** Whether the last write failed (no pressure until one succeeds). */
  #failing = false;
  /** Settles when the next batch write ends: what {@link pressure} hands out. */
  #nextWrite: { promise: Promise<void>; resolve: () => void } | undefined;
  readonly #highWater: number;

  constructor(
    readonly name: string,
    readonly write: (batch: T[]) => Promise<void>,
    readonly options: BatchWriterOptions,
    readonly log: FastifyBaseLogger,
  ) {
    this.#timer = setInterval(() => void this.flush(), options.flushMs);
    this.#timer.unref();
    this.#highWater = Math.min(options.highWater ?? options.batchSize * 20, Math.max(1, Math.floor(options.maxBuffered / 2)));
  }

  /**
   * While the database is behind but writing: a promise to wait on before doing more work that adds records;
   * `undefined` otherwise (the usual case, and whenever the database is failing or stuck).
   */
  pressure(): Promise<void> | undefined {
    if (this.#buffer.length + this.#inFlight < this.#highWater || this.#failing || this.#inFlight === 0) return undefined;
    if (performance.now() - this.#writeStarted > STUCK_WRITE_MS) return undefined;
    if (this.#nextWrite === undefined) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      const wait = {
        promise,
        resolve: () => {
          clearTimeout(timer);
          if (this.#nextWrite === wait) this.#nextWrite = undefined;
          resolve();
        },
      };
      const timer = setTimeout(wait.resolve, PRESSURE_MAX_WAIT_MS);
      this.#nextWrite = wait;
    }
    return this.#nextWrite.promise;
  }

  /** Records dropped because the buffer was full, and records written, since start. */
  get stats() {
    return { buffered: this.#buffer.length, dropped: this.#dropped, written: this.#written };
  }

  push(record: T): void {
    this.#buffer.push(record);
    if (this.#buffer.length > this.options.maxBuffered) {
      this.#buffer.shift();
      this.#dropped++;
    }
    if (this.#buffer.length >= this.options.batchSize && !this.#flushing) void this.flush();
  }

  /** Writes everything buffered now; resolves when the write (or the one under way) is done. */
  async flush(): Promise<void> {
    while (this.#flushing) await this.#flushing;
    if (this.#buffer.length === 0) return;
    const batch = this.#buffer;
    this.#buffer = [];
    this.#inFlight = batch.length;
    this.#flushing = (async () => {
      try {
        for (let i = 0; i < batch.length; i += this.options.batchSize) {
          const part = batch.slice(i, i + this.options.batchSize);
          this.#writeStarted = performance.now();
          try {
            await this.write(part);
            this.#written += part.length;
            this.#inFlight -= part.length;
            this.#failing = false;
            this.#nextWrite?.resolve();
          } catch (error) {
            this.#failing = true;
            // Put back what was not written, ahead of newer records, and try again on the next tick.
            const rest = batch.slice(i);
            this.#buffer = rest.concat(this.#buffer);
            const over = this.#buffer.length - this.options.maxBuffered;
            if (over > 0) {
              this.#buffer.splice(0, over);
              this.#dropped += over;
            }
            this.log.error({ err: error, writer: this.name, pending: this.#buffer.length }, 'batch write failed; will retry');
            return;
          }
        }
      } finally {
        this.#inFlight = 0;
        this.#flushing = undefined;
        this.#nextWrite?.resolve();
      }
    })();
    await this.#flushing;
  }

  /** Stops the timer and writes what is left (on SIGTERM). */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
    if (this.#buffer.length > 0) {
      // One more try, then report what is lost.
      await this.flush();
      if (this.#buffer.length > 0) this.log.error({ writer: this.name, lost: this.#buffer.length }, 'records not written at shutdown');
    }
  }
}
