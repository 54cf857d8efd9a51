/**
 * The one place Minter reads its environment. Everything else receives a frozen {@link Config}.
 */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { ConfigError } from './errors.js';
import { PGLITE_NICE } from './store/pglite-pool.js';
import type { TestCrash } from './triggers/runtime/crash-guard.js';

/** Frozen configuration, units in the names or comments. */
export interface Config {
  /** TCP port of the HTTP server. */
  port: number;
  /** Address to bind; `0.0.0.0` serves every interface. */
  host: string;
  /** Exact `iss` of every token, without a trailing slash. */
  issuer: string;
  /** PEM files of the certificate (chain) and private key: serve https instead of http. Reloaded when they change. */
  tls?: { certFile: string; keyFile: string };
  /** Embedded storage folder (PGlite) and home of the generated secret key. */
  dataDir: string;
  /** Real PostgreSQL instead of PGlite when set. */
  databaseUrl?: string;
  /** Redis for change notifications between instances when set. */
  redisUrl?: string;
  /** Key that encrypts signing keys and action secrets at rest; generated into `dataDir` when unset. */
  secretKey?: string;
  adminClientId?: string;
  adminClientSecret?: string;
  logLevel: string;
  /** Log records: flush when this many are buffered, or every `logFlushMs`. */
  logBatchSize: number;
  logFlushMs: number;
  /** Log records kept in memory at most while the database is unreachable. */
  logBufferMax: number;
  /** Nice value of embedded PGlite's worker thread (Linux), 0–19. */
  pgliteNice: number;
  /**
   * Token workers (`MINTER_WORKERS`, default one per core): processes that answer the token endpoint beside the one
   * that owns the store and the management API (cluster/). 1 is the single process.
   */
  workers: number;
  /** How often every instance re-reads the configuration even without a change notice (ms). */
  configPollMs: number;
  actions: {
    /** Memory limit per isolate (MB). */
    memoryLimitMb: number;
    /** Time budget of the whole trigger chain (ms). */
    chainTimeoutMs: number;
    /** Console output kept per action and execution (bytes). */
    maxLogBytes: number;
    /** How long an action may run on the main thread before it is moved off it (ms; 0 = always off it). */
    syncSliceMs: number;
    /** CIDRs or addresses that action `fetch` may reach although private. */
    allowPrivateEgress: string[];
    /** Per-request timeout of action `fetch` (ms) and its response size limit (bytes). */
    fetchTimeoutMs: number;
    fetchMaxBytes: number;
    /** Isolates of all action versions together (see docs/security.md, "Fairness between clients"). */
    maxIsolates: number;
    /** Timers pending per action execution, and per isolate (all its executions together). */
    maxTimers: number;
    maxTimersPerIsolate: number;
    /** Fetches out per action execution, and per isolate. */
    maxFetches: number;
    maxFetchesPerIsolate: number;
    /** Host time one action execution's Node `crypto` calls may take together (ms). */
    maxCryptoMs: number;
    /**
     * Where action code runs: `process`, a supervised sandbox process of its own (V8 fatal errors and stuck built-ins
     * end that process, not the server); or `inline`, in the server process (one IPC round trip less per request).
     */
    isolation: 'process' | 'inline';
    /** Resident memory of the sandbox process past which it is replaced (MB). */
    sandboxMaxRssMb: number;
    /** npm dependencies of Auth0 actions, installed and bundled at deploy (docs/auth0-actions.md). */
    dependencies: {
      /** Installs kept by package and exact version, and npm's download cache. */
      cacheDir: string;
      /** Registry URL; npm's own configuration when unset. */
      registry?: string;
      /** Disk all of one action's installs may take (bytes), and packages they may count. */
      maxBytes: number;
      maxPackages: number;
      /** Deadline of one npm run (ms). */
      timeoutMs: number;
    };
  };
  /** MaxMind-format database for `event.request.geoip`; the bundled one when unset. */
  geoipDb?: string;
  /** Trust `X-Forwarded-For` for the client IP (behind a proxy). */
  trustProxy: boolean;
  /** Serve Prometheus metrics at `GET /metrics`. */
  metrics: boolean;
  /** Serve the dashboard at `/dashboard/`. */
  dashboard: boolean;
  /** A Kinde project folder kept deployed (synced at start and on every change), and whether removals prune. */
  workflowsDir?: string;
  workflowsPrune: boolean;
  /**
   * TEST ONLY, never set in production: the engine aborts the process (SIGABRT) when it prewarms, or first runs, a
   * version of the action with this name, as a native crash in action code would — how the quarantine tests crash
   * a version on purpose (docs/security.md, "quarantine"). Action code cannot reach the environment.
   */
  testCrash?: TestCrash;
}

