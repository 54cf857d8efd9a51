/**
 * A token worker's log records, on their way to the one writer (the primary's BatchWriter, which owns the database).
 * The token path pushes a record as it does to the writer itself; the relay sends what gathered in one message when
 * {@link RELAY_BATCH} are waiting or {@link RELAY_DELAY_MS} after the first, so a record costs the worker a push, not
 * a message. The primary answers each batch once it is in its writer and the writer is not behind; while
 * {@link RELAY_MAX_UNANSWERED} batches wait for that answer, {@link LogRelay.pressure} asks the token path to wait, as
 * the writer's own pressure does in a single process: requests slow down a little, nothing is dropped.
 *
 * A worker that stops sends what it holds first (`flush`); one that crashes loses at most what gathered in the last
 * {@link RELAY_DELAY_MS}.
 */
import { PressureWait, type RecordSink } from '../observability/batch-writer.js';
import type { SerializedLogRecord } from '../store/logs.js';
import type { WorkerChannel } from './worker-channel.js';

export const RELAY_BATCH = 64;
export const RELAY_DELAY_MS = 10;
export const RELAY_MAX_UNANSWERED = 8;

export class LogRelay implements RecordSink<SerializedLogRecord> {
  #buffer: SerializedLogRecord[] = [];
  #timer: NodeJS.Timeout | undefined;
  #nextId = 0;
  readonly #unanswered = new Set<number>();
  readonly #waiting = new PressureWait();

  constructor(readonly channel: WorkerChannel) {
    channel.on('logs-taken', ({ id }) => {
      this.#unanswered.delete(id);
      if (this.#unanswered.size < RELAY_MAX_UNANSWERED) this.#waiting.release();
    });
  }

  push(record: SerializedLogRecord): void {
    this.#buffer.push(record);
    if (this.#buffer.length >= RELAY_BATCH) this.flush();
    else this.#timer ??= setTimeout(() => this.flush(), RELAY_DELAY_MS);
  }

  /** A wait while the primary is behind, never longer than the writer's own (batch-writer.ts, PRESSURE_MAX_WAIT_MS). */
  pressure(): Promise<void> | undefined {
    if (this.#unanswered.size < RELAY_MAX_UNANSWERED || this.channel.closed) return undefined;
    return this.#waiting.get();
  }

  /** Sends what is buffered now (IPC keeps the order: a `flushed` sent after it arrives after it). */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#buffer.length === 0 || this.channel.closed) return;
    const id = ++this.#nextId;
    this.#unanswered.add(id);
    this.channel.send({ t: 'logs', id, records: this.#buffer });
    this.#buffer = [];
  }
}
