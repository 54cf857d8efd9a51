/**
 * The thread embedded PGlite runs on. PGlite is PostgreSQL compiled to WASM with synchronous file I/O: on the main
 * thread every query blocked the token endpoint's event loop (a 500-row log batch for 30–90 ms), so it lives here
 * and the main thread only passes messages (`pglite-pool.ts` is the other end; the protocol is declared there).
 *
 * Queries run one at a time in arrival order, exactly as the main side sent them (it hands the one connection to
 * one caller at a time, so a transaction's statements arrive together). Results go back as PGlite parsed them —
 * `rows` (Date, jsonb values, Uint8Array survive the structured clone unchanged) and `affectedRows`; an error goes
 * back as its message plus PGlite's own fields (`code`, `detail`, `constraint`, …).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { PGlite } from '@electric-sql/pglite';
import type { FromWorker, SerializedError, ToWorker, WorkerOptions } from './pglite-pool.js';

const port = parentPort!;
const { dataDir } = workerData as WorkerOptions;

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
  send({ type: 'ready' });
}

void main();
