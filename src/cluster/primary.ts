/**
 * The primary of a Minter with token workers (`MINTER_WORKERS` > 1, node:cluster): it owns the store, the management
 * APIs, the dashboard and the log writer — the whole app of a single process (server.ts), listening only on a private
 * Unix socket — and forks the workers that share PORT (cluster/token-worker.ts). It:
 *
 * - sends each worker the configuration when it starts and after every reload, and holds a management write's answer
 *   until every worker applied it (or {@link APPLY_TIMEOUT_MS} passed), so a token asked for right after a write
 *   sees it, as in one process;
 * - takes their log records into its writer (answering each batch once the writer is not behind), counts their
 *   quotas and remembers their assertion ids (unless Redis does), and records quarantines their sandboxes report;
 * - replaces a worker that dies, at once the first time and then with a growing delay while they keep dying young;
 * - on stop, has every worker finish and send its last records before the app closes.
 */
import cluster, { type Worker } from 'node:cluster';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../config.js';
import type { WorkerMetrics } from '../observability/metrics.js';
import { buildApp, type MinterApp } from '../server.js';
import { storeQuarantine } from '../triggers/runtime/quarantine-loss.js';
import { isMinterMessage, type ConfigPicture, type ToPrimary, type ToWorker } from './messages.js';
import { answerOwnerCall } from './owner-counters.js';
import { PRIMARY_SOCKET_ENV } from './token-worker.js';

/** How long a reload waits for the workers to apply it, and a logs read for them to flush (ms). */
export const APPLY_TIMEOUT_MS = 2000;
export const FLUSH_TIMEOUT_MS = 1000;
/** How long a stopping worker may take to finish before it is killed (ms). */
export const STOP_TIMEOUT_MS = 15_000;
/** A worker that dies younger than this (ms) is replaced after a delay that doubles each time, up to 10 s. */
const YOUNG_MS = 10_000;
const MAX_DELAY_MS = 10_000;

interface WorkerState {
  worker: Worker;
  startedAt: number;
  /** Generation of the configuration it applied (-1: none yet). */
  applied: number;
  listening: boolean;
  failure?: string;
}

export interface Primary {
  minter: MinterApp;
  /** Resolves once every worker listens; rejects with a worker's own error if one cannot start. */
  ready: Promise<void>;
  /** Live workers (for tests and the start-up line). */
  readonly workers: number;
  /** Stops the workers (each finishing its requests and sending its records), then the app. */
  stop(): Promise<void>;
}

export interface PrimaryOptions {
  logger?: Record<string, unknown>;
  /** Runs once every worker listens, before `/health` answers 200 (main.ts prints the start-up lines here). */
  onReady?: (minter: MinterApp, workers: number) => void;
}

