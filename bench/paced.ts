/**
 * An open-loop load at a fixed rate: one request every `1000 / rate` ms whatever the server does, over a pool of
 * keep-alive connections. autocannon's `overallRate` instead gives each connection a budget per second, which it
 * spends back to back at the start of every second, so its latencies measure bursts; and a closed loop sends less
 * while the server stalls, which hides the stall (coordinated omission). Here a request is timed from the moment
 * it was due to be sent, so waiting behind a stalled server counts; the generator's own timer lateness does not.
 */
import { Agent, request } from 'node:http';
import type { RecordableHistogram } from 'node:perf_hooks';

export interface PacedSpec {
  url: string;
  body: string;
  /** Requests per second. */
  rate: number;
  /** Keep-alive connections at most; requests beyond wait for one (and that wait is counted). */
  connections: number;
  /** Seconds of sending. */
  duration: number;
}

export interface LoadCounts {
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  seconds: number;
}

/** Seconds a request may take before it counts as a timeout. */
const TIMEOUT_S = 10;

/** Sends at `spec.rate` for `spec.duration` s, records 2xx latencies (µs) into `histogram`, waits for the stragglers. */
export function pacedLoad(spec: PacedSpec, histogram: RecordableHistogram): Promise<LoadCounts> {
  const agent = new Agent({ keepAlive: true, maxSockets: spec.connections });
  const url = new URL(spec.url);
  const body = Buffer.from(spec.body);
  const headers = {
    'content-type': 'application/x-www-form-urlencoded',
    'content-length': String(body.length),
    accept: 'application/json',
  };
  const counts: LoadCounts = { ok: 0, non2xx: 0, errors: 0, timeouts: 0, statusCodes: {}, seconds: 0 };
  const intervalMs = 1000 / spec.rate;
  const total = Math.round(spec.rate * spec.duration);
  const started = performance.now();
  let sent = 0;
  let done = 0;

  return new Promise((resolve) => {
    const finish = () => {
      if (++done < total) return;
      counts.seconds = (performance.now() - started) / 1000;
      agent.destroy();
      resolve(counts);
    };

    const send = () => {
      const due = performance.now();
      const req = request(url, { method: 'POST', agent, headers, timeout: TIMEOUT_S * 1000 }, (res) => {
        res.resume();
        res.once('end', () => {
          const code = res.statusCode ?? 0;
          counts.statusCodes[code] = (counts.statusCodes[code] ?? 0) + 1;
          if (code >= 200 && code < 300) {
            counts.ok++;
            histogram.record(Math.max(1, Math.round((performance.now() - due) * 1000)));
          } else counts.non2xx++;
          finish();
        });
      });
      req.once('timeout', () => {
        counts.timeouts++;
        req.destroy(new Error('timeout'));
      });
      req.once('error', (error) => {
        if (error.message !== 'timeout') counts.errors++;
        finish();
      });
      req.end(body);
    };

    const tick = () => {
      const elapsed = performance.now() - started;
      while (sent < total && sent * intervalMs <= elapsed) {
        send();
        sent++;
      }
      if (sent < total) setTimeout(tick, Math.max(0, sent * intervalMs - (performance.now() - started)));
    };
    tick();
  });
}
