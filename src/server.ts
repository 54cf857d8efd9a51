/**
 * Composes Minter: storage, keys, the in-memory registry, the batch writers and the Fastify app with its plugins.
 * `buildApp` does not listen; `main.ts` (and the tests) decide where.
 */
import formbody from '@fastify/formbody';
import swagger from '@fastify/swagger';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { bootstrap, type BootstrapResult } from './bootstrap.js';
import type { Config } from './config.js';
import { loadSecretBox, type SecretBox } from './crypto/secret-box.js';
import { checkSealingKey } from './keys/key-rotation.js';
import { answerClientError, answerError, registerErrorHandler } from './error-handler.js';
import { registerManagementAuthorization } from './management/authorization.js';
import { registerClientCredentialRoutes } from './management/client-credentials.js';
import { registerClientGrantRoutes } from './management/client-grants.js';
import { registerClientRoutes } from './management/clients.js';
import { registerLogRoutes } from './management/logs.js';
import { registerOrganizationRoutes } from './management/organizations.js';
import { registerResourceServerRoutes } from './management/resource-servers.js';
import { narrowDateTimeFormat } from './management/schemas.js';
import { registerStorableInput } from './management/storable-input.js';
import { registerSigningKeyRoutes } from './management/signing-keys.js';
import { BatchWriter } from './observability/batch-writer.js';
import { Metrics, registerMetricsRoute } from './observability/metrics.js';
import { throttledReport } from './observability/throttled-report.js';
import { registerDiscovery } from './oauth/discovery.js';
import { registerJwks } from './oauth/jwks.js';
import { registerTokenEndpoint } from './oauth/token-endpoint.js';
import { MemoryReplayGuard, RedisReplayGuard, type ReplayGuard } from './oauth/assertion-replay.js';
import { MemoryQuotaCounter, RedisQuotaCounter, type QuotaCounter } from './oauth/token-quota.js';
import { redisNotifier } from './registry/redis-notifier.js';
import { Registry } from './registry/registry.js';
import { openDatabase, type OpenedDatabase } from './store/database.js';
import { insertSerializedLogs, refusedLogStandIn, type SerializedLogRecord } from './store/logs.js';
import { isDataError } from './store/data-errors.js';
import { registerActionBindingRoutes } from './management/action-bindings.js';
import { registerActionRoutes } from './management/actions.js';
import { loadBoundChain } from './triggers/chain-loader.js';
import { engineFromConfig, geoipLookup } from './triggers/engine-from-config.js';
import { quarantineOnLoss } from './triggers/quarantine-loss.js';
import { openCrashGuard } from './triggers/quarantine-start.js';
import { openGeoip, type GeoipLookup } from './triggers/geoip.js';

export interface MinterApp {
  app: FastifyInstance;
  registry: Registry;
  database: OpenedDatabase;
  bootstrap: BootstrapResult;
  logs: BatchWriter<SerializedLogRecord>;
  /** Flushes the writers, closes the server, the engine and the database. */
  close(): Promise<void>;
}

export interface BuildOptions {
  /** pino options, or false to stay quiet (tests). */
  logger?: boolean | Record<string, unknown>;
}

export async function buildApp(config: Readonly<Config>, options: BuildOptions = {}): Promise<MinterApp> {
  const app = Fastify({
    logger:
      options.logger === false
        ? false
        : {
            level: config.logLevel,
            redact: ['req.headers.authorization', 'req.body.client_secret', 'req.body.client_assertion'],
            ...(typeof options.logger === 'object' ? options.logger : {}),
          },
    // One line per request costs the hot path a few µs and fills disks; errors are logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: config.trustProxy,
    // A path Fastify cannot route (bad percent-encoding) is answered by the one error handler, in the caller's shape.
    frameworkErrors: answerError,
    clientErrorHandler: answerClientError,
    // Path ids go up to 600 characters (a resource server's identifier), percent-encoded up to 3 bytes each.
    routerOptions: { maxParamLength: 2048 },
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: true, useDefaults: true, allErrors: false },
      // Every `format: 'date-time'` is a date the database can store (management/schemas.ts).
      onCreate: narrowDateTimeFormat,
    },
  });

  const { box } = await loadSecretBox(config.secretKey, config.dataDir);
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, pgliteNice: config.pgliteNice });
  try {
    return await compose(app, config, box, database);
  } catch (error) {
    // A failed start leaves nothing open behind it (in-process callers such as the tests go on running).
    await app.close().catch(() => undefined);
    await database.close().catch(() => undefined);
    throw error;
  }
}

