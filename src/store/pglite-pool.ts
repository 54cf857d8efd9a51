/**
 * Lets Kysely's PostgreSQL dialect drive an embedded PGlite database that runs in its own thread
 * (`pglite-worker.ts`), so PGlite's WASM work and synchronous file I/O never block the main thread's event loop.
 *
 * PGlite is one connection, so `connect()` hands it out to one caller at a time (a transaction keeps it until
 * `release()`). Each query is a message with an id; the worker answers with the rows and `affectedRows` as PGlite
 * parsed them (the structured clone keeps Date, jsonb values and Uint8Array as they are), or with the error's
 * message and PGlite's fields (`code`, `detail`, `constraint`, …), rethrown here as an Error carrying them.
 *
 * The worker holds the process open only while a query is outstanding (like a socket with a request in flight);
 * `end()` closes PGlite in the worker and terminates it. If the worker dies, every outstanding and later query
 * rejects with an error that says so, carrying SQLSTATE 08006 (connection_failure; 08003 once closed): to its
 * callers a dead worker is a database that cannot be reached (store/database-errors.ts).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';

/** `workerData` of the worker. */
export interface WorkerOptions {
  /** PGlite's data directory (created by the caller). */
  dataDir: string;
  /** Nice value (0–19) the worker thread gives itself; see pglite-worker.ts. */
  nice: number;
}

/** An error as it crosses the thread boundary: its message and its own primitive fields (`code`, `detail`, …). */
export interface SerializedError {
  message: string;
  fields: Record<string, string | number | boolean>;
}

export type ToWorker =
  { type: 'query'; id: number; sql: string; parameters: unknown[] } | { type: 'close'; id: number };

export type FromWorker =
  | { type: 'ready'; nice: number | null }
  | { type: 'failed'; error: SerializedError }
  | { type: 'result'; id: number; rows: unknown[]; affectedRows: number | undefined }
  | { type: 'error'; id: number; error: SerializedError }
  | { type: 'closed'; id: number };

/** The pool, and the worker it talks to (for diagnostics and tests). */
export interface PgliteWorkerPool extends PostgresPool {
  readonly worker: Worker;
  /** The worker thread's nice value once it is open; null where a thread's own priority cannot be set. */
  readonly nice: number | null;
}

/** Default nice value of the worker thread: the token endpoint comes first, the log writer catches up when idle. */
export const PGLITE_NICE = 19;

const COMMANDS = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE', 'SELECT']);

function toError(serialized: SerializedError): Error {
  return Object.assign(new Error(serialized.message), serialized.fields);
}

/** SQLSTATEs of a connection that failed (the worker died) and of one that no longer exists (closed). */
const CONNECTION_FAILURE = '08006';
const CONNECTION_CLOSED = '08003';

const unreachable = (message: string, code = CONNECTION_FAILURE) => Object.assign(new Error(message), { code });

interface Pending {
  resolve(message: FromWorker): void;
  reject(error: Error): void;
}

/**
 * Starts PGlite on `dataDir` in a worker thread and resolves once it is open (rejects with PGlite's error when it
 * cannot open the directory). A new directory is first initialised (initdb) by a worker of its own that then ends:
 * initdb leaves ~450 MB in its thread that an idle thread may keep for good, and a thread that ends gives it all
 * back (the server's first start settled at ~900 MB RSS instead of ~400 MB; opening a directory again takes ~150 ms).
 */
export async function pgliteWorkerPool(dataDir: string, nice = PGLITE_NICE): Promise<PgliteWorkerPool> {
  if (!existsSync(join(dataDir, 'PG_VERSION'))) await (await startWorkerPool(dataDir, nice)).end();
  return startWorkerPool(dataDir, nice);
}

