/**
 * Composes Minter from its parts, each of which closes what it opened when the app closes. Fastify runs `onClose`
 * hooks last-added first, after the server has stopped taking requests, so the order below is the shutdown order read
 * backwards: the log writer flushes, the registry stops following changes, Redis disconnects, the trigger engine and
 * the crash guard close, and the database closes last. `buildApp` does not listen; `main.ts` (and the tests) decide
 * where.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { BootstrapResult } from './bootstrap.js';
import type { Config } from './config.js';
import { registerErrorHandler } from './error-handler.js';
import { registerBodyParsers } from './http/body-parsers.js';
import { fastifyOptions } from './http/fastify-options.js';
import type { BatchWriter } from './observability/batch-writer.js';
import { Metrics } from './observability/metrics.js';
import { kindeApiPlugin } from './plugins/kinde-api.js';
import { dashboardPlugin } from './plugins/dashboard.js';
import { openLogWriter } from './plugins/log-writer.js';
import { managementPlugin } from './plugins/management.js';
import { oauthPlugin } from './plugins/oauth.js';
import { operationsPlugin } from './plugins/operations.js';
import { openSharedCounters, type SharedCounters } from './plugins/redis.js';
import { openStore, startRegistry } from './plugins/store.js';
import { watchTlsFiles } from './plugins/tls.js';
import { keepWorkflowsDeployed } from './plugins/workflows-dir.js';
import { openTriggers } from './plugins/triggers.js';
import type { Registry } from './registry/registry.js';
import type { OpenedDatabase } from './store/database.js';
import type { SerializedLogRecord } from './store/logs.js';
import type { DeployedAction } from './triggers/contract.js';
import type { WorkerMetrics } from './observability/metrics.js';

export interface MinterApp {
  app: FastifyInstance;
  registry: Registry;
  database: OpenedDatabase;
  bootstrap: BootstrapResult;
  logs: BatchWriter<SerializedLogRecord>;
  /** Token quota counts and used assertion ids (a cluster's workers ask the primary's). */
  counters: SharedCounters;
  /** The bound chain as last loaded. */
  chain: () => DeployedAction[];
  /** Stops taking requests, flushes the writers, closes the engine and the database (`app.close()`, once). */
  close(): Promise<void>;
}

export interface BuildOptions {
  /** pino options, or false to stay quiet (tests). */
  logger?: boolean | Record<string, unknown>;
  /** Set in a cluster's primary (cluster/primary.ts): its token workers run the chain and write through it. */
  primary?: PrimaryRole;
}

/** What a cluster's primary does differently: its workers hold records and metrics of their own. */
export interface PrimaryRole {
  /** Has every worker send the log records it holds, before the management API reads the logs. */
  flushWorkers(): Promise<void>;
  /** The workers' metrics, merged into the primary's at `GET /metrics`. */
  workerMetrics(): Promise<WorkerMetrics[]>;
  /** Whether every worker is up and the start is done: `/health` answers 503 until then. */
  ready(): boolean;
}

export async function buildApp(config: Readonly<Config>, options: BuildOptions = {}): Promise<MinterApp> {
  // A cluster's primary listens only on its private socket, reached by its own workers: plain http, and their
  // X-Forwarded-* headers are trusted (cluster/primary-proxy.ts sets them).
  const app = Fastify({
    ...fastifyOptions(config, options.logger),
    ...(options.primary && { trustProxy: true }),
  });
  try {
    watchTlsFiles(app, config);
    const store = await openStore(app, config);
    const { database, registry, bootstrap } = store;
    const metrics = config.metrics ? new Metrics() : undefined;
    const { primary } = options;
    const { engine, needGeoip, chain } = await openTriggers(
      app,
      config,
      { ...store, metrics },
      { bind: primary === undefined },
    );
    const counters = await openSharedCounters(app, config);
    const { quotas, replay } = counters;
    await startRegistry(app, registry, config.configPollMs);
    const logs = openLogWriter(app, database.db, config, metrics);

    await registerBodyParsers(app);
    registerErrorHandler(app);
    const { issuer } = config;
    const { tenantId } = bootstrap;
    await app.register(oauthPlugin, { issuer, tenantId, registry, engine, logs, quotas, replay, metrics });
    await app.register(operationsPlugin, {
      storage: database.kind,
      metrics,
      ...(primary && { workerMetrics: primary.workerMetrics, ready: primary.ready }),
    });
    const dependencies = config.actions.dependencies;
    // Before the management API reads the logs, every record pushed so far is stored: a worker's too.
    const flushLogs = primary ? { flush: () => primary.flushWorkers().then(() => logs.flush()) } : logs;
    const management = { issuer, tenantId, registry, logs: flushLogs, engine, beforeTest: needGeoip, dependencies };
    await app.register(managementPlugin, { prefix: '/api/v2', ...management });
    await app.register(kindeApiPlugin, { prefix: '/api/v1', issuer, registry });
    if (config.dashboard) await app.register(dashboardPlugin);

    // Last: it makes the app ready to deploy the folder through the management API before anything listens.
    await keepWorkflowsDeployed(app, config);

    let closing: Promise<void> | undefined;
    return { app, registry, database, bootstrap, logs, counters, chain, close: () => (closing ??= app.close()) };
  } catch (error) {
    // A failed start leaves nothing open behind it (in-process callers such as the tests go on running).
    await app.close().catch(() => undefined);
    throw error;
  }
}
