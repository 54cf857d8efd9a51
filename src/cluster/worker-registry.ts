/**
 * A token worker's copy of the configuration: the snapshot the token path reads, built from the rows the primary's
 * registry read (cluster/messages.ts `config`), with the signing keys opened here by the worker's own secret box —
 * private keys never cross the channel in the clear. The bound chain goes to the worker's trigger engine through
 * {@link WorkerRegistry.onChain}. A picture older than the one applied is ignored.
 */
import type { SecretBox } from '../crypto/secret-box.js';
import { KeySet } from '../keys/key-set.js';
import { Snapshot, type SnapshotSource } from '../registry/snapshot.js';
import type { DeployedAction } from '../triggers/contract.js';
import type { ConfigPicture } from './messages.js';

export class WorkerRegistry implements SnapshotSource {
  #snapshot: Snapshot | undefined;
  #generation = -1;
  readonly #chainHooks: Array<(chain: DeployedAction[]) => Promise<void> | void> = [];

  constructor(readonly box: SecretBox) {}

  get snapshot(): Snapshot {
    if (this.#snapshot === undefined) throw new Error('the token worker has no configuration yet');
    return this.#snapshot;
  }

  get generation(): number {
    return this.#generation;
  }

  onChain(hook: (chain: DeployedAction[]) => Promise<void> | void): void {
    this.#chainHooks.push(hook);
  }

  /** Builds and swaps the snapshot, then hands the chain on; false when `picture` is not newer than the one served. */
  async apply(picture: ConfigPicture): Promise<boolean> {
    if (picture.generation <= this.#generation) return false;
    const { keyRows, ...rows } = picture.rows;
    const keys = KeySet.build(keyRows, this.box, this.#snapshot?.keys, new Date());
    this.#snapshot = Snapshot.build(rows, keys);
    this.#generation = picture.generation;
    for (const hook of this.#chainHooks) await hook(picture.chain);
    return true;
  }
}
