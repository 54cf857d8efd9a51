/**
 * Storage and the configuration read from it: the secret box, the database (migrated, its sealing key checked), the
 * bootstrap rows, and the in-memory registry over them. The database closes when the app does, after every other
 * part (their close hooks are added later, and Fastify runs `onClose` hooks last-added first).
 */
import type { FastifyInstance } from 'fastify';
import { bootstrap, type BootstrapResult } from '../bootstrap.js';
import type { Config } from '../config.js';
import { loadSecretBox, type SecretBox } from '../crypto/secret-box.js';
import { checkSealingKey } from '../keys/key-rotation.js';
import { redisNotifier } from '../registry/redis-notifier.js';
import { Registry } from '../registry/registry.js';
import { openDatabase, type OpenedDatabase } from '../store/database.js';

export interface Store {
  database: OpenedDatabase;
  box: SecretBox;
  bootstrap: BootstrapResult;
  /** Not yet polling: {@link startRegistry} starts it once everything that reacts to its reloads is wired. */
  registry: Registry;
}

export async function openStore(app: FastifyInstance, config: Readonly<Config>): Promise<Store> {
  const { box } = await loadSecretBox(config.secretKey, config.dataDir);
  const { databaseUrl, dataDir, pgliteNice } = config;
  const database = await openDatabase({ databaseUrl, dataDir, pgliteNice });
  app.addHook('onClose', () => database.close());
  await checkSealingKey(database.db, box);
  const boot = await bootstrap(database.db, box, {
    issuer: config.issuer,
    adminClientId: config.adminClientId,
    adminClientSecret: config.adminClientSecret,
  });
  const notifier = config.redisUrl ? redisNotifier(config.redisUrl) : undefined;
  const registry = new Registry(database.db, box, app.log, notifier);
  return { database, box, bootstrap: boot, registry };
}

/**
 * Loads the first snapshot and starts following changes (poll, and Redis notices between instances). Stopped when
 * the app closes: before the trigger engine, so that no reload hands a closed engine its bindings.
 */
export async function startRegistry(app: FastifyInstance, registry: Registry, pollMs: number): Promise<void> {
  // Added first: a start that fails half-way still lets go of the notifier's connections.
  app.addHook('onClose', () => registry.close());
  await registry.start(pollMs);
}
