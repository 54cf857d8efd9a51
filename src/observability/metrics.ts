/**
 * Prometheus metrics at `GET /metrics` (text exposition format), on a registry of Minter's own: token requests and
 * their outcomes by OAuth error (a token quota's refusals are `too_many_requests`), time to answer, trigger actions by
 * status and their batch sizes, sandbox processes replaced, the log writer's backlog, losses and refused records, and
 * prom-client's default process metrics (CPU,
 * memory, event-loop delay, GC). Counting is a few increments per request on pre-created series; nothing here touches
 * the database.
 */
import type { FastifyInstance } from 'fastify';
import {
  AggregatorRegistry,
  Counter,
  Gauge,
  Histogram,
  Registry,
  collectDefaultMetrics,
  type MetricObjectWithValues,
  type MetricValue,
} from 'prom-client';

/** Where the log writer's numbers come from (BatchWriter.stats). */
export type LogWriterStats = () => { buffered: number; dropped: number; written: number; rejected: number };

export class Metrics {
  readonly registry = new Registry();
  readonly #issued: Counter;
  readonly #failed: Counter<'error'>;
  readonly #duration: Histogram;
  readonly #actions: Counter<'trigger' | 'status'>;
  readonly #batches: Histogram;
  readonly #sandboxReplaced: Counter<'reason'>;
  /** Zeros until {@link watchLogWriter}: the writer opens after the trigger engine, which counts here from its start. */
  #logStats: LogWriterStats = () => ({ buffered: 0, dropped: 0, written: 0, rejected: 0 });

  constructor() {
    const registers = [this.registry];
    const logStats = () => this.#logStats();
    collectDefaultMetrics({ register: this.registry });
    this.#issued = new Counter({ name: 'minter_tokens_issued_total', help: 'Access tokens issued', registers });
    this.#failed = new Counter({
      name: 'minter_token_requests_failed_total',
      help: 'Token requests answered with an error, by OAuth error code',
      labelNames: ['error'],
      registers,
    });
    this.#duration = new Histogram({
      name: 'minter_token_request_duration_seconds',
      help: 'Time from the token request to its answer being written, successful or not',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5, 20],
      registers,
    });
    this.#actions = new Counter({
      name: 'minter_trigger_actions_total',
      help: 'Trigger actions run, by trigger and result status (ok, denied, runtime, timeout, oom, skipped, …)',
      labelNames: ['trigger', 'status'],
      registers,
    });
    this.#batches = new Histogram({
      name: 'minter_trigger_batch_size',
      help: 'Requests an action ran per call into its isolate on the synchronous path (those that reached it in one turn of the event loop)',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
      registers,
    });
    this.#sandboxReplaced = new Counter({
      name: 'minter_sandbox_replaced_total',
      help: 'Sandbox processes replaced, by reason: crashed (a signal, e.g. V8 ending it), unresponsive, stuck (a call that kept its thread), memory, starved, error',
      labelNames: ['reason'],
      registers,
    });
    new Gauge({
      name: 'minter_log_records_buffered',
      help: 'Log records waiting to be written to the database',
      registers,
      collect() {
        this.set(logStats().buffered);
      },
    });
    new Counter({
      name: 'minter_log_records_written_total',
      help: 'Log records written to the database since start',
      registers,
      collect() {
        this.reset();
        this.inc(logStats().written);
      },
    });
    new Counter({
      name: 'minter_log_records_dropped_total',
      help: 'Log records dropped since start because the buffer was full (the database was unreachable)',
      registers,
      collect() {
        this.reset();
        this.inc(logStats().dropped);
      },
    });
    new Counter({
      name: 'minter_log_records_rejected_total',
      help: 'Log records the database refused for their content since start, each written as a stand-in (id, date, type, client) or dropped',
      registers,
      collect() {
        this.reset();
        this.inc(logStats().rejected);
      },
    });
  }

  /** Where the log writer's backlog, losses and refusals are read at each scrape. */
  watchLogWriter(stats: LogWriterStats): void {
    this.#logStats = stats;
  }

  tokenIssued(): void {
    this.#issued.inc();
  }

  tokenFailed(error: string): void {
    this.#failed.inc({ error });
  }

  /** `elapsedMs`: Fastify's `reply.elapsedTime`. */
  answered(elapsedMs: number): void {
    this.#duration.observe(elapsedMs / 1000);
  }

  actionRan(trigger: string, status: string): void {
    this.#actions.inc({ trigger, status });
  }

  triggerBatch(requests: number): void {
    this.#batches.observe(requests);
  }

  sandboxReplaced(reason: string): void {
    this.#sandboxReplaced.inc({ reason });
  }
}

/** One process's metrics as prom-client hands them over (`getMetricsAsJSON`), for a cluster's primary to merge. */
export type WorkerMetrics = MetricObjectWithValues<MetricValue<string>>[];

/**
 * `GET /metrics` in Prometheus' text format. In a cluster's primary, `workerMetrics` adds every token worker's:
 * prom-client's aggregation sums counters and histograms across processes (and averages or keeps the first of the
 * gauges it marks so), so the tokens every worker issued are counted once each.
 */
export function registerMetricsRoute(
  app: FastifyInstance,
  metrics: Metrics,
  workerMetrics?: () => Promise<WorkerMetrics[]>,
): void {
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.header('content-type', metrics.registry.contentType).header('cache-control', 'no-store');
    if (workerMetrics === undefined) return metrics.registry.metrics();
    const [own, workers] = await Promise.all([metrics.registry.getMetricsAsJSON(), workerMetrics()]);
    return AggregatorRegistry.aggregate([own, ...workers]).metrics();
  });
}
