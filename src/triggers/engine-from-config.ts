/**
 * The trigger engine the configuration asks for (`MINTER_ACTIONS_ISOLATION`): by default a supervised sandbox process
 * (sandbox-supervisor.ts), or `inline`, the engine in the server's own process.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';
import type { Metrics } from '../observability/metrics.js';
import type { Registry } from '../registry/registry.js';
import { InMemoryActionCache } from './action-cache.js';
import type { TriggerEngine } from './contract.js';
import { createEgressFetch } from './egress.js';
import { createTriggerEngine } from './engine.js';
import type { GeoipLookup } from './geoip.js';
import { kindeManagementGet } from './kinde-management.js';
import { SandboxSupervisor } from './sandbox-supervisor.js';

/** `event.request.geoip` from the database loaded so far (`{}` until it is). */
export const geoipLookup = (current: () => GeoipLookup | undefined) => (ip: string) => (current()?.lookup(ip) ?? {}) as Record<string, unknown>;

export function engineFromConfig(
  config: Readonly<Config>,
  registry: Registry,
  geoip: (ip: string) => Record<string, unknown>,
  metrics: Metrics | undefined,
  log: FastifyBaseLogger,
): TriggerEngine {
  const { actions } = config;
  const kindeGet = async (endpoint: string) => kindeManagementGet(registry.snapshot, endpoint);
  const onBatch = metrics && ((requests: number) => metrics.triggerBatch(requests));
  const egress = { timeoutMs: actions.fetchTimeoutMs, maxResponseBytes: actions.fetchMaxBytes, allowPrivate: actions.allowPrivateEgress };
  if (actions.isolation === 'inline') {
    return createTriggerEngine({
      memoryLimitMb: actions.memoryLimitMb,
      chainTimeoutMs: actions.chainTimeoutMs,
      maxLogBytesPerAction: actions.maxLogBytes,
      syncSliceMs: actions.syncSliceMs,
      ...(onBatch && { onBatch }),
      geoip,
      host: { cache: new InMemoryActionCache(), fetch: createEgressFetch(egress), kindeManagementGet: kindeGet },
    });
  }
  return new SandboxSupervisor({
    settings: {
      memoryLimitMb: actions.memoryLimitMb,
      chainTimeoutMs: actions.chainTimeoutMs,
      maxLogBytes: actions.maxLogBytes,
      syncSliceMs: actions.syncSliceMs,
      egress,
      maxRssMb: actions.sandboxMaxRssMb,
    },
    geoip,
    kindeManagementGet: kindeGet,
    ...(onBatch && { onBatch }),
    ...(metrics && { onReplaced: (reason: string) => metrics.sandboxReplaced(reason) }),
    log,
  });
}
