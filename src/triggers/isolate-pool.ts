/**
 * The warm isolates of the bound chain: one per deployed action version, reused across requests. Binding a new
 * version creates (prewarms) its isolate; a version that leaves the chain is retired and disposed once idle.
 */
import type { DeployedAction } from './contract.js';
import { fingerprint, type SandboxOptions } from './isolate-factory.js';
import { VersionIsolate } from './version-isolate.js';

/** One position of the bound chain. */
export interface ChainLink {
  action: DeployedAction;
  isolate: VersionIsolate;
}

export class IsolatePool {
  readonly #options: SandboxOptions;
  /** versionId → isolate. */
  #entries = new Map<string, VersionIsolate>();

  constructor(options: SandboxOptions) {
    this.#options = options;
  }

  /** Keeps isolates for exactly these actions and returns the chain to run. */
  sync(actions: readonly DeployedAction[]): ChainLink[] {
    const next = new Map<string, VersionIsolate>();
    const links = actions.map((action) => {
      let isolate = next.get(action.versionId) ?? this.#entries.get(action.versionId);
      if (isolate === undefined || isolate.fingerprint !== fingerprint(action)) {
        isolate = new VersionIsolate(action, this.#options);
        isolate.prewarm(this.#options.chainTimeoutMs);
      }
      next.set(action.versionId, isolate);
      return { action, isolate };
    });
    for (const [versionId, isolate] of this.#entries) if (next.get(versionId) !== isolate) isolate.retire();
    this.#entries = next;
    return links;
  }

  /** A standalone isolate for one run (`test`), not kept in the pool. */
  standalone(action: DeployedAction): VersionIsolate {
    return new VersionIsolate(action, this.#options);
  }

  close(): void {
    for (const isolate of this.#entries.values()) isolate.close();
    this.#entries = new Map();
  }
}
