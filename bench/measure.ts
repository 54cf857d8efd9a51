/**
 * Measures one scenario: start it, check a token, warm up, check again, then load it from a separate process
 * while polling the server's RSS; and, for some, a second run at a fixed rate. The server is stopped whatever
 * happens, and a failure is recorded on the row instead of ending the benchmark.
 */
import { join } from 'node:path';
import type { LoadResult, LoadSpec } from './load.js';
import { BENCH_DIST, startChild } from './processes.js';
import { DISTURBED, disturbance, ProcessWatch, readMemory, waitForQuiet, type CpuUse } from './proc.js';
import type { Settings } from './settings.js';
import { checkToken, type CheckedToken } from './token-check.js';
import { isSkipped, PINNED, placement, type Placement, type RunningTarget, type Scenario } from './targets/target.js';

/** One load run, the server's memory during it (bytes) and how the machine's CPUs were used. */
export interface Run {
  load: LoadResult;
  peakRss: number;
  rssSamples: number;
  /** Most processes seen in the server's tree during the run (the server, its workers, sandbox processes). */
  processes: number;
  cpu: CpuUse;
}

/** The outcome of one scenario: measured, skipped (and why), or failed (and why). */
export interface Measurement {
  name: string;
  describe: string;
  /** Where its server and load generator ran, if pinning was on. */
  cpus?: Placement;
  status: 'ok' | 'skipped' | 'error';
  reason?: string;
  token?: { alg: string; typ: string; claims: string[]; length: number };
  saturated?: Run;
  /** At `settings.rate` with autocannon's `overallRate`. */
  fixedRate?: Run;
  /** At `settings.rate`, open loop (`paced.ts`). */
  paced?: Run;
  /** At `settings.lightRate`, open loop: latency without queueing. */
  light?: Run;
  /** VmHWM of the server when it was stopped (bytes). */
  hwm?: number;
}

/**
 * Runs the load generator in its own process (pinned to `cpus.load` when pinning is on) and returns what it printed.
 */
export async function runLoad(
  spec: LoadSpec,
  settings: Readonly<Settings>,
  cpus: Readonly<Placement> = PINNED,
): Promise<LoadResult> {
  let result: LoadResult | undefined;
  const child = startChild({
    name: 'load',
    args: [join(BENCH_DIST, 'load.js'), JSON.stringify(spec)],
    ...(settings.pin && { cpus: cpus.load }),
    onLine: (line) => {
      if (line.startsWith('{')) result = JSON.parse(line) as LoadResult;
    },
  });
  const code = await child.exited;
  if (code !== 0 || !result) throw new Error(`load generator exited with ${code}:\n${child.tail()}`);
  return result;
}

/** Load `target` for `spec` while polling its RSS every 100 ms and accounting for CPU. */
export async function loadWithRss(
  target: RunningTarget,
  spec: Omit<LoadSpec, 'url' | 'body'>,
  settings: Readonly<Settings>,
  cpus: Readonly<Placement> = PINNED,
): Promise<Run> {
  const watch = new ProcessWatch(target.pid);
  let load: LoadResult;
  try {
    load = await runLoad({ url: target.tokenUrl, body: target.body, ...spec }, settings, cpus);
  } catch (error) {
    watch.stop();
    throw error;
  }
  const { peak, samples, processes, cpu } = watch.stop(load.cpuSeconds);
  // A server that died (or was killed by someone else on a shared machine) must not become a row of failed requests.
  const gone = target.gone();
  if (gone) throw new Error(`the server is gone: ${gone}`);
  return { load, peakRss: peak, rssSamples: samples, processes, cpu };
}

/**
 * {@link loadWithRss} on a quiet machine: waits for other processes to calm down first, and repeats a run they
 * disturbed (up to `settings.retries` times), keeping the least disturbed one.
 */
export async function calmRun(
  target: RunningTarget,
  spec: Omit<LoadSpec, 'url' | 'body'>,
  settings: Readonly<Settings>,
  log: (line: string) => void,
  cpus: Readonly<Placement> = PINNED,
): Promise<Run> {
  let best: Run | undefined;
  for (let attempt = 0; attempt <= settings.retries; attempt++) {
    const quiet = await waitForQuiet(DISTURBED / 2, settings.quietWait * 1000);
    if (!quiet.quiet)
      log(`other processes still use ${quiet.other.toFixed(2)} cores after ${settings.quietWait} s; measuring anyway`);
    else if (quiet.waitedMs > 2500)
      log(`waited ${(quiet.waitedMs / 1000).toFixed(0)} s for other processes to calm down`);
    const run = await loadWithRss(target, spec, settings, cpus);
    if (!best || disturbance(run.cpu) < disturbance(best.cpu)) best = run;
    if (disturbance(run.cpu) <= DISTURBED) break;
    if (attempt < settings.retries)
      log(`run disturbed by other processes (${disturbance(run.cpu).toFixed(2)} cores); once more`);
  }
  return best!;
}