/** A configuration mistake (the class lives in the error catalogue, errors.ts, so that any floor may throw it). */
export { ConfigError };

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;
    throw new ConfigError(`${name} must be an integer ${range}, got "${raw}"`);
  }
  return value;
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new ConfigError(`${name} must be true or false, got "${env[name]}"`);
}

function oneOf<const T extends string>(env: Env, name: string, values: readonly T[], fallback: T): T {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!(values as readonly string[]).includes(raw))
    throw new ConfigError(`${name} must be one of ${values.join(', ')}, got "${raw}"`);
  return raw as T;
}

function optional(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw ? raw : undefined;
}

/** MINTER_TEST_CRASH_ON_ACTION_NAME and MINTER_TEST_CRASH_PHASE (`prewarm`, the default, or `first_run`). */
function testCrashFrom(env: Env): TestCrash | undefined {
  const actionName = optional(env, 'MINTER_TEST_CRASH_ON_ACTION_NAME');
  const phase = optional(env, 'MINTER_TEST_CRASH_PHASE') ?? 'prewarm';
  if (phase !== 'prewarm' && phase !== 'first_run')
    throw new ConfigError(`MINTER_TEST_CRASH_PHASE must be prewarm or first_run, got "${phase}"`);
  return actionName === undefined ? undefined : { actionName, phase };
}

/** MINTER_NPM_REGISTRY, else npm's own environment variable; undefined leaves npm to its configuration. */
function registryFrom(env: Env): string | undefined {
  const name = ['MINTER_NPM_REGISTRY', 'npm_config_registry', 'NPM_CONFIG_REGISTRY'].find((n) => optional(env, n));
  if (name === undefined) return undefined;
  const raw = optional(env, name)!;
  if (!/^https?:\/\/[^\s]+$/.test(raw)) throw new ConfigError(`${name} must be an http(s) URL, got "${raw}"`);
  return raw;
}

