/**
 * The load generator, run as its own process: `node dist/bench/load.js '<LoadSpec as JSON>'`. It drives
 * autocannon programmatically (or, with `paced`, the open-loop generator of `paced.ts`) and prints one JSON line,
 * a {@link LoadResult}, on stdout.
 *
 * autocannon's own latency histogram keeps whole milliseconds, too coarse for a sub-millisecond endpoint, so every
 * 2xx response time is recorded here as well, in microseconds, in an HDR histogram.
 */
import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { pacedLoad, type LoadCounts } from './paced.js';

/** What to send and for how long. */
export interface LoadSpec {
  url: string;
  /** Form-encoded request body, sent with every request. */
  body: string;
  connections: number;
  /** Seconds of load, unless `amount` is set. */
  duration?: number;
  /** Stop after this many responses. */
  amount?: number;
  /** Requests per second over all connections (autocannon `overallRate`). */
  overallRate?: number;
  /** With `overallRate`: send open-loop at exactly that rate (`paced.ts`) instead of with autocannon. */
  paced?: boolean;
}

/** What one load run measured. Latencies in ms, from the load generator's side. */
export interface LoadResult {
  ok: number;
  non2xx: number;
  /** Socket errors and timeouts. */
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  /** Wall time of the run (s). */
  seconds: number;
  /** 2xx responses per second. */
  tokensPerSecond: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
  /** CPU time this load generator used, start-up included (s). */
  cpuSeconds: number;
}

async function withAutocannon(spec: LoadSpec, histogram: RecordableHistogram): Promise<LoadCounts> {
  const instance = autocannon({
    url: spec.url,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: spec.body,
    connections: spec.connections,
    pipelining: 1,
    timeout: 10,
    ...(spec.amount ? { amount: spec.amount } : { duration: spec.duration ?? 10 }),
    ...(spec.overallRate && { overallRate: spec.overallRate }),
  });
  instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTimeMs: number) => {
    if (statusCode >= 200 && statusCode < 300) histogram.record(Math.max(1, Math.round(responseTimeMs * 1000)));
  });
  const result = await instance;
  const statusCodes: Record<string, number> = {};
  for (const [code, stats] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = stats.count;
  return {
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
    seconds: (result.finish.getTime() - result.start.getTime()) / 1000,
  };
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '') as LoadSpec;
  // Microseconds; 1 µs to 60 s at 3 significant digits.
  const histogram = createHistogram({ lowest: 1, highest: 60_000_000, figures: 3 });
  const counts =
    spec.paced && spec.overallRate
      ? await pacedLoad(
          {
            url: spec.url,
            body: spec.body,
            rate: spec.overallRate,
            connections: spec.connections,
            duration: spec.duration ?? 10,
          },
          histogram,
        )
      : await withAutocannon(spec, histogram);
  const ms = (us: number) => Math.round(us) / 1000;
  const out: LoadResult = {
    ...counts,
    tokensPerSecond: counts.ok / counts.seconds,
    p50: ms(histogram.percentile(50)),
    p90: ms(histogram.percentile(90)),
    p99: ms(histogram.percentile(99)),
    max: ms(histogram.max),
    mean: ms(histogram.mean),
    cpuSeconds: (() => {
      const { user, system } = process.cpuUsage();
      return (user + system) / 1e6;
    })(),
  };
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((error) => {
  process.stderr.write(`load: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
