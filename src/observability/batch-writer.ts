/**
 * Buffers records written after a response (token logs, execution records) and writes them in batches, off the
 * request path: when `batchSize` are waiting, every `flushMs`, and on close. A failed write keeps its records for
 * the next attempt; past `maxBuffered` the oldest are dropped and counted, so an unreachable database cannot grow
 * memory without bound.
 */
import type { FastifyBaseLogger } from 'fastify';

export interface BatchWriterOptions {
  batchSize: number;
  flushMs: number;
  maxBuffered: number;
}

export class BatchWriter<T> {
  #buffer: T[] = [];
  #flushing: Promise<void> | undefined;
  #timer: NodeJS.Timeout;
  #dropped = 0;
  #written = 0;

  constructor(
    readonly name: string,
    readonly write: (batch: T[]) => Promise<void>,
    readonly options: BatchWriterOptions,
    readonly log: FastifyBaseLogger,
  ) {
    this.#timer = setInterval(() => void this.flush(), options.flushMs);
    this.#timer.unref();
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
    this.#flushing = (async () => {
      try {
        for (let i = 0; i < batch.length; i += this.options.batchSize) {
          const part = batch.slice(i, i + this.options.batchSize);
          try {
            await this.write(part);
            this.#written += part.length;
          } catch (error) {
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
        this.#flushing = undefined;
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
