/**
 * Buffers records written after a response (token logs, execution records) and writes them in batches, off the
 * request path: when `batchSize` are waiting, every `flushMs`, and on close. A write that fails because the database
 * is away keeps its records for the next attempt (made by the timer only, not by every new record); past
 * `maxBuffered` the oldest are dropped and counted, so an unreachable database cannot grow memory without bound. The
 * first failure is one log line, then at most one every {@link FAILURE_REPORT_MS}, and one more when writes succeed
 * again: an outage does not flood the log.
 *
 * A write the database refuses for its data ({@link BatchWriterOptions.isDataError}) would fail again however often
 * it is retried, and one hostile record would hold back every record behind it. Such a batch is split in halves until
 * the refused record is alone; that one is replaced by its {@link BatchWriterOptions.standIn} (or dropped), counted in
 * `stats.rejected` and reported in one log line, and everything else is written.
 *
 * Backpressure: a database that answers but more slowly than records arrive (embedded PGlite runs on a
 * low-priority thread, see pglite-worker.ts) would otherwise fall behind until records are dropped. Once
 * `highWater` records are unwritten and writes are succeeding, {@link pressure} hands the request path a promise
 * that settles when the next batch is written (or after {@link PRESSURE_MAX_WAIT_MS}): requests wait a little,
 * the database gets the CPU, nothing is lost. A failing or stuck database exerts no pressure: tokens never wait
 * for an outage.
 */
import type { FastifyBaseLogger } from 'fastify';
import { errorSummary } from './error-summary.js';

export interface BatchWriterOptions<T = unknown> {
  batchSize: number;
  flushMs: number;
  maxBuffered: number;
  /**
   * Unwritten records from which {@link BatchWriter.pressure} asks callers to wait. Default `20 × batchSize`, and
   * never more than half of `maxBuffered` (callers must wait before anything is dropped).
   */
  highWater?: number;
  /** Whether a failed write was refused for the records it carried (split and isolate) rather than failed (retry). */
  isDataError?: (error: unknown) => boolean;
  /** What to write instead of a record refused on its own (written once; if refused again, dropped); none: drop it. */
  standIn?: (record: T, error: unknown) => T | undefined;
}

/** What the token path hands its records to: the batch writer, or a token worker's relay to it (cluster/log-relay.ts). */
export interface RecordSink<T> {
  push(record: T): void;
  /** A promise to wait on before adding more records while the writer is behind; `undefined` otherwise. */
  pressure(): Promise<void> | undefined;
}

/** What reads the stored records waits on first: every record pushed so far written. */
export interface Flushable {
  flush(): Promise<void>;
}

/** The longest one {@link BatchWriter.pressure} wait lasts, in ms. */
export const PRESSURE_MAX_WAIT_MS = 50;
/** A batch write running longer than this (ms) counts as stuck: no more pressure until it ends. */
export const STUCK_WRITE_MS = 1000;
/** While writes keep failing, or records keep being refused, one log line at most this often (ms). */
export const FAILURE_REPORT_MS = 60_000;

/**
 * The wait {@link RecordSink.pressure} hands out: one promise for every caller until it is released (the writer caught
 * up) or {@link PRESSURE_MAX_WAIT_MS} passed, then a new one.
 */
export class PressureWait {
  #current: { promise: Promise<void>; release(): void } | undefined;

  get(): Promise<void> {
    if (this.#current === undefined) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      const current = {
        promise,
        release: () => {
          clearTimeout(timer);
          if (this.#current === current) this.#current = undefined;
          resolve();
        },
      };
      const timer = setTimeout(current.release, PRESSURE_MAX_WAIT_MS);
      this.#current = current;
    }
    return this.#current.promise;
  }

  release(): void {
    this.#current?.release();
  }
}

export class BatchWriter<T> implements RecordSink<T>, Flushable {
  #buffer: T[] = [];
  #flushing: Promise<void> | undefined;
  #timer: NodeJS.Timeout;
  #dropped = 0;
  #written = 0;
  #rejected = 0;
  /** Records taken for the write under way and not yet written. */
  #inFlight = 0;
  /** `performance.now()` when the batch being written was sent. */
  #writeStarted = 0;
  /** Whether the last write failed (no pressure, and no write but the timer's, until one succeeds). */
  #failing = false;
  /** The outage under way: when it began (ms since epoch), failed attempts, and when it was last reported. */
  #outage: { since: number; attempts: number; reportedAt: number } | undefined;
  /** When a refused record was last reported (ms since epoch), and how many were refused since. */
  #refusals = { reportedAt: -Infinity, unreported: 0 };
  /** Settles when the next batch write ends: what {@link pressure} hands out. */
  readonly #nextWrite = new PressureWait();
  readonly #highWater: number;

