/**
 * The crash guard: which action versions were loading or on their first run when the process died.
 *
 * Defence in depth behind the sandbox (docs/security.md, "quarantine"): if action code ever reaches a native crash
 * that no one found, the process dies with it, and without this the same version would kill every restart while it
 * is prewarmed. So before a version's prewarm and before its first run in this process, a line goes into a journal
 * in the data dir, written synchronously (the process may die in the very next instruction); once the phase ended
 * in any way the process survived, a second line clears it, asynchronously (nobody waits for it). On the next start,
 * an entry never cleared is a version that was loading or running when the process died: the server quarantines it
 * (store/actions.ts) before it binds any action.
 *
 * Cost: one `appendFileSync` of ~80 bytes per version and phase per process lifetime (~10–30 µs), never one per
 * request. No fsync: the page cache outlives a killed process, and a power cut is no action's fault (a lost line
 * there can only spare a version, or — a clearing line lost — quarantine one wrongly; both are rare and visible).
 *
 * The journal is append-only: `+` and `-` lines of one process carry its random session id, so a late clearing
 * line of an earlier process in the same data dir never clears an entry of this one, and lines written out of
 * order (sync and async appends of different entries) mean the same. It is emptied at start, once the entries are
 * recorded in the database, and at a clean stop (what was under way then was stopped by us, not by a crash).
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** The phases the guard watches. */
export type GuardedPhase = 'prewarm' | 'first_run';

/** An entry a dead process left: the version was in `phase` since `since`. */
export interface CrashSuspect {
  versionId: string;
  phase: GuardedPhase;
  since: Date;
}

/** The journal's file name in the data dir. */
export const CRASH_GUARD_FILE = 'crash-guard.journal';

const PHASES: readonly string[] = ['prewarm', 'first_run'] satisfies GuardedPhase[];

/** Reads a journal's uncleared entries; lines that are not whole (a write cut short) are ignored. */
export function parseJournal(text: string): CrashSuspect[] {
  const open = new Map<string, CrashSuspect>();
  for (const line of text.split('\n')) {
    const [sign, session, versionId, phase, since] = line.split('\t');
    if (!session || !versionId || !phase || !PHASES.includes(phase)) continue;
    const key = `${session}\t${versionId}\t${phase}`;
    if (sign === '-') open.delete(key);
    else if (sign === '+' && since !== undefined && !Number.isNaN(Date.parse(since))) {
      open.set(key, { versionId, phase: phase as GuardedPhase, since: new Date(since) });
    }
  }
  // One suspect per version: the phase that began last (a first run that began while the prewarm was still loading,
  // or before the prewarm's clearing line was written, is what the process was doing).
  const byVersion = new Map<string, CrashSuspect>();
  for (const suspect of open.values()) {
    const known = byVersion.get(suspect.versionId);
    if (
      known === undefined ||
      suspect.since > known.since ||
      (+suspect.since === +known.since && suspect.phase === 'first_run')
    ) {
      byVersion.set(suspect.versionId, suspect);
    }
  }
  return [...byVersion.values()];
}

/** The operator's explanation of a quarantine, stored with it. */
export function quarantineReason(suspect: CrashSuspect): string {
  const what =
    suspect.phase === 'prewarm' ? 'loading this version (prewarm)' : 'running this version for the first time';
  return (
    `A Minter process ended while it was ${what}, begun at ${suspect.since.toISOString()}: the version may crash the ` +
    'process, so it was quarantined at the next start.'
  );
}

/** What the isolate pool notes a version's prewarm and first run in (isolate-pool.ts). */
export interface PhaseGuard {
  /** Notes that `versionId` enters `phase`; true the first time per version and phase (then the phase is watched). */
  enter(versionId: string, phase: GuardedPhase): boolean;
  /** The phase ended and the process survived it. */
  leave(versionId: string, phase: GuardedPhase): void;
}

/**
 * The guard of the sandbox process (sandbox-host.ts): nothing written, since the server that supervises it sees its
 * end and what it was loading and running (sandbox-supervisor.ts); it only makes each phase's first time known, for
 * the test-only crash trigger.
 */
export class FirstTimeGuard implements PhaseGuard {
  readonly #entered = new Set<string>();

  enter(versionId: string, phase: GuardedPhase): boolean {
    const key = `${versionId}\t${phase}`;
    if (this.#entered.has(key)) return false;
    this.#entered.add(key);
    return true;
  }

  leave(): void {}
}

export class CrashGuard implements PhaseGuard {
  readonly #file: string;
  readonly #session = randomBytes(6).toString('base64url');
  readonly #entered = new Set<string>();
  readonly #onError: (error: unknown) => void;
  #closed = false;

  private constructor(file: string, onError: (error: unknown) => void) {
    this.#file = file;
    this.#onError = onError;
  }

  /**
   * Opens the journal at `file` and reads what the process before left in it. A data dir that cannot be written is
   * reported and leaves the guard off (the server still starts: the guard is a second line of defence).
   */
  static open(file: string, onError: (error: unknown) => void): { guard: CrashGuard; suspects: CrashSuspect[] } {
    const guard = new CrashGuard(file, onError);
    let text = '';
    try {
      mkdirSync(dirname(file), { recursive: true });
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') onError(error);
    }
    return { guard, suspects: parseJournal(text) };
  }

  /** Empties the journal: at start once its suspects are recorded in the database. */
  forget(): void {
    try {
      writeFileSync(this.#file, '');
    } catch (error) {
      this.#onError(error);
    }
  }

  /**
   * Notes, synchronously, that `versionId` enters `phase`. False, and nothing written, when it already did in this
   * process (at most one write per version and phase per lifetime) or the guard is closed.
   */
  enter(versionId: string, phase: GuardedPhase): boolean {
    const key = `${versionId}\t${phase}`;
    if (this.#closed || this.#entered.has(key)) return false;
    this.#entered.add(key);
    try {
      appendFileSync(this.#file, `+\t${this.#session}\t${key}\t${new Date().toISOString()}\n`);
    } catch (error) {
      this.#onError(error);
    }
    return true;
  }

  /** Clears an entry, asynchronously: the process survived the phase. */
  leave(versionId: string, phase: GuardedPhase): void {
    if (this.#closed) return;
    appendFile(this.#file, `-\t${this.#session}\t${versionId}\t${phase}\n`).catch(this.#onError);
  }

  /** A clean stop: whatever was under way was ended by us, not by a crash. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.forget();
  }
}

/**
 * Test-only (MINTER_TEST_CRASH_ON_ACTION_NAME, config.ts): the action whose versions make the engine abort the
 * process at `phase`, as a native crash in action code would. Unset in production; action code cannot set it.
 */
export interface TestCrash {
  actionName: string;
  phase: GuardedPhase;
}

/** Aborts the process if `testCrash` names this action and phase. */
export function crashIfTold(testCrash: TestCrash | undefined, actionName: string, phase: GuardedPhase): void {
  if (testCrash !== undefined && testCrash.actionName === actionName && testCrash.phase === phase) process.abort();
}
