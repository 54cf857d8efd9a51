/**
 * Reads `/metrics` every 5 s while someone is signed in and keeps the last 30 minutes of readings, so that Overview
 * has a history when it opens. `/metrics` needs no token (Prometheus scrapes it as it scrapes `/health`). The counters
 * count since Minter started; the history starts when this tab signed in (a reload starts it again).
 */
import { parseMetrics, type Reading } from './metrics';
import { minterUrl } from './session';

export const SAMPLE_EVERY_MS = 5000;
const KEEP = (30 * 60_000) / SAMPLE_EVERY_MS;

export interface SamplerState {
  readings: Reading[];
  /** Why the last reading failed (metrics off, server away), when it did. */
  error?: string;
}

let state: SamplerState = { readings: [] };
let timer: ReturnType<typeof setInterval> | undefined;
const listeners = new Set<(state: SamplerState) => void>();

async function sample(): Promise<void> {
  try {
    const response = await fetch(minterUrl('metrics'), { cache: 'no-store' });
    if (response.status === 404)
      throw new Error('Metrics are off on this server (MINTER_METRICS=false): turn them on to see charts.');
    if (!response.ok) throw new Error(`/metrics answered ${response.status}.`);
    const reading = parseMetrics(await response.text(), Date.now());
    state = { readings: [...state.readings, reading].slice(-KEEP) };
  } catch (error) {
    state = {
      ...state,
      error: error instanceof TypeError ? 'Minter did not answer /metrics.' : (error as Error).message,
    };
  }
  for (const listener of listeners) listener(state);
}

export function startSampler(): void {
  if (timer !== undefined) return;
  void sample();
  timer = setInterval(() => void sample(), SAMPLE_EVERY_MS);
}

/** Stops sampling (signing out). The readings stay for the next sign-in in this tab: `/metrics` is public anyway. */
export function stopSampler(): void {
  clearInterval(timer);
  timer = undefined;
}

/** Calls `listener` on every new reading; returns the unsubscribe. */
export function subscribe(listener: (state: SamplerState) => void): () => void {
  listeners.add(listener);
  listener(state);
  return () => listeners.delete(listener);
}

/** Takes a reading now (Overview's "Refresh"). */
export const sampleNow = sample;