async function startWorkerPool(dataDir: string, nice: number): Promise<PgliteWorkerPool> {
  const worker = new Worker(new URL('./pglite-worker.js', import.meta.url), {
    workerData: { dataDir, nice } satisfies WorkerOptions,
    // Not the main thread's flags: its preloads (`--import`, `--require`), `--input-type` or `--eval` are not for
    // a thread that only runs PGlite (and `--input-type` would stop it from starting at all).
    execArgv: [],
  });
  const pending = new Map<number, Pending>();
  let nextId = 1;
  /** Set once the worker cannot answer any more: why. */
  let gone: Error | undefined;
  let lastError: Error | undefined;
  let workerNice: number | null = null;
  let ending: Promise<void> | undefined;

  let opened!: { resolve(): void; reject(error: Error): void };
  const ready = new Promise<void>((resolve, reject) => (opened = { resolve, reject }));

  const settle = (id: number): Pending | undefined => {
    const entry = pending.get(id);
    pending.delete(id);
    if (pending.size === 0) worker.unref();
    return entry;
  };

  worker.on('message', (message: FromWorker) => {
    switch (message.type) {
      case 'ready':
        workerNice = message.nice;
        worker.unref();
        opened.resolve();
        return;
      case 'failed':
        gone = toError(message.error);
        opened.reject(gone);
        void worker.terminate();
        return;
      case 'error':
        settle(message.id)?.reject(toError(message.error));
        return;
      default:
        settle(message.id)?.resolve(message);
    }
  });
  worker.on('error', (error) => {
    lastError = error;
  });
  worker.on('messageerror', (error) => {
    // A message that cannot be deserialised leaves a query without its answer: nothing can be trusted after it.
    lastError = error;
    void worker.terminate();
  });
  worker.on('exit', (code) => {
    gone ??= ending
      ? unreachable('the PGlite database is closed', CONNECTION_CLOSED)
      : unreachable(
          `the PGlite worker exited unexpectedly (exit code ${code})${lastError ? `: ${lastError.message}` : ''}`,
        );
    opened.reject(gone);
    for (const entry of pending.values()) entry.reject(gone);
    pending.clear();
  });

  function request(build: (id: number) => ToWorker): Promise<FromWorker> {
    if (gone) return Promise.reject(unreachable(gone.message, (gone as Error & { code?: string }).code));
    if (ending) return Promise.reject(unreachable('the PGlite database is closed', CONNECTION_CLOSED));
    const id = nextId++;
    return new Promise<FromWorker>((resolve, reject) => {
      if (pending.size === 0) worker.ref();
      pending.set(id, { resolve, reject });
      try {
        worker.postMessage(build(id));
      } catch (error) {
        // A parameter the structured clone cannot copy (a function, a class instance with private state…).
        settle(id);
        reject(error as Error);
      }
    });
  }

  await ready;

  let queue: Promise<void> = Promise.resolve();
  return {
    worker,
    get nice() {
      return workerNice;
    },
    async connect(): Promise<PostgresPoolClient> {
      let release!: () => void;
      const previous = queue;
      queue = new Promise<void>((resolve) => (release = resolve));
      await previous;
      const client = {
        async query<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>> {
          const answer = (await request((id) => ({
            type: 'query',
            id,
            sql,
            parameters: parameters as unknown[],
          }))) as Extract<FromWorker, { type: 'result' }>;
          const rows = answer.rows as R[];
          const verb = sql.trimStart().slice(0, 6).toUpperCase();
          const command = (COMMANDS.has(verb) ? verb : 'SELECT') as PostgresQueryResult<R>['command'];
          return { command, rowCount: answer.affectedRows ?? rows.length, rows };
        },
        release,
      };
      return client as PostgresPoolClient;
    },
    end(): Promise<void> {
      ending ??= (async () => {
        if (!gone) {
          const id = nextId++;
          const closed = new Promise<void>((resolve, reject) => {
            worker.ref();
            pending.set(id, { resolve: () => resolve(), reject });
            worker.postMessage({ type: 'close', id } satisfies ToWorker);
          });
          let failure: Error | undefined;
          // A worker that died meanwhile has nothing left to close; PGlite failing to close is worth hearing of.
          await closed.catch((error: Error) => (failure = gone ? undefined : error));
          await worker.terminate();
          if (failure) throw failure;
        } else {
          await worker.terminate();
        }
      })();
      return ending;
    },
  };
}