export async function startPrimary(config: Readonly<Config>, options: PrimaryOptions = {}): Promise<Primary> {
  const socketDir = await mkdtemp(join(tmpdir(), 'minter-'));
  const socketPath = join(socketDir, 'primary.sock');
  const states = new Map<number, WorkerState>();
  const waiters = new Map<string, () => void>();
  let nextId = 0;
  let stopping = false;
  let generation = 0;
  let picture: ConfigPicture | undefined;
  let delay = 0;
  let open = false;

  /** Sends `request(id)` to every worker that has a configuration and waits for each answer `id`, up to `timeoutMs`. */
  function askAll<T>(request: (id: number) => ToWorker, timeoutMs: number): Promise<T[]> {
    const asked = [...states.values()].filter((s) => s.applied >= 0 && s.worker.isConnected());
    return Promise.all(
      asked.map(
        (state) =>
          new Promise<T | undefined>((resolve) => {
            const id = ++nextId;
            const key = `${state.worker.id}/${id}`;
            const timer = setTimeout(() => {
              waiters.delete(key);
              resolve(undefined);
            }, timeoutMs);
            waiters.set(key, ((value: T) => {
              clearTimeout(timer);
              waiters.delete(key);
              resolve(value);
            }) as () => void);
            state.worker.send(request(id));
          }),
      ),
    ).then((answers) => answers.filter((answer): answer is Awaited<T> => answer !== undefined) as T[]);
  }

  // The workers serve https when configured; the primary's socket is private and plain.
  const { tls: _workersOnly, ...primaryConfig } = config;
  const minter = await buildApp(primaryConfig, {
    ...(options.logger && { logger: options.logger }),
    primary: {
      ready: () => open,
      flushWorkers: async () => void (await askAll<true>((id) => ({ t: 'flush', id }), FLUSH_TIMEOUT_MS)),
      workerMetrics: () => askAll<WorkerMetrics>((id) => ({ t: 'metrics', id }), FLUSH_TIMEOUT_MS),
    },
  });
  const { app, registry, logs, counters } = minter;
  const log = app.log;

  /** The configuration as the registry holds it now, numbered. */
  const snapshotPicture = (): ConfigPicture => ({
    generation: ++generation,
    tenantId: minter.bootstrap.tenantId,
    rows: registry.rows,
    chain: minter.chain(),
  });

  /** After every reload (after the chain is loaded, whose hook came first): every worker gets it and applies it. */
  registry.onReload(async () => {
    picture = snapshotPicture();
    const sent = picture;
    const live = [...states.values()].filter((s) => s.applied >= 0 && s.worker.isConnected());
    for (const state of live) state.worker.send({ t: 'config', picture: sent } satisfies ToWorker);
    await Promise.all(
      live.map(
        (state) =>
          new Promise<void>((resolve) => {
            const key = `${state.worker.id}/applied/${sent.generation}`;
            const timer = setTimeout(() => {
              waiters.delete(key);
              log.warn({ worker: state.worker.id }, 'token worker did not apply the configuration in time');
              resolve();
            }, APPLY_TIMEOUT_MS);
            waiters.set(key, () => {
              clearTimeout(timer);
              waiters.delete(key);
              resolve();
            });
          }),
      ),
    );
  });
  picture = snapshotPicture();

  let readyResolve!: () => void;
  let readyReject!: (error: Error) => void;
  const ready = new Promise<void>((resolve, reject) => {
    readyResolve = resolve;
    readyReject = reject;
  });
  let started = false;

  function onMessage(state: WorkerState, message: ToPrimary): void {
    const { worker } = state;
    switch (message.t) {
      case 'hello':
        state.applied = 0;
        worker.send({ t: 'config', picture: picture! } satisfies ToWorker);
        return;
      case 'config-applied':
        state.applied = Math.max(state.applied, message.generation);
        // A worker that applied a newer picture skips an older one it got meanwhile: that one is served too.
        for (const [key, done] of waiters) {
          const [id, kind, generation] = key.split('/');
          if (id === String(worker.id) && kind === 'applied' && Number(generation) <= message.generation) done();
        }
        return;
      case 'listening':
        state.listening = true;
        if (!started && [...states.values()].every((s) => s.listening)) {
          started = true;
          readyResolve();
        }
        return;
      case 'failed':
        state.failure = message.message;
        return;
      case 'logs': {
        for (const record of message.records) logs.push(record);
        const taken = () => worker.isConnected() && worker.send({ t: 'logs-taken', id: message.id } satisfies ToWorker);
        const behind = logs.pressure();
        if (behind === undefined) taken();
        else void behind.then(taken);
        return;
      }
      case 'flushed':
        waiters.get(`${worker.id}/${message.id}`)?.();
        return;
      case 'metrics':
        (waiters.get(`${worker.id}/${message.id}`) as ((value: WorkerMetrics) => void) | undefined)?.(message.metrics);
        return;
      case 'call':
        void Promise.resolve(answerOwnerCall(message.call, counters)).then(
          (value) => worker.isConnected() && worker.send({ t: 'answer', id: message.id, value } satisfies ToWorker),
        );
        return;
      case 'quota-count':
        counters.quotas.count(message.key, message.now);
        return;
      case 'quarantine':
        storeQuarantine(minter.database.db, registry, log, message.entries, message.how);
        return;
      case 'stopped':
        waiters.get(`${worker.id}/stopped`)?.();
        return;
    }
  }

  function fork(): void {
    const worker = cluster.fork({ [PRIMARY_SOCKET_ENV]: socketPath });
    const state: WorkerState = { worker, startedAt: Date.now(), applied: -1, listening: false };
    states.set(worker.id, state);
    worker.on('message', (message: unknown) => {
      if (isMinterMessage(message)) onMessage(state, message as ToPrimary);
    });
    worker.on('exit', (code, signal) => {
      states.delete(worker.id);
      if (stopping) return;
      const how = signal ? `signal ${signal}` : `exit code ${code}`;
      if (!started) {
        readyReject(new Error(`a token worker could not start (${how}): ${state.failure ?? 'see its log above'}`));
        return;
      }
      const young = Date.now() - state.startedAt < YOUNG_MS;
      delay = young ? Math.min(MAX_DELAY_MS, Math.max(100, delay * 2)) : 0;
      log.error({ worker: worker.id, how, replaceInMs: delay }, 'token worker ended; starting another');
      setTimeout(() => {
        if (!stopping) fork();
      }, delay).unref();
    });
  }

  async function stop(): Promise<void> {
    if (stopping) return;
    stopping = true;
    // Each worker says `stopped` after its last records, then ends: both are waited for (a crashed one only ends).
    await Promise.all(
      [...states.values()].map(
        ({ worker }) =>
          new Promise<void>((resolve) => {
            let said = false;
            const timer = setTimeout(() => {
              log.warn({ worker: worker.id }, 'token worker did not stop in time; killed');
              worker.process.kill('SIGKILL');
            }, STOP_TIMEOUT_MS);
            let ended = false;
            waiters.set(`${worker.id}/stopped`, () => {
              said = true;
              if (ended) resolve();
            });
            worker.once('exit', () => {
              clearTimeout(timer);
              ended = true;
              if (said) return resolve();
              // The channel may still hold its last messages: a moment for them, then it is over.
              setTimeout(() => {
                if (!said) log.warn({ worker: worker.id }, 'token worker ended before its last records were sent');
                resolve();
              }, 200);
            });
            if (worker.isConnected()) worker.send({ t: 'stop' } satisfies ToWorker);
          }),
      ),
    );
    await minter.close();
    await rm(socketDir, { recursive: true, force: true });
  }

  try {
    await app.listen({ path: socketPath });
    cluster.setupPrimary({ serialization: 'advanced' });
    for (let i = 0; i < config.workers; i++) fork();
    await ready;
    options.onReady?.(minter, config.workers);
    open = true;
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    minter,
    ready,
    get workers() {
      return [...states.values()].filter((s) => s.listening).length;
    },
    stop,
  };
}
