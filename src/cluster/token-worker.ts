/**
 * A token worker (`MINTER_WORKERS` > 1): one of the processes that answer `/oauth/token`, discovery and the JWKS on
 * PORT, each with its own copy of the configuration (cluster/worker-registry.ts) and its own trigger engine (a
 * sandbox process of its own). It opens no database: the primary sends it the configuration, stores its log records
 * (cluster/log-relay.ts), keeps the shared counters unless Redis does (cluster/owner-counters.ts) and answers every
 * other route (cluster/primary-proxy.ts). It stops when the primary tells it to, on SIGTERM/SIGINT, or when the
 * primary is gone; the primary replaces one that dies.
 */
import cluster from 'node:cluster';
import Fastify from 'fastify';
import type { Config } from '../config.js';
import { loadSecretBox } from '../crypto/secret-box.js';
import { registerErrorHandler } from '../error-handler.js';
import { registerBodyParsers } from '../http/body-parsers.js';
import { fastifyOptions } from '../http/fastify-options.js';
import { Metrics } from '../observability/metrics.js';
import { oauthPlugin } from '../plugins/oauth.js';
import { openSharedCounters } from '../plugins/redis.js';
import { watchTlsFiles } from '../plugins/tls.js';
import { engineFromConfig } from '../plugins/trigger-engine.js';
import { bindChain, geoipLoader } from '../plugins/triggers.js';
import { FirstTimeGuard } from '../triggers/runtime/crash-guard.js';
import { lossEntries, quarantineMap } from '../triggers/runtime/quarantine-loss.js';
import { LogRelay } from './log-relay.js';
import { OwnerQuotaCounter, OwnerReplayGuard } from './owner-counters.js';
import { primaryProxy } from './primary-proxy.js';
import { WorkerChannel } from './worker-channel.js';
import { WorkerRegistry } from './worker-registry.js';

/** Where the primary listens for the routes workers pass on (set by the primary when it forks). */
export const PRIMARY_SOCKET_ENV = 'MINTER_PRIMARY_SOCKET';

export async function runTokenWorker(config: Readonly<Config>): Promise<void> {
  const socketPath = process.env[PRIMARY_SOCKET_ENV];
  if (!socketPath) throw new Error(`a token worker needs ${PRIMARY_SOCKET_ENV} (it is forked by the primary)`);
  let stopping: Promise<void> | undefined;
  const channel = new WorkerChannel(() => void stop());
  // Made first: a stop that comes during the start (the primary gone) flushes it like any other.
  const logs = new LogRelay(channel);
  const app = Fastify(fastifyOptions(config, undefined));

  /** Stops taking connections, answers what is under way, sends the last records, and exits. */
  function stop(): Promise<void> {
    stopping ??= (async () => {
      await app.close().catch((error: unknown) => app.log.error(error, 'token worker: close failed'));
      logs.flush();
      // Written in order after the last records; then the channel closes and, nothing else open, the process ends.
      await channel.sendLast({ t: 'stopped' });
      if (cluster.worker?.isConnected()) cluster.worker.disconnect();
    })();
    return stopping;
  }

  watchTlsFiles(app, config);
  const { box } = await loadSecretBox(config.secretKey, config.dataDir);
  const registry = new WorkerRegistry(box);
  const metrics = config.metrics ? new Metrics() : undefined;
  const geoip = await geoipLoader(config.geoipDb);
  const engine = engineFromConfig(config, {
    registry,
    geoip: geoip.lookup,
    metrics,
    log: app.log,
    // Inline isolation keeps a single process (config.ts): this engine is a sandbox process, which needs no journal.
    crashGuard: new FirstTimeGuard(),
    onLoss: (loss) => {
      const entries = lossEntries(loss);
      if (entries.length > 0) channel.send({ t: 'quarantine', entries, how: loss.how });
      return quarantineMap(entries);
    },
  });
  app.addHook('onClose', () => engine.close());
  registry.onChain((chain) => bindChain(engine, geoip, chain));
  const counters = config.redisUrl
    ? await openSharedCounters(app, config)
    : { quotas: new OwnerQuotaCounter(channel), replay: new OwnerReplayGuard(channel) };

  // Pictures are applied one at a time, in the order they came.
  let applying = Promise.resolve();
  const configured = new Promise<string>((resolve) => {
    channel.on('config', ({ picture }) => {
      applying = applying
        .then(async () => {
          await registry.apply(picture);
          channel.send({ t: 'config-applied', generation: registry.generation });
          resolve(picture.tenantId);
        })
        .catch((error: unknown) => app.log.error(error, 'token worker: configuration not applied'));
    });
  });
  channel.on('flush', ({ id }) => {
    logs.flush();
    channel.send({ t: 'flushed', id });
  });
  channel.on('metrics', ({ id }) => {
    void (metrics ? metrics.registry.getMetricsAsJSON() : Promise.resolve([])).then((json) =>
      channel.send({ t: 'metrics', id, metrics: json }),
    );
  });
  channel.on('stop', () => void stop());
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  channel.send({ t: 'hello' });
  const tenantId = await configured;

  await registerBodyParsers(app);
  registerErrorHandler(app);
  const { issuer } = config;
  await app.register(oauthPlugin, { issuer, tenantId, registry, engine, logs, ...counters, metrics });
  await app.register(primaryProxy, { socketPath });
  await app.listen({ port: config.port, host: config.host });
  channel.send({ t: 'listening' });
}
