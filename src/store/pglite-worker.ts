/**
 * The thread embedded PGlite runs on. PGlite is PostgreSQL compiled to WASM with synchronous file I/O: on the main
 * thread every query blocked the token endpoint's event loop (a 500-row log batch for 30–90 ms), so it lives here
 * and the main thread only passes messages (`pglite-pool.ts` is the other end; the protocol is declared there).
 *
 * Queries run one at a time in arrival order, exactly as the main side sent them (it hands the one connection to
 * one caller at a time, so a transaction's statements arrive together). Results go back as PGlite parsed them —
 * `rows` (Date, jsonb values, Uint8Array survive the structured clone unchanged) and `affectedRows`; an error goes
 * back as its message plus PGlite's own fields (`code`, `detail`, `constraint`, …).
 *
 * Priority: the thread lowers its own scheduling priority (`nice`, 19 by default). On Linux the nice value belongs
 * to a thread, not the process, so only this thread yields: a 100-row log batch is ~8 ms of CPU, and at normal
 * priority the scheduler let it run ahead of the request thread on a shared core, which was the largest source of
 * p99 latency. The writer catches up in idle time; when it falls behind, the batch writer's backpressure makes the
 * request thread wait for it (observability/batch-writer.ts). Elsewhere the call would lower the whole process, so
 * it is made on Linux only.
 */
import { getPriority, setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { PGlite } from '@electric-sql/pglite';
import type { FromWorker, SerializedError, ToWorker, WorkerOptions } from './pglite-pool.js';

const port = parentPort!;
const { dataDir, nice } = workerData as WorkerOptions;

/** Lowers this thread's priority (Linux only, see above); its nice value afterwards, or null where not set. */
function yieldToRequests(): number | null {
  if (process.platform !== 'linux') return null;
  try {
    if (nice > 0) setPriority(nice);
    return getPriority();
  } catch {
    // Not permitted (a seccomp profile, say): the thread keeps its priority, and that is only slower.
    return null;
  }
}

/** An error as plain data: its message and every own primitive field (PGlite's DatabaseError carries `code` etc.). */
function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { message: String(error), fields: {} };
  const fields: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(error)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') fields[key] = value;
  }
  if (error.name !== 'Error' && fields.name === undefined) fields.name = error.name;
  return { message: error.message, fields, ...(error.stack && { stack: error.stack }) };
}

const send = (message: FromWorker) => port.postMessage(message);

async function main(): Promise<void> {
  let db: PGlite;
  try {
    const { PGlite } = await import('@electric-sql/pglite');
    db = await PGlite.create(dataDir);
  } catch (error) {
    send({ type: 'failed', error: serializeError(error) });
    return;
  }
  let chain: Promise<void> = Promise.resolve();
  port.on('message', (message: ToWorker) => {
    chain = chain.then(async () => {
      if (message.type === 'query') {
        try {
          const result = await db.query(message.sql, message.parameters);
          send({ type: 'result', id: message.id, rows: result.rows, affectedRows: result.affectedRows });
        } catch (error) {
          send({ type: 'error', id: message.id, error: serializeError(error) });
        }
      } else {
        try {
          if (!db.closed) await db.close();
          send({ type: 'closed', id: message.id });
        } catch (error) {
          send({ type: 'error', id: message.id, error: serializeError(error) });
        }
      }
    });
  });
  send({ type: 'ready', nice: yieldToRequests() });
}

void main();