async function compose(app: FastifyInstance, config: Readonly<Config>, box: SecretBox, database: OpenedDatabase): Promise<MinterApp> {
  await checkSealingKey(database.db, box);
  const boot = await bootstrap(database.db, box, {
    issuer: config.issuer,
    adminClientId: config.adminClientId,
    adminClientSecret: config.adminClientSecret,
  });
  const registry = new Registry(database.db, box, app.log, config.redisUrl ? redisNotifier(config.redisUrl) : undefined);
  // Token quota counts and used assertion ids live where every instance sees them when there are several (REDIS_URL).
  // No offline queue: while Redis is away, calls fail at once and both fall back (never a token request left waiting).
  const redis = config.redisUrl ? new Redis(config.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true }) : undefined;
  if (redis) {
    const report = throttledReport((error) => app.log.warn(error, 'Redis connection error (quotas and assertion replays fall back)'));
    redis.on('error', report);
    // Connected before the first request when Redis is there; a Redis that is not does not stop the start.
    await redis.connect().catch(report);
  }
  const quotas: QuotaCounter = redis
    ? new RedisQuotaCounter(redis, (error) => app.log.error(error, 'token quota count failed (Redis); tokens are issued uncounted'))
    : new MemoryQuotaCounter();
  const replay: ReplayGuard = redis
    ? new RedisReplayGuard(redis, (error) => app.log.error(error, 'assertion replay check failed (Redis); this instance remembers them meanwhile'))
    : new MemoryReplayGuard();

  const writerOptions = {
    batchSize: config.logBatchSize,
    flushMs: config.logFlushMs,
    maxBuffered: config.logBufferMax,
    // A record the database refuses for its content is isolated and stood in for; it never holds back the rest.
    isDataError,
    standIn: refusedLogStandIn,
  };
  const logs = new BatchWriter<SerializedLogRecord>('logs', (batch) => insertSerializedLogs(database.db, batch), writerOptions, app.log);
  const metrics = config.metrics ? new Metrics(() => logs.stats) : undefined;

  // GeoIP costs ~130 MB and ~150 ms to load: an operator's own file is opened (and checked) at start; the bundled one
  // only once an Auth0 action is bound or tested, since only Auth0's event carries geoip.
  let geoip: GeoipLookup | undefined = config.geoipDb ? await openGeoip(config.geoipDb) : undefined;
  let geoipLoading: Promise<GeoipLookup> | undefined;
  const needGeoip = async () => {
    geoip ??= await (geoipLoading ??= openGeoip());
  };
  // Before any action is bound: versions a dead process was loading or first running are quarantined first.
  const crashGuard = await openCrashGuard(database.db, config.dataDir, app.log);
  const engine = engineFromConfig(config, {
    registry,
    geoip: geoipLookup(() => geoip),
    metrics,
    log: app.log,
    crashGuard: crashGuard.guard,
    onLoss: quarantineOnLoss(database.db, registry, app.log),
  });
  registry.onReload(async () => {
    const chain = await loadBoundChain(database.db, box);
    if (chain.some((action) => action.triggerId === 'credentials-exchange')) await needGeoip();
    engine.setBindings(chain);
  });
  await registry.start(config.configPollMs);
  // Other instances stop running the quarantined versions now rather than at their next poll.
  if (crashGuard.quarantined.length > 0) await registry.notifier?.publish().catch((e) => app.log.warn(e, 'could not publish configuration change'));


  await app.register(formbody);
  // Auth0's SDKs send `Content-Type: application/json` with no body on DELETE and POST …/rotate-secret: an empty
  // JSON body is no body, not an error. Anything else goes through Fastify's own (prototype-poisoning safe) parser.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    if (text.trim() === '') return done(null, undefined);
    parseJson(request, text, done);
  });
  registerErrorHandler(app);
  registerDiscovery(app, config.issuer);
  registerJwks(app, registry);
  if (metrics) registerMetricsRoute(app, metrics);
  registerTokenEndpoint(app, { issuer: config.issuer, tenantId: boot.tenantId, registry, engine, logs, quotas, replay, metrics });
  app.get('/health', async () => ({ status: 'ok', storage: database.kind }));

  await app.register(
    async (api) => {
      await api.register(swagger, {
        openapi: {
          info: { title: 'Minter Management API', version: '2' },
          servers: [{ url: `${config.issuer}/api/v2` }],
          components: {
            securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
          },
          security: [{ bearer: [] }],
        },
      });
      registerManagementAuthorization(api, registry, config.issuer);
      registerStorableInput(api);
      registerClientRoutes(api, registry);
      registerClientCredentialRoutes(api, registry);
      registerResourceServerRoutes(api, registry);
      registerClientGrantRoutes(api, registry);
      registerOrganizationRoutes(api, registry);
      registerSigningKeyRoutes(api, registry);
      registerLogRoutes(api, registry, logs);
      registerActionRoutes(api, registry, { issuer: config.issuer, tenantId: boot.tenantId, engine: () => engine, beforeTest: needGeoip });
      registerActionBindingRoutes(api, registry, logs);
      api.get('/openapi.json', { schema: { hide: true } }, async () => api.swagger());
    },
    { prefix: '/api/v2' },
  );

  let closed = false;
  return {
    app,
    registry,
    database,
    bootstrap: boot,
    logs,
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      await logs.close();
      await registry.close();
      redis?.disconnect();
      await engine.close();
      crashGuard.guard.close();
      await database.close();
    },
  };
}
