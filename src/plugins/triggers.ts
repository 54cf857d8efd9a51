/**
 * The trigger engine (a supervised sandbox process, or inline: trigger-engine.ts) with what it needs: the crash
 * guard's journal, the GeoIP database and the chain of bound actions, reloaded with the registry. Closed when the app
 * closes: the engine, then the crash guard (the inline engine notes its phases there to the end).
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import type { Metrics } from '../observability/metrics.js';
import type { Store } from './store.js';
import { loadBoundChain } from '../triggers/chain-loader.js';
import type { DeployedAction, TriggerEngine } from '../triggers/contract.js';
import { engineFromConfig, geoipLookup } from './trigger-engine.js';
import { openGeoip, type GeoipLookup } from '../triggers/geoip/database.js';
import { quarantineOnLoss } from '../triggers/runtime/quarantine-loss.js';
import { openCrashGuard } from '../triggers/runtime/quarantine-start.js';

export interface Triggers {
  engine: TriggerEngine;
  /** Loads the bundled GeoIP database if it is not yet (before an Auth0 action is tested). */
  needGeoip: () => Promise<void>;
  /** The bound chain as last loaded (what token workers are sent: cluster/primary.ts). */
  chain: () => DeployedAction[];
}

/**
 * `event.request.geoip`'s database: an operator's own file is opened (and checked) at start; the bundled one (~130 MB,
 * ~150 ms to load) only once an Auth0 action is bound or tested, since only Auth0's event carries geoip.
 */
export async function geoipLoader(file: string | undefined): Promise<{
  lookup: (ip: string) => Record<string, unknown>;
  need: () => Promise<void>;
}> {
  let geoip: GeoipLookup | undefined = file ? await openGeoip(file) : undefined;
  let loading: Promise<GeoipLookup> | undefined;
  return {
    lookup: geoipLookup(() => geoip),
    need: async () => {
      geoip ??= await (loading ??= openGeoip());
    },
  };
}

/** Hands `engine` the chain to run, the GeoIP database loaded first when an Auth0 action (whose event has it) is in it. */
export async function bindChain(
  engine: TriggerEngine,
  geoip: { need: () => Promise<void> },
  chain: DeployedAction[],
): Promise<void> {
  if (chain.some((action) => action.triggerId === 'credentials-exchange')) await geoip.need();
  engine.setBindings(chain);
}

/**
 * `bind: false` (a cluster's primary, whose token workers run the chain): the chain is loaded and kept for them, and
 * the engine here only builds and tests actions for the management API.
 */
export async function openTriggers(
  app: FastifyInstance,
  config: Readonly<Config>,
  { database, box, registry, metrics }: Store & { metrics: Metrics | undefined },
  { bind }: { bind: boolean } = { bind: true },
): Promise<Triggers> {
  const { db } = database;
  const geoip = await geoipLoader(config.geoipDb);

  // Before any action is bound: versions a dead process was loading or first running are quarantined first.
  const crashGuard = await openCrashGuard(db, config.dataDir, app.log);
  app.addHook('onClose', () => crashGuard.guard.close());
  const engine = engineFromConfig(config, {
    registry,
    geoip: geoip.lookup,
    metrics,
    log: app.log,
    crashGuard: crashGuard.guard,
    onLoss: quarantineOnLoss(db, registry, app.log),
  });
  app.addHook('onClose', () => engine.close());
  let chain: DeployedAction[] = [];
  registry.onReload(async () => {
    chain = await loadBoundChain(db, box);
    if (bind) await bindChain(engine, geoip, chain);
  });
  // Other instances stop running the quarantined versions now rather than at their next poll: once the registry
  // follows changes (its notifier connects when it starts), that is when the app is ready.
  if (crashGuard.quarantined.length > 0) {
    app.addHook('onReady', async () => {
      await registry.notifier?.publish().catch((e) => app.log.warn(e, 'could not publish configuration change'));
    });
  }
  return { engine, needGeoip: geoip.need, chain: () => chain };
}
