/**
 * Which action versions to quarantine after the sandbox process was lost (docs/security.md, "quarantine").
 *
 * When the sandbox process ends (a V8 fatal error, its memory cap, a starved thread pool) or stops answering, the
 * supervisor knows what it was doing: the versions whose isolates were loading, and those of the requests in flight.
 * Quarantine is for failures that would repeat on every start or every request — a crash loop — not for one input:
 *
 * - a version that was **loading** (its top-level code runs then, the same for every request) is a suspect;
 * - a version that was **running** is a suspect only if it never finished a run in this server process: a version that
 *   served requests and then ended the sandbox on one is failing on that input, and quarantining it would let whoever
 *   sends that input switch off token issuance for everyone; the sandbox process is replaced instead and the request
 *   fails.
 *
 * One suspect alone is quarantined at once. Several suspects (a chain of two new actions, two loading) each get a
 * strike; a version with {@link STRIKES} strikes within {@link STRIKE_WINDOW_MS} is quarantined — so a culprit among
 * several is quarantined on the second loss at the latest, at the price of an innocent version that was there both
 * times (the operator lifts its quarantine). A version whose stopped call or load did not give its thread back
 * (`stuck`) is quarantined under the same first-run rule. Draft versions (`test` runs) are never quarantined: they are
 * not stored.
 */

/** Strikes that quarantine a version that was one of several suspects. */
export const STRIKES = 2;
/** How long a strike counts, in ms. */
export const STRIKE_WINDOW_MS = 10 * 60_000;

/** What was going on when the sandbox process was lost. */
export interface SandboxLoss {
  /** How it ended, for the operator: `signal SIGABRT`, `no answer for 5000 ms`, the process's own reason, … */
  how: string;
  /** Versions whose isolates were loading (top-level code). */
  loading: readonly string[];
  /** Versions of the requests in flight that never finished a run in this server process. */
  firstRuns: readonly string[];
}

export interface Quarantine {
  versionId: string;
  /** Why, in a sentence the operator reads in the management API and in each failed request's execution record. */
  reason: string;
}

/** Versions that are not stored and cannot be quarantined: `test` runs of a draft (action-versions.ts). */
const isDraft = (versionId: string) => versionId.startsWith('draft-');

export class CrashAttribution {
  readonly #strikes = new Map<string, number[]>();

  /** The versions to quarantine after `loss`. */
  lost(loss: SandboxLoss, now = Date.now()): Quarantine[] {
    const suspects = new Map<string, string>();
    for (const versionId of loss.firstRuns) suspects.set(versionId, 'running its first request');
    for (const versionId of loss.loading) suspects.set(versionId, 'loading');
    const verdicts: Quarantine[] = [];
    for (const [versionId, phase] of suspects) {
      if (isDraft(versionId)) continue;
      const strikes = [...(this.#strikes.get(versionId) ?? []).filter((at) => now - at < STRIKE_WINDOW_MS), now];
      this.#strikes.set(versionId, strikes);
      if (suspects.size === 1 || strikes.length >= STRIKES) {
        const alone = suspects.size === 1 ? '' : ` (one of ${suspects.size} suspects, as in a loss less than ${STRIKE_WINDOW_MS / 60_000} minutes before)`;
        verdicts.push({ versionId, reason: `the sandbox process ended (${loss.how}) while this version was ${phase}${alone}` });
        this.#strikes.delete(versionId);
      }
    }
    return verdicts;
  }

  /** A version whose stopped call or load did not give its thread back; `proven` when it finished a run before. */
  stuck(versionId: string, proven: boolean): Quarantine[] {
    if (isDraft(versionId) || proven) return [];
    this.#strikes.delete(versionId);
    return [{ versionId, reason: 'a call of this version was stopped but its thread did not come back (a built-in that never checks for termination)' }];
  }
}
