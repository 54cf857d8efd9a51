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
import type { TriggerEngine } from '../triggers/contract.js';
import { engineFromConfig, geoipLookup } from './trigger-engine.js';
import { openGeoip, type GeoipLookup } from '../triggers/geoip/database.js';
import { quarantineOnLoss } from '../triggers/runtime/quarantine-loss.js';
import { openCrashGuard } from '../triggers/runtime/quarantine-start.js';

export interface Triggers {
  engine: TriggerEngine;
  /** Loads the bundled GeoIP database if it is not yet (before an Auth0 action is tested). */
  needGeoip: () => Promise<void>;
}

export async function openTriggers(
  app: FastifyInstance,
  config: Readonly<Config>,
  { database, box, registry, metrics }: Store & { metrics: Metrics | undefined },
): Promise<Triggers> {
  const { db } = database;
  // GeoIP costs ~130 MB and ~150 ms to load: an operator's own file is opened (and checked) at start; the bundled one
  // only once an Auth0 action is bound or tested, since only Auth0's event carries geoip.
  let geoip: GeoipLookup | undefined = config.geoipDb ? await openGeoip(config.geoipDb) : undefined;
  let geoipLoading: Promise<GeoipLookup> | undefined;
  const needGeoip = async () => {
    geoip ??= await (geoipLoading ??= openGeoip());
  };

  // Before any action is bound: versions a dead process was loading or first running are quarantined first.
  const crashGuard = await openCrashGuard(db, config.dataDir, app.log);
  app.addHook('onClose', () => crashGuard.guard.close());
  const engine = engineFromConfig(config, {
    registry,
    geoip: geoipLookup(() => geoip),
    metrics,
    log: app.log,
    crashGuard: crashGuard.guard,
    onLoss: quarantineOnLoss(db, registry, app.log),
  });
  app.addHook('onClose', () => engine.close());
  registry.onReload(async () => {
    const chain = await loadBoundChain(db, box);
    if (chain.some((action) => action.triggerId === 'credentials-exchange')) await needGeoip();
    engine.setBindings(chain);
  });
  // Other instances stop running the quarantined versions now rather than at their next poll: once the registry
  // follows changes (its notifier connects when it starts), that is when the app is ready.
  if (crashGuard.quarantined.length > 0) {
    app.addHook('onReady', async () => {
      await registry.notifier?.publish().catch((e) => app.log.warn(e, 'could not publish configuration change'));
    });
  }
  return { engine, needGeoip };
}