const describeToken = (t: CheckedToken) => ({
  alg: String(t.header.alg),
  typ: String(t.header.typ),
  claims: Object.keys(t.payload),
  length: t.length,
});

/** Measures one scenario; never throws. */
export async function measure(
  scenario: Scenario,
  settings: Readonly<Settings>,
  fixedRate: boolean,
  log: (line: string) => void,
): Promise<Measurement> {
  const cpus = placement(scenario);
  const row: Measurement = {
    name: scenario.name,
    describe: scenario.describe,
    ...(settings.pin && { cpus }),
    status: 'ok',
  };
  let target: RunningTarget | undefined;
  try {
    log(`${scenario.name}: starting`);
    const started = await scenario.start(settings);
    if (isSkipped(started)) {
      log(`${scenario.name}: skipped: ${started.skipped}`);
      return { ...row, status: 'skipped', reason: started.skipped };
    }
    target = started;
    await checkToken(target);
    if (settings.warmup > 0) {
      log(`${scenario.name}: warming up for ${settings.warmup} s`);
      await runLoad(
        { url: target.tokenUrl, body: target.body, connections: settings.connections, duration: settings.warmup },
        settings,
        cpus,
      );
    }
    row.token = describeToken(await checkToken(target));
    log(`${scenario.name}: ${settings.duration} s with ${settings.connections} connections`);
    row.saturated = await calmRun(
      target,
      { connections: settings.connections, duration: settings.duration },
      settings,
      log,
      cpus,
    );
    log(`${scenario.name}: ${summary(row.saturated)}`);
    if (fixedRate && settings.rate > 0) {
      log(
        `${scenario.name}: ${settings.duration} s at ${settings.rate} tokens/s with ${settings.rateConnections} connections`,
      );
      row.fixedRate = await calmRun(
        target,
        { connections: settings.rateConnections, duration: settings.duration, overallRate: settings.rate },
        settings,
        log,
        cpus,
      );
      log(`${scenario.name} @${settings.rate}/s: ${summary(row.fixedRate)}`);
      log(`${scenario.name}: ${settings.duration} s at ${settings.rate} tokens/s, paced (open loop)`);
      row.paced = await calmRun(
        target,
        { connections: settings.rateConnections, duration: settings.duration, overallRate: settings.rate, paced: true },
        settings,
        log,
        cpus,
      );
      log(`${scenario.name} @${settings.rate}/s paced: ${summary(row.paced)}`);
    }
    if (fixedRate && settings.lightRate > 0) {
      log(`${scenario.name}: ${settings.duration} s at ${settings.lightRate} tokens/s, paced (light load)`);
      row.light = await calmRun(
        target,
        {
          connections: settings.rateConnections,
          duration: settings.duration,
          overallRate: settings.lightRate,
          paced: true,
        },
        settings,
        log,
        cpus,
      );
      log(`${scenario.name} @${settings.lightRate}/s paced: ${summary(row.light)}`);
    }
    row.hwm = readMemory(target.pid)?.hwm;
    return row;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    log(`${scenario.name}: error: ${reason}`);
    return { ...row, status: 'error', reason };
  } finally {
    await target?.stop().catch((error) => log(`${scenario.name}: stop failed: ${String(error)}`));
  }
}

/** Failed requests of a load run: non-2xx answers, socket errors and timeouts. */
export const failures = (load: LoadResult) => load.non2xx + load.errors + load.timeouts;

function summary(run: Run): string {
  const l = run.load;
  const bad = failures(l);
  return (
    `${Math.round(l.tokensPerSecond)} tokens/s, p50 ${l.p50} ms, p99 ${l.p99} ms, peak RSS ${(run.peakRss / 2 ** 20).toFixed(0)} MB, ` +
    `${run.processes} server process(es), ${l.ok > 0 ? Math.round((run.cpu.serverSeconds * 1e6) / l.ok) : '—'} µs CPU/token, ` +
    `CPU server ${run.cpu.server} load ${run.cpu.load} other ${run.cpu.other} steal ${run.cpu.steal}` +
    (bad ? `, ${bad} FAILED requests ${JSON.stringify(l.statusCodes)}` : '')
  );
}
