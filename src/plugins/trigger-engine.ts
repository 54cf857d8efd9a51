/**
 * The trigger engine the configuration asks for (`MINTER_ACTIONS_ISOLATION`): by default a supervised sandbox process
 * (triggers/runtime/sandbox-supervisor.ts), or `inline`, the engine in the server's own process.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';
import type { Metrics } from '../observability/metrics.js';
import type { SnapshotSource } from '../registry/snapshot.js';
import { InMemoryActionCache } from '../triggers/auth0/cache.js';
import type { TriggerEngine } from '../triggers/contract.js';
import type { PhaseGuard } from '../triggers/runtime/crash-guard.js';
import { createEgressFetch } from '../triggers/egress/fetch.js';
import { createTriggerEngine } from '../triggers/engine.js';
import type { GeoipLookup } from '../triggers/geoip/database.js';
import { kindeManagementGet } from '../triggers/kinde/management.js';
import { SandboxSupervisor, type SupervisorOptions } from '../triggers/runtime/sandbox-supervisor.js';

/** `event.request.geoip` from the database loaded so far (`{}` until it is). */
export const geoipLookup = (current: () => GeoipLookup | undefined) => (ip: string) =>
  (current()?.lookup(ip) ?? {}) as Record<string, unknown>;

export interface EngineDependencies {
  registry: SnapshotSource;
  geoip: (ip: string) => Record<string, unknown>;
  metrics: Metrics | undefined;
  log: FastifyBaseLogger;
  /** Inline only: the journal that notes each version's prewarm and first run (triggers/runtime/crash-guard.ts). */
  crashGuard: PhaseGuard;
  /**
   * Process only: what the sandbox process was loading and first running when it was lost
   * (triggers/runtime/quarantine-loss.ts).
   */
  onLoss: NonNullable<SupervisorOptions['onLoss']>;
}

export function engineFromConfig(config: Readonly<Config>, deps: EngineDependencies): TriggerEngine {
  const { actions } = config;
  const { registry, metrics } = deps;
  const kindeGet = async (endpoint: string) => kindeManagementGet(registry.snapshot, endpoint);
  const onBatch = metrics && ((requests: number) => metrics.triggerBatch(requests));
  const egress = {
    timeoutMs: actions.fetchTimeoutMs,
    maxResponseBytes: actions.fetchMaxBytes,
    allowPrivate: actions.allowPrivateEgress,
  };
  const caps = {
    maxIsolates: actions.maxIsolates,
    maxTimers: actions.maxTimers,
    maxTimersPerIsolate: actions.maxTimersPerIsolate,
    maxFetches: actions.maxFetches,
    maxFetchesPerIsolate: actions.maxFetchesPerIsolate,
    maxCryptoMs: actions.maxCryptoMs,
  };
  if (actions.isolation === 'inline') {
    return createTriggerEngine({
      memoryLimitMb: actions.memoryLimitMb,
      chainTimeoutMs: actions.chainTimeoutMs,
      maxLogBytesPerAction: actions.maxLogBytes,
      syncSliceMs: actions.syncSliceMs,
      ...caps,
      ...(onBatch && { onBatch }),
      geoip: deps.geoip,
      crashGuard: deps.crashGuard,
      ...(config.testCrash && { testCrash: config.testCrash }),
      host: { cache: new InMemoryActionCache(), fetch: createEgressFetch(egress), kindeManagementGet: kindeGet },
    });
  }
  return new SandboxSupervisor({
    settings: {
      memoryLimitMb: actions.memoryLimitMb,
      chainTimeoutMs: actions.chainTimeoutMs,
      maxLogBytes: actions.maxLogBytes,
      syncSliceMs: actions.syncSliceMs,
      ...caps,
      egress,
      maxRssMb: actions.sandboxMaxRssMb,
      ...(config.testCrash && { testCrash: config.testCrash }),
    },
    geoip: deps.geoip,
    kindeManagementGet: kindeGet,
    ...(onBatch && { onBatch }),
    ...(metrics && { onReplaced: (reason) => metrics.sandboxReplaced(reason) }),
    onLoss: deps.onLoss,
    log: deps.log,
  });
}
