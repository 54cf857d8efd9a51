/**
 * Holds the current {@link Snapshot} and rebuilds it when the configuration changes: right after a management
 * write on this instance, on a change notice from another instance (Redis), and on a slow poll as a safety net.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { SecretBox } from '../crypto/secret-box.js';
import { KeySet } from '../keys/key-set.js';
import { listClientGrants } from '../store/client-grants.js';
import { listClients } from '../store/clients.js';
import type { Db } from '../store/database.js';
import { listResourceServers } from '../store/resource-servers.js';
import { listSigningKeys } from '../store/signing-keys.js';
import { Snapshot } from './snapshot.js';

/** Tells other instances that the configuration changed, and hears them. */
export interface ChangeNotifier {
  publish(): Promise<void>;
  subscribe(onChange: () => void): Promise<void>;
  close(): Promise<void>;
}

/** Extra work after each rebuild (the trigger engine loads the bound chain here). */
export type ReloadHook = () => Promise<void>;

export class Registry {
  #snapshot!: Snapshot;
  #reloading: Promise<void> | undefined;
  #again = false;
  #timer: NodeJS.Timeout | undefined;
  readonly #hooks: ReloadHook[] = [];

  constructor(
    readonly db: Db,
    readonly box: SecretBox,
    readonly log: FastifyBaseLogger,
    readonly notifier?: ChangeNotifier,
  ) {}

  /** The picture the hot path reads. */
  get snapshot(): Snapshot {
    return this.#snapshot;
  }

  onReload(hook: ReloadHook): void {
    this.#hooks.push(hook);
  }

  /** Loads the first snapshot, subscribes to change notices and starts the poll. */
  async start(pollMs: number): Promise<void> {
    await this.#rebuild();
    await this.notifier?.subscribe(() => void this.reload().catch((e) => this.log.error(e, 'configuration reload failed')));
    this.#timer = setInterval(() => void this.reload().catch((e) => this.log.error(e, 'configuration reload failed')), pollMs);
    this.#timer.unref();
  }

  /** Rebuilds now (coalescing concurrent calls: one more rebuild runs after the one under way). */
  reload(): Promise<void> {
    if (this.#reloading) {
      this.#again = true;
      return this.#reloading;
    }
    this.#reloading = (async () => {
      try {
        do {
          this.#again = false;
          await this.#rebuild();
        } while (this.#again);
      } finally {
        this.#reloading = undefined;
      }
    })();
    return this.#reloading;
  }

  /** After a management write: rebuild here, then tell the other instances. */
  async changed(): Promise<void> {
    await this.reload();
    await this.notifier?.publish().catch((e) => this.log.warn(e, 'could not publish configuration change'));
  }

  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await this.notifier?.close();
  }

  async #rebuild(): Promise<void> {
    const [clients, apis, grants, keyRows] = await Promise.all([
      listClients(this.db),
      listResourceServers(this.db),
      listClientGrants(this.db),
      listSigningKeys(this.db),
    ]);
    const keys = KeySet.build(keyRows, this.box, this.#snapshot?.keys);
    this.#snapshot = Snapshot.build({ clients, apis, grants }, keys);
    for (const hook of this.#hooks) await hook();
  }
}