  constructor(
    readonly name: string,
    readonly write: (batch: T[]) => Promise<void>,
    readonly options: BatchWriterOptions<T>,
    readonly log: FastifyBaseLogger,
  ) {
    this.#timer = setInterval(() => void this.flush(), options.flushMs);
    this.#timer.unref();
    this.#highWater = Math.min(
      options.highWater ?? options.batchSize * 20,
      Math.max(1, Math.floor(options.maxBuffered / 2)),
    );
  }

  /**
   * While the database is behind but writing: a promise to wait on before doing more work that adds records;
   * `undefined` otherwise (the usual case, and whenever the database is failing or stuck).
   */
  pressure(): Promise<void> | undefined {
    if (this.#buffer.length + this.#inFlight < this.#highWater || this.#failing || this.#inFlight === 0)
      return undefined;
    if (performance.now() - this.#writeStarted > STUCK_WRITE_MS) return undefined;
    return this.#nextWrite.get();
  }

  /**
   * Since start: records dropped because the buffer was full, records written (stand-ins included), and records the
   * database refused for their data (each replaced by its stand-in or dropped).
   */
  get stats() {
    return { buffered: this.#buffer.length, dropped: this.#dropped, written: this.#written, rejected: this.#rejected };
  }

  push(record: T): void {
    this.#buffer.push(record);
    if (this.#buffer.length > this.options.maxBuffered) {
      this.#buffer.shift();
      this.#dropped++;
    }
    // While the database is away only the timer retries: one attempt per flushMs, not one per record.
    if (this.#buffer.length >= this.options.batchSize && !this.#flushing && !this.#failing) void this.flush();
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
        await this.#writeAll(batch);
      } finally {
        this.#inFlight = 0;
        this.#flushing = undefined;
        this.#nextWrite.release();
      }
    })();
    await this.#flushing;
  }

  /** Writes `batch` in parts of `batchSize`, in order; stops at the first failure that is not the data's. */
  async #writeAll(batch: T[]): Promise<void> {
    const parts: T[][] = [];
    for (let i = 0; i < batch.length; i += this.options.batchSize)
      parts.push(batch.slice(i, i + this.options.batchSize));
    /** Stand-ins written in this flush: one refused in turn is dropped, not stood in for again. */
    const standIns = new Set<T>();
    for (let part = parts.shift(); part !== undefined; part = parts.shift()) {
      this.#writeStarted = performance.now();
      try {
        await this.write(part);
      } catch (error) {
        if (this.options.isDataError?.(error)) {
          if (part.length > 1) {
            const half = Math.ceil(part.length / 2);
            parts.unshift(part.slice(0, half), part.slice(half));
          } else {
            const record = part[0]!;
            this.#inFlight--;
            if (standIns.has(record)) {
              // Counted already, as the record it stands in for.
              this.#refused(error, 'its stand-in was refused too; dropped');
            } else {
              this.#rejected++;
              const standIn = this.options.standIn?.(record, error);
              this.#refused(error, standIn === undefined ? 'dropped' : 'replaced by a stand-in');
              if (standIn !== undefined) {
                standIns.add(standIn);
                this.#inFlight++;
                parts.unshift([standIn]);
              }
            }
          }
          continue;
        }
        // Put back what was not written, ahead of newer records, for the timer's next attempt.
        this.#failed(error, parts.length === 0 ? part : part.concat(...parts));
        return;
      }
      this.#written += part.length;
      this.#inFlight -= part.length;
      this.#succeeded();
      this.#nextWrite.release();
    }
  }

  /** A write failed for the database's state: keep `unwritten` ahead of newer records, report (throttled). */
  #failed(error: unknown, unwritten: T[]): void {
    this.#failing = true;
    this.#buffer = unwritten.concat(this.#buffer);
    const over = this.#buffer.length - this.options.maxBuffered;
    if (over > 0) {
      this.#buffer.splice(0, over);
      this.#dropped += over;
    }
    const now = Date.now();
    const outage = (this.#outage ??= { since: now, attempts: 0, reportedAt: -Infinity });
    outage.attempts++;
    if (now - outage.reportedAt < FAILURE_REPORT_MS) return;
    outage.reportedAt = now;
    const fields = {
      writer: this.name,
      pending: this.#buffer.length,
      dropped: this.#dropped,
      attempts: outage.attempts,
      error: errorSummary(error),
    };
    this.log.error(fields, 'batch write failed; will retry');
  }

  #succeeded(): void {
    this.#failing = false;
    if (this.#outage === undefined) return;
    const { since, attempts } = this.#outage;
    this.#outage = undefined;
    this.log.info(
      { writer: this.name, failed_attempts: attempts, outage_ms: Date.now() - since, dropped: this.#dropped },
      'batch writes succeed again',
    );
  }

  /** One record was refused for its data: report it (throttled, with how many were since the last line). */
  #refused(error: unknown, outcome: string): void {
    this.#refusals.unreported++;
    const now = Date.now();
    if (now - this.#refusals.reportedAt < FAILURE_REPORT_MS) return;
    const fields = {
      writer: this.name,
      outcome,
      refused: this.#refusals.unreported,
      rejected_total: this.#rejected,
      error: errorSummary(error),
    };
    this.#refusals = { reportedAt: now, unreported: 0 };
    this.log.error(fields, 'record refused by the database');
  }

  /** Stops the timer and writes what is left (on SIGTERM). */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
    if (this.#buffer.length > 0) {
      // One more try, then report what is lost.
      await this.flush();
      if (this.#buffer.length > 0)
        this.log.error({ writer: this.name, lost: this.#buffer.length }, 'records not written at shutdown');
    }
  }
}
