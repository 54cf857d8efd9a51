/**
 * The leak check of issue 4 (`--long` or `BENCH_TOKENS`): one Minter with one bound action issues tokens until a
 * tenth of `BENCH_TOKENS` (100 k by default) and then all of them (1 M) have been issued; its RSS is read at both
 * points, after two seconds of quiet so that both readings see the same state of the log writer.
 */
import { failures, loadWithRss, runLoad, type Run } from './measure.js';
import { disturbance, readMemory } from './proc.js';
import { LONG_FALLBACK, LONG_SCENARIO, SCENARIOS } from './scenarios.js';
import type { Settings } from './settings.js';
import { checkToken } from './token-check.js';
import { isSkipped, type RunningTarget } from './targets/target.js';

/** Quiet time before each RSS reading (ms): longer than Minter's log flush interval (1 s). */
const SETTLE_MS = 2000;
const MB = 2 ** 20;

export interface LongResult {
  scenario: string;
  note?: string;
  checkpoints: Array<{ tokens: number; rss: number; run: Run }>;
  /** RSS change from the first checkpoint to the last (%). */
  deltaPct: number;
  hwm?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs the leak check; throws when Minter cannot be started or measured at all. */
export async function leakCheck(settings: Readonly<Settings>, log: (line: string) => void): Promise<LongResult> {
  const scenario = (name: string) => SCENARIOS.find((s) => s.name === name)!;
  let name = LONG_SCENARIO;
  let note: string | undefined;
  let started = await scenario(name).start(settings);
  if (isSkipped(started)) {
    note = `${LONG_SCENARIO} skipped (${started.skipped}); measured on ${LONG_FALLBACK}, without an action`;
    log(`long: ${note}`);
    name = LONG_FALLBACK;
    started = await scenario(name).start(settings);
    if (isSkipped(started)) throw new Error(`${name} skipped: ${started.skipped}`);
  }
  const target: RunningTarget = started;
  try {
    await checkToken(target);
    if (settings.warmup > 0) {
      await runLoad(
        { url: target.tokenUrl, body: target.body, connections: settings.connections, duration: settings.warmup },
        settings,
      );
    }
    const first = Math.round(settings.tokens / 10);
    const checkpoints: LongResult['checkpoints'] = [];
    let issued = 0;
    for (const amount of [first, settings.tokens - first]) {
      log(`long: ${name}: issuing ${amount.toLocaleString('en-US')} tokens`);
      const run = await loadWithRss(target, { connections: settings.connections, amount }, settings);
      issued += run.load.ok;
      await sleep(SETTLE_MS);
      const rss = readMemory(target.pid)?.rss ?? NaN;
      checkpoints.push({ tokens: issued, rss, run });
      log(
        `long: ${issued.toLocaleString('en-US')} tokens issued, RSS ${(rss / MB).toFixed(1)} MB, ` +
          `${Math.round(run.load.tokensPerSecond)} tokens/s, ${failures(run.load)} failed`,
      );
    }
    await checkToken(target);
    const deltaPct = ((checkpoints[1]!.rss - checkpoints[0]!.rss) / checkpoints[0]!.rss) * 100;
    return { scenario: name, ...(note && { note }), checkpoints, deltaPct, hwm: readMemory(target.pid)?.hwm };
  } finally {
    await target.stop();
  }
}

/** The leak check as markdown: one row per checkpoint, then the change. */
export function longReport(result: LongResult): string {
  const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
  const rows = result.checkpoints.map(
    (c) =>
      `| ${fmt(c.tokens)} | ${fmt(c.rss / MB, 1)} | ${fmt(c.run.peakRss / MB, 1)} | ${fmt(c.run.load.tokensPerSecond)} | ${fmt(c.run.load.p99, 2)} | ${fmt(failures(c.run.load))} | ${fmt(c.run.cpu.server, 2)} / ${fmt(disturbance(c.run.cpu), 2)} |`,
  );
  const sign = result.deltaPct >= 0 ? '+' : '';
  return [
    `Scenario: \`${result.scenario}\`${result.note ? ` (${result.note})` : ''}.`,
    '',
    '| tokens issued (after warm-up) | RSS MB (2 s after) | peak RSS MB during | tokens/s | p99 ms | failed requests | CPU server / others |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    `RSS change from ${fmt(result.checkpoints[0]!.tokens)} to ${fmt(result.checkpoints[1]!.tokens)} tokens: **${sign}${fmt(result.deltaPct, 1)} %**` +
      (result.hwm ? ` (VmHWM at the end ${fmt(result.hwm / MB, 1)} MB)` : '') +
      '.',
  ].join('\n');
}
