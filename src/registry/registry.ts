/**
 * Holds the current {@link Snapshot} and rebuilds it when the configuration changes: right after a management
 * write on this instance, on a change notice from another instance (Redis), and on a slow poll as a safety net.
 *
 * The first two always rebuild. The poll first reads one fingerprint of the configuration tables
 * (`store/config-fingerprint.ts`) and rebuilds only when it differs from the one taken before the last rebuild
 * (a change written behind Minter's back, or a notice that never arrived), or when a retired signing key's
 * `publish_until` has passed since (the JWKS depends on the clock, not only on the rows). An idle poll is one small
 * query, not four table reads plus the reload hooks.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { SecretBox } from '../crypto/secret-box.js';
import { KeySet } from '../keys/key-set.js';
import { listAllClientCredentials } from '../store/client-credentials.js';
import { listClientGrants } from '../store/client-grants.js';
import { listClients } from '../store/clients.js';
import { listAllOrganizationGrants, listOrganizations } from '../store/organizations.js';
import { configFingerprint } from '../store/config-fingerprint.js';
import type { Db } from '../store/database.js';
import { listResourceServers } from '../store/resource-servers.js';
import { listSigningKeys, type SigningKeyRow } from '../store/signing-keys.js';
import { errorSummary } from '../observability/error-summary.js';
import { Snapshot, type SnapshotRows } from './snapshot.js';

/** Every row a snapshot is built from, signing keys included (sealed): what token workers are sent (cluster/). */
export interface ConfigRows extends SnapshotRows {
  keyRows: SigningKeyRow[];
}

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
  #rows!: ConfigRows;
  #reloading: Promise<void> | undefined;
  /** What to do once the run under way ends: a rebuild wins over a poll. */
  #wanted: 'poll' | 'rebuild' | undefined;
  /** Fingerprint taken before the reads of the last rebuild. */
  #fingerprint: string | undefined;
  /** When the next retired key leaves the JWKS (ms since the epoch), which needs a rebuild though no row changed. */
  #nextExpiry = Infinity;
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

  /** The rows of the current snapshot, as read (the keys still sealed). */
  get rows(): ConfigRows {
    return this.#rows;
  }

  onReload(hook: ReloadHook): void {
    this.#hooks.push(hook);
  }

  /** Loads the first snapshot, subscribes to change notices and starts the poll. */
  async start(pollMs: number): Promise<void> {
    await this.#rebuild();
    await this.notifier?.subscribe(() => void this.reload().catch(this.#failed('configuration reload failed')));
    this.#timer = setInterval(() => void this.poll().catch(this.#failed('configuration poll failed')), pollMs);
    this.#timer.unref();
  }

  /**
   * Reports a failed reload or poll: a database away (an error with a code) in one line without its stack, as it
   * repeats every poll until the database is back; anything else, a bug, with its stack.
   */
  #failed(what: string): (error: unknown) => void {
    return (error) => {
      const dependency = typeof (error as { code?: unknown } | null)?.code === 'string';
      this.log.error(dependency ? { error: errorSummary(error) } : error, what);
    };
  }

  /** Rebuilds now (coalescing concurrent calls: one more rebuild runs after the one under way). */
  reload(): Promise<void> {
    return this.#schedule('rebuild');
  }

  /** The periodic check: rebuilds only if the configuration tables changed since the last rebuild (or a key expired). */
  poll(): Promise<void> {
    return this.#schedule('poll');
  }

  #schedule(kind: 'poll' | 'rebuild'): Promise<void> {
    if (kind === 'rebuild' || !this.#wanted) this.#wanted = kind;
    this.#reloading ??= (async () => {
      try {
        while (this.#wanted) {
          const next = this.#wanted;
          this.#wanted = undefined;
          if (next === 'rebuild') await this.#rebuild();
          else await this.#rebuildIfChanged();
        }
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

  async #rebuildIfChanged(): Promise<void> {
    const fingerprint = await configFingerprint(this.db);
    if (fingerprint === this.#fingerprint && Date.now() < this.#nextExpiry) return;
    await this.#rebuild(fingerprint);
  }

  /**
   * Reads everything and swaps the snapshot. The fingerprint is read before the tables, so a change landing between
   * the two is at worst read twice (the next poll sees a newer fingerprint), never missed.
   */
  async #rebuild(known?: string): Promise<void> {
    const fingerprint = known ?? (await configFingerprint(this.db));
    const [clients, apis, grants, keyRows, credentials, organizations, organizationGrants] = await Promise.all([
      listClients(this.db),
      listResourceServers(this.db),
      listClientGrants(this.db),
      listSigningKeys(this.db),
      listAllClientCredentials(this.db),
      listOrganizations(this.db),
      listAllOrganizationGrants(this.db),
    ]);
    const now = new Date();
    const keys = KeySet.build(keyRows, this.box, this.#snapshot?.keys, now);
    const rows = { clients, apis, grants, credentials, organizations, organizationGrants };
    this.#snapshot = Snapshot.build(rows, keys);
    this.#rows = { ...rows, keyRows };
    for (const hook of this.#hooks) await hook();
    // Only once everything (hooks included) is built: a failed rebuild is tried again by the next poll.
    this.#fingerprint = fingerprint;
    this.#nextExpiry = Math.min(
      Infinity,
      ...keyRows
        .filter((row) => row.status === 'previous' && row.publish_until && row.publish_until > now)
        .map((row) => row.publish_until!.getTime()),
    );
  }
}
