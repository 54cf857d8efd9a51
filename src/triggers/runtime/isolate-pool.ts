/**
 * The warm isolates of the bound chain: one per deployed action version, reused across requests. Binding a new
 * version creates (prewarms) its isolate; a version that leaves the chain is retired and disposed once idle.
 *
 * A quarantined version gets no isolate: its position in the chain fails every run with a message that says why
 * and how to lift it. The prewarm and the first run of every other version are noted in the crash guard
 * (crash-guard.ts) while they are under way, so that one that kills the process is quarantined at the next start.
 */
import type { DeployedAction } from '../contract.js';
import { crashIfTold, type PhaseGuard, type TestCrash } from './crash-guard.js';
import { failure, fingerprint, type SandboxOptions } from './isolate-factory.js';
import { VersionIsolate, type InvokeOutcome } from './version-isolate.js';

/** What runs one position of the chain. */
export interface ChainRunner {
  /** Runs one request of `client`; `deadline` is a `performance.now()` time. Never throws. */
  invoke(payload: string, deadline: number, client: string): Promise<InvokeOutcome>;
}

/** One position of the bound chain. */
export interface ChainLink {
  action: DeployedAction;
  isolate: ChainRunner;
}

/** The crash guard and its test-only trigger, as the pool uses them. */
export interface PoolGuard {
  guard?: PhaseGuard;
  testCrash?: TestCrash;
}

/** A version's isolates, and the runner the chain calls: notes the first run in the crash guard, then steps aside. */
class GuardedVersion implements ChainRunner {
  readonly isolate: VersionIsolate;
  readonly #guard: PoolGuard;
  #firstRun = true;

  constructor(isolate: VersionIsolate, guard: PoolGuard) {
    this.isolate = isolate;
    this.#guard = guard;
  }

  invoke(payload: string, deadline: number, client: string): Promise<InvokeOutcome> {
    if (!this.#firstRun) return this.isolate.invoke(payload, deadline, client);
    this.#firstRun = false;
    const { versionId, name } = this.isolate.action;
    if (this.#guard.guard?.enter(versionId, 'first_run') !== true)
      return this.isolate.invoke(payload, deadline, client);
    crashIfTold(this.#guard.testCrash, name, 'first_run');
    const outcome = this.isolate.invoke(payload, deadline, client);
    void outcome.then(() => this.#guard.guard?.leave(versionId, 'first_run'));
    return outcome;
  }
}

/** Where a quarantined version would run: every run fails, saying why and what lifts it. */
function quarantined(action: DeployedAction, quarantine: NonNullable<DeployedAction['quarantine']>): ChainRunner {
  const message =
    `Version ${action.versionId} of action "${action.name}" is quarantined since ${quarantine.since}: ${quarantine.reason} ` +
    `Deploy a new version, roll back to another one, or lift it with DELETE /api/v2/actions/actions/${action.actionId}` +
    `/versions/${action.versionId}/quarantine (docs/security.md, "Quarantine").`;
  const outcome = Promise.resolve(Object.freeze(failure('runtime', message)));
  return { invoke: () => outcome };
}

export class IsolatePool {
  readonly #options: SandboxOptions;
  readonly #guard: PoolGuard;
  /** versionId → the version's isolates. */
  #entries = new Map<string, GuardedVersion>();

  constructor(options: SandboxOptions, guard: PoolGuard = {}) {
    this.#options = options;
    this.#guard = guard;
  }

  /** Keeps isolates for exactly these actions (none for a quarantined one) and returns the chain to run. */
  sync(actions: readonly DeployedAction[]): ChainLink[] {
    const next = new Map<string, GuardedVersion>();
    const links = actions.map((action): ChainLink => {
      if (action.quarantine !== undefined) return { action, isolate: quarantined(action, action.quarantine) };
      let version = next.get(action.versionId) ?? this.#entries.get(action.versionId);
      if (version === undefined || version.isolate.fingerprint !== fingerprint(action)) {
        version = new GuardedVersion(new VersionIsolate(action, this.#options), this.#guard);
        this.#prewarm(version.isolate);
      }
      next.set(action.versionId, version);
      return { action, isolate: version };
    });
    for (const [versionId, version] of this.#entries) if (next.get(versionId) !== version) version.isolate.retire();
    this.#entries = next;
    return links;
  }

  /** A standalone isolate for one run (`test`), not kept in the pool. */
  standalone(action: DeployedAction): VersionIsolate {
    return new VersionIsolate(action, this.#options);
  }

  close(): void {
    for (const version of this.#entries.values()) version.isolate.close();
    this.#entries = new Map();
  }

  /** Creates the warm isolate, noted in the crash guard until its creation has settled. */
  #prewarm(isolate: VersionIsolate): void {
    const { versionId, name } = isolate.action;
    const { guard, testCrash } = this.#guard;
    const noted = guard?.enter(versionId, 'prewarm') === true;
    const settled = isolate.prewarm(this.#options.chainTimeoutMs);
    // Once the load has begun (its start is reported), as a crash in top-level code would come.
    if (noted) crashIfTold(testCrash, name, 'prewarm');
    if (noted) void settled.then(() => guard?.leave(versionId, 'prewarm'));
  }
}
