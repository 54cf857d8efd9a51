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
import { openSharedCounters } from './plugins/redis.js';
import { openStore, startRegistry } from './plugins/store.js';
import { watchTlsFiles } from './plugins/tls.js';
import { keepWorkflowsDeployed } from './plugins/workflows-dir.js';
import { openTriggers } from './plugins/triggers.js';
import type { Registry } from './registry/registry.js';
import type { OpenedDatabase } from './store/database.js';
import type { SerializedLogRecord } from './store/logs.js';

export interface MinterApp {
  app: FastifyInstance;
  registry: Registry;
  database: OpenedDatabase;
  bootstrap: BootstrapResult;
  logs: BatchWriter<SerializedLogRecord>;
  /** Stops taking requests, flushes the writers, closes the engine and the database (`app.close()`, once). */
  close(): Promise<void>;
}

export interface BuildOptions {
  /** pino options, or false to stay quiet (tests). */
  logger?: boolean | Record<string, unknown>;
}

export async function buildApp(config: Readonly<Config>, options: BuildOptions = {}): Promise<MinterApp> {
  const app = Fastify(fastifyOptions(config, options.logger));
  try {
    watchTlsFiles(app, config);
    const store = await openStore(app, config);
    const { database, registry, bootstrap } = store;
    const metrics = config.metrics ? new Metrics() : undefined;
    const { engine, needGeoip } = await openTriggers(app, config, { ...store, metrics });
    const { quotas, replay } = await openSharedCounters(app, config);
    await startRegistry(app, registry, config.configPollMs);
    const logs = openLogWriter(app, database.db, config, metrics);

    await registerBodyParsers(app);
    registerErrorHandler(app);
    const { issuer } = config;
    const { tenantId } = bootstrap;
    await app.register(oauthPlugin, { issuer, tenantId, registry, engine, logs, quotas, replay, metrics });
    await app.register(operationsPlugin, { storage: database.kind, metrics });
    const dependencies = config.actions.dependencies;
    const management = { issuer, tenantId, registry, logs, engine, beforeTest: needGeoip, dependencies };
    await app.register(managementPlugin, { prefix: '/api/v2', ...management });
    await app.register(kindeApiPlugin, { prefix: '/api/v1', issuer, registry });
    if (config.dashboard) await app.register(dashboardPlugin);

    // Last: it makes the app ready to deploy the folder through the management API before anything listens.
    await keepWorkflowsDeployed(app, config);

    let closing: Promise<void> | undefined;
    return { app, registry, database, bootstrap, logs, close: () => (closing ??= app.close()) };
  } catch (error) {
    // A failed start leaves nothing open behind it (in-process callers such as the tests go on running).
    await app.close().catch(() => undefined);
    throw error;
  }
}