function issuerFrom(env: Env, port: number, https: boolean): string {
  const raw = optional(env, 'MINTER_ISSUER') ?? `${https ? 'https' : 'http'}://localhost:${port}`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`MINTER_ISSUER must be an absolute URL, got "${raw}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError('MINTER_ISSUER must be http(s)');
  if (url.search || url.hash) throw new ConfigError('MINTER_ISSUER must not carry a query or fragment');
  return raw.replace(/\/+$/, '');
}

/**
 * MINTER_WORKERS: one per core by default; inline isolation runs actions in the one serving process, so it keeps a
 * single process unless told otherwise, and refuses several.
 */
function workersFrom(env: Env, isolation: Config['actions']['isolation']): number {
  const workers = integer(env, 'MINTER_WORKERS', isolation === 'inline' ? 1 : availableParallelism(), 1, 256);
  if (workers > 1 && isolation === 'inline') {
    throw new ConfigError(
      `MINTER_WORKERS=${workers} needs actions in the sandbox process: MINTER_ACTIONS_ISOLATION=inline runs them in ` +
        'the serving process, which only a single process (MINTER_WORKERS=1) can guard against a crash',
    );
  }
  return workers;
}

/** MINTER_TLS_CERT and MINTER_TLS_KEY, set together. */
function tlsFrom(env: Env): Config['tls'] {
  const certFile = optional(env, 'MINTER_TLS_CERT');
  const keyFile = optional(env, 'MINTER_TLS_KEY');
  if (Boolean(certFile) !== Boolean(keyFile)) {
    throw new ConfigError(
      'MINTER_TLS_CERT and MINTER_TLS_KEY must be set together (PEM files of the certificate and key)',
    );
  }
  return certFile && keyFile ? { certFile: resolve(certFile), keyFile: resolve(keyFile) } : undefined;
}

/** Reads and validates the environment once. */
export function loadConfig(env: Env = process.env): Readonly<Config> {
  const port = integer(env, 'PORT', 3000);
  const adminClientId = optional(env, 'MINTER_ADMIN_CLIENT_ID');
  const adminClientSecret = optional(env, 'MINTER_ADMIN_CLIENT_SECRET');
  if (Boolean(adminClientId) !== Boolean(adminClientSecret)) {
    throw new ConfigError('MINTER_ADMIN_CLIENT_ID and MINTER_ADMIN_CLIENT_SECRET must be set together');
  }
  if (adminClientSecret !== undefined && adminClientSecret.length < 16) {
    throw new ConfigError('MINTER_ADMIN_CLIENT_SECRET must be at least 16 characters');
  }
  const tls = tlsFrom(env);
  const dataDir = resolve(optional(env, 'MINTER_DATA_DIR') ?? './data');
  const config: Config = {
    port,
    host: optional(env, 'HOST') ?? '0.0.0.0',
    issuer: issuerFrom(env, port, tls !== undefined),
    ...(tls && { tls }),
    dataDir,
    databaseUrl: optional(env, 'DATABASE_URL'),
    redisUrl: optional(env, 'REDIS_URL'),
    secretKey: optional(env, 'MINTER_SECRET_KEY'),
    adminClientId,
    adminClientSecret,
    logLevel: optional(env, 'MINTER_LOG_LEVEL') ?? 'info',
    logBatchSize: integer(env, 'MINTER_LOG_BATCH_SIZE', 100, 1),
    logFlushMs: integer(env, 'MINTER_LOG_FLUSH_MS', 1000, 10),
    logBufferMax: integer(env, 'MINTER_LOG_BUFFER_MAX', 100_000, 1),
    pgliteNice: integer(env, 'MINTER_PGLITE_NICE', PGLITE_NICE, 0, 19),
    workers: 1,
    configPollMs: integer(env, 'MINTER_CONFIG_POLL_MS', 30_000, 100),
    actions: {
      memoryLimitMb: integer(env, 'MINTER_ACTIONS_MEMORY_MB', 64, 8),
      chainTimeoutMs: integer(env, 'MINTER_ACTIONS_TIMEOUT_MS', 20_000, 10),
      maxLogBytes: integer(env, 'MINTER_ACTIONS_MAX_LOG_BYTES', 4096, 0),
      syncSliceMs: integer(env, 'MINTER_ACTIONS_SYNC_SLICE_MS', 10, 0),
      allowPrivateEgress: (optional(env, 'MINTER_ACTIONS_ALLOW_PRIVATE_EGRESS') ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
      fetchTimeoutMs: integer(env, 'MINTER_ACTIONS_FETCH_TIMEOUT_MS', 10_000, 1),
      fetchMaxBytes: integer(env, 'MINTER_ACTIONS_FETCH_MAX_BYTES', 1024 * 1024, 1),
      maxIsolates: integer(env, 'MINTER_ACTIONS_MAX_ISOLATES', 64, 1),
      maxTimers: integer(env, 'MINTER_ACTIONS_MAX_TIMERS', 100, 0),
      maxTimersPerIsolate: integer(env, 'MINTER_ACTIONS_MAX_TIMERS_PER_ISOLATE', 10_000, 0),
      maxFetches: integer(env, 'MINTER_ACTIONS_MAX_FETCHES', 20, 0),
      maxFetchesPerIsolate: integer(env, 'MINTER_ACTIONS_MAX_FETCHES_PER_ISOLATE', 200, 0),
      maxCryptoMs: integer(env, 'MINTER_ACTIONS_MAX_CRYPTO_MS', 100, 0),
      isolation: oneOf(env, 'MINTER_ACTIONS_ISOLATION', ['process', 'inline'] as const, 'process'),
      sandboxMaxRssMb: integer(env, 'MINTER_ACTIONS_SANDBOX_MAX_RSS_MB', 2048, 128),
      dependencies: {
        cacheDir: resolve(optional(env, 'MINTER_ACTIONS_DEPS_CACHE') ?? `${dataDir}/npm-cache`),
        registry: registryFrom(env),
        maxBytes: integer(env, 'MINTER_ACTIONS_DEPS_MAX_MB', 50, 1) * 1024 * 1024,
        maxPackages: integer(env, 'MINTER_ACTIONS_DEPS_MAX_PACKAGES', 300, 1),
        timeoutMs: integer(env, 'MINTER_ACTIONS_DEPS_TIMEOUT_MS', 120_000, 1000),
      },
    },
    geoipDb: optional(env, 'MINTER_GEOIP_DB'),
    trustProxy: optional(env, 'MINTER_TRUST_PROXY') === 'true',
    metrics: flag(env, 'MINTER_METRICS', true),
    dashboard: flag(env, 'MINTER_DASHBOARD', true),
    workflowsPrune: flag(env, 'MINTER_WORKFLOWS_PRUNE', false),
  };
  config.workers = workersFrom(env, config.actions.isolation);
  const workflowsDir = optional(env, 'MINTER_WORKFLOWS_DIR');
  if (workflowsDir !== undefined) {
    if (!adminClientId) {
      throw new ConfigError(
        'MINTER_WORKFLOWS_DIR needs MINTER_ADMIN_CLIENT_ID and MINTER_ADMIN_CLIENT_SECRET: the server deploys the ' +
          'folder through its management API as that client',
      );
    }
    config.workflowsDir = resolve(workflowsDir);
  }
  const testCrash = testCrashFrom(env);
  if (testCrash) config.testCrash = testCrash;
  return Object.freeze(config);
}
