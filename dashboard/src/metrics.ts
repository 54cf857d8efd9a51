/**
 * Reading Minter's Prometheus text (`GET /metrics`): the token counters and the answer-time histogram, and what the
 * Overview draws from two readings: rates per minute and quantiles over a window (as Prometheus'
 * `histogram_quantile` estimates them, linearly inside a bucket).
 */

/** One reading of the counters Overview needs. */
export interface Reading {
  /** When it was read (ms since the epoch). */
  at: number;
  issued: number;
  /** Failed token requests by OAuth error code. */
  failed: Record<string, number>;
  /** Cumulative histogram buckets of the answer time: upper bound (s) → count, ascending, `+Inf` last. */
  buckets: Array<[number, number]>;
}

const SAMPLE = /^([A-Za-z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /(\w+)="((?:[^"\\]|\\.)*)"/g;

/** The readings Overview needs from the exposition text. */
export function parseMetrics(text: string, at: number): Reading {
  const reading: Reading = { at, issued: 0, failed: {}, buckets: [] };
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (!match) continue;
    const [, name, rawLabels = '', rawValue] = match;
    const value = Number(rawValue);
    const labels: Record<string, string> = {};
    for (const [, key, text] of rawLabels.matchAll(LABEL)) labels[key!] = text!.replace(/\\(.)/g, '$1');
    if (name === 'minter_tokens_issued_total') reading.issued = value;
    else if (name === 'minter_token_requests_failed_total' && labels.error) reading.failed[labels.error] = value;
    else if (name === 'minter_token_request_duration_seconds_bucket' && labels.le)
      reading.buckets.push([labels.le === '+Inf' ? Infinity : Number(labels.le), value]);
  }
  reading.buckets.sort((a, b) => a[0] - b[0]);
  return reading;
}

export const failedTotal = (r: Reading) => Object.values(r.failed).reduce((a, b) => a + b, 0);

/** Per minute between two readings. */
export const perMinute = (now: number, before: number, ms: number) => (ms > 0 ? ((now - before) * 60_000) / ms : 0);

/**
 * The q-quantile (0–1) of the answers between `from` and `to` (ms), or undefined when there were none. Within a
 * bucket the answers are taken as spread evenly; in the `+Inf` bucket, the answer is the last finite bound.
 */
export function quantileMs(to: Reading, from: Reading | undefined, q: number): number | undefined {
  const counts = to.buckets.map(([le, count], i) => [le, count - (from?.buckets[i]?.[1] ?? 0)] as const);
  const total = counts.at(-1)?.[1] ?? 0;
  if (total <= 0) return undefined;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const [le, count] of counts) {
    if (count >= rank) {
      if (le === Infinity) return lower * 1000;
      const inBucket = count - below;
      const share = inBucket > 0 ? (rank - below) / inBucket : 0;
      return (lower + (le - lower) * share) * 1000;
    }
    lower = le;
    below = count;
  }
  return lower * 1000;
}
