/**
 * The report: one markdown table (tokens/s, latency, failed requests, peak RSS, ratios to `bare` and to
 * `oidc-provider`), the fixed-rate rows, the targets of issues 2–4 with PASS/FAIL, and the environment.
 * A row measured with failed requests is marked, and so is every verdict that leans on it.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { failures, type Measurement, type Run } from './measure.js';
import { DISTURBED, disturbance } from './proc.js';
import { ROOT } from './processes.js';
import type { Settings } from './settings.js';

const MB = 2 ** 20;
const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ms = (n: number) => fmt(n, 2);

function packageVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string })
      .version;
  } catch {
    return '?';
  }
}

/** The commit under test, read once when the run starts (the tree may change while it runs). */
let revision: string | undefined;
export function recordRevision(): void {
  revision = gitDescribe();
}

function gitDescribe(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: ROOT, encoding: 'utf8' }).trim();
    return dirty ? `${head} + uncommitted changes in src/` : head;
  } catch {
    return '?';
  }
}

/** Date, versions, machine and settings, as a markdown list. */
export function environment(settings: Readonly<Settings>, long = false): string {
  const cpu = cpus();
  return [
    `- date: ${new Date().toISOString()}`,
    `- minter: ${revision ?? gitDescribe()} (when the run started); node ${process.version}; fastify ${packageVersion('fastify')}; jose ${packageVersion('jose')}; ` +
      `oidc-provider ${packageVersion('oidc-provider')}; autocannon ${packageVersion('autocannon')}`,
    `- CPU: ${cpu[0]?.model ?? '?'}, ${cpu.length} cores; ` +
      (settings.pin ? 'each server pinned to CPU 0, the load generator to CPU 1 (taskset)' : 'no CPU pinning'),
    long
      ? `- settings: ${settings.tokens.toLocaleString('en-US')} tokens after ${settings.warmup} s of warm-up, ${settings.connections} connections, pipelining 1`
      : `- settings: ${settings.duration} s per target after ${settings.warmup} s of warm-up, ${settings.connections} connections, ` +
        `pipelining 1; fixed-rate rows: ${settings.rate}/s (autocannon overallRate, and paced) and ${settings.lightRate}/s (paced) over ${settings.rateConnections} connections`,
  ].join('\n');
}

function flagged(run: Run): string {
  const bad = failures(run.load);
  return bad
    ? `⚠ ${fmt(bad)} (${
        Object.entries(run.load.statusCodes)
          .filter(([c]) => !c.startsWith('2'))
          .map(([c, n]) => `${c}×${n}`)
          .join(', ') || 'socket errors/timeouts'
      })`
    : '0';
}

/** Cores used by the server, and by processes outside the benchmark (⚠ when they may have taken the server's share). */
const cpu = (run: Run) =>
  `${fmt(run.cpu.server, 2)} / ${disturbance(run.cpu) > DISTURBED ? '⚠ ' : ''}${fmt(disturbance(run.cpu), 2)}`;

/**
 * Server CPU per token, in µs: the CPU time of all the server's processes and threads divided by the tokens it
 * issued. On a machine whose cores the load generator shares, tokens/s cannot show how a server scales; this can
 * (N cores give about N ÷ CPU per token).
 */
const perToken = (run: Run) => (run.load.ok > 0 ? fmt((run.cpu.serverSeconds * 1e6) / run.load.ok) : '—');

/** A reason on one table row: no newlines, no pipes, not too long. */
const oneLine = (text: string) => text.split('\n', 1)[0]!.replaceAll('|', '/').slice(0, 200);

const ratio = (a: Run | undefined, b: Run | undefined) =>
  a && b && b.load.tokensPerSecond > 0 ? `${fmt(a.load.tokensPerSecond / b.load.tokensPerSecond, 2)}×` : '—';

/** The main table, with the fixed-rate rows at the end. */
export function table(rows: Measurement[], settings: Readonly<Settings>): string {
  const by = (name: string) => rows.find((r) => r.name === name)?.saturated;
  const bare = by('bare');
  const peer = by('oidc-provider');
  const lines = [
    '| target | tokens/s | p50 ms | p99 ms | failed requests | peak RSS MB | vs bare | vs oidc-provider | CPU server / others | server CPU µs/token |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const row of rows) {
    const run = row.saturated;
    if (!run) {
      lines.push(`| ${row.name} | ${row.status}: ${oneLine(row.reason ?? '')} | | | | | | | | |`);
      continue;
    }
    const l = run.load;
    lines.push(
      `| ${row.name} | ${fmt(l.tokensPerSecond)} | ${ms(l.p50)} | ${ms(l.p99)} | ${flagged(run)} | ${fmt(run.peakRss / MB)} | ${ratio(run, bare)} | ${ratio(run, peer)} | ${cpu(run)} | ${perToken(run)} |`,
    );
  }
  for (const row of rows) {
    for (const [run, rate, how] of [
      [row.fixedRate, settings.rate, 'autocannon overallRate'],
      [row.paced, settings.rate, 'paced'],
      [row.light, settings.lightRate, 'paced'],
    ] as const) {
      if (!run) continue;
      const l = run.load;
      lines.push(
        `| ${row.name} @ ${fmt(rate)}/s, ${how} | ${fmt(l.tokensPerSecond)} | ${ms(l.p50)} | ${ms(l.p99)} | ${flagged(run)} | ${fmt(run.peakRss / MB)} | — | — | ${cpu(run)} | ${perToken(run)} |`,
      );
    }
  }
  return lines.join('\n');
}

type Verdict = 'PASS' | 'FAIL' | 'SKIP';

interface Check {
  issue: string;
  target: string;
  verdict: Verdict;
  detail: string;
}

function check(
  issue: string,
  target: string,
  runs: Array<Run | undefined>,
  compute: () => [boolean, string],
  missing: string,
): Check {
  if (runs.some((r) => !r)) return { issue, target, verdict: 'SKIP', detail: missing };
  const [ok, detail] = compute();
  const bad = runs.some((r) => failures(r!.load) > 0);
  return {
    issue,
    target,
    verdict: ok ? 'PASS' : 'FAIL',
    detail: detail + (bad ? ' — ⚠ measured with failed requests' : ''),
  };
}

const why = (rows: Measurement[], ...names: string[]) =>
  names
    .map((n) => rows.find((r) => r.name === n))
    .filter((r): r is Measurement => Boolean(r && r.status !== 'ok'))
    .map((r) => `${r.name} ${r.status}${r.reason ? `: ${r.reason}` : ''}`)
    .join('; ') || `needs ${names.join(' and ')} (see BENCH_ONLY)`;

/** The targets of issues 2–4, each PASS, FAIL or SKIP with the numbers behind it. */
export function verdicts(
  rows: Measurement[],
  settings: Readonly<Settings>,
  rssCheck?: { deltaPct: number; detail: string; from: number; to: number },
): Check[] {
  const by = (name: string) => rows.find((r) => r.name === name);
  const bare = by('bare')?.saturated;
  const minter = by('minter')?.saturated;
  const one = by('minter-1-action')?.saturated;
  const peer = by('oidc-provider')?.saturated;
  const fixed = by('minter-1-action')?.fixedRate;
  const paced = by('minter-1-action')?.paced;
  const oneLight = by('minter-1-action')?.light;
  const minterLight = by('minter')?.light;
  const tps = (r: Run) => r.load.tokensPerSecond;
  return [
    check(
      '#2',
      'minter (ES256) ≥ 70 % of bare tokens/s',
      [minter, bare],
      () => {
        const r = tps(minter!) / tps(bare!);
        return [r >= 0.7, `${fmt(r * 100)} % (${fmt(tps(minter!))} vs ${fmt(tps(bare!))})`];
      },
      why(rows, 'minter', 'bare'),
    ),
    check(
      '#4',
      'minter-1-action ≥ 3× oidc-provider tokens/s',
      [one, peer],
      () => {
        const r = tps(one!) / tps(peer!);
        return [r >= 3, `${fmt(r, 2)}× (${fmt(tps(one!))} vs ${fmt(tps(peer!))})`];
      },
      why(rows, 'minter-1-action', 'oidc-provider'),
    ),
    ...(
      [
        [fixed, 'autocannon overallRate'],
        [paced, 'paced, open loop'],
      ] as const
    ).map(([run, how]) =>
      check(
        '#4',
        `p99 ≤ 10 ms at ${fmt(settings.rate)} tokens/s with one action (${how})`,
        [run],
        () => {
          const l = run!.load;
          const kept = l.tokensPerSecond >= settings.rate * 0.95;
          return [
            l.p99 <= 10 && kept,
            `p99 ${ms(l.p99)} ms at ${fmt(l.tokensPerSecond)} tokens/s` +
              (kept ? '' : ` (the rate was not kept: ${fmt(l.tokensPerSecond)} of ${fmt(settings.rate)})`),
          ];
        },
        settings.rate > 0 ? why(rows, 'minter-1-action') : 'fixed-rate rows turned off (BENCH_RATE=0)',
      ),
    ),
    rssCheck
      ? {
          issue: '#4',
          target: `RSS flat ±10 % between ${fmt(rssCheck.from)} and ${fmt(rssCheck.to)} tokens`,
          verdict: Math.abs(rssCheck.deltaPct) <= 10 ? 'PASS' : 'FAIL',
          detail: rssCheck.detail,
        }
      : {
          issue: '#4',
          target: 'RSS flat ±10 % between 100 k and 1 M tokens',
          verdict: 'SKIP',
          detail: 'run `npm run bench -- --long`',
        },
    // Under saturation p50 is mostly time in the queue (connections ÷ throughput), so the cost of one action is read
    // at light load, where a request waits for nothing but itself.
    check(
      '#3',
      `one action adds ≤ 0.2 ms p50 vs minter (at ${fmt(settings.lightRate)} tokens/s, paced)`,
      [oneLight, minterLight],
      () => {
        const d = oneLight!.load.p50 - minterLight!.load.p50;
        return [
          d <= 0.2,
          `${d >= 0 ? '+' : ''}${ms(d)} ms (${ms(oneLight!.load.p50)} vs ${ms(minterLight!.load.p50)}; saturated: ` +
            (one && minter ? `${ms(one.load.p50)} vs ${ms(minter.load.p50)})` : 'not measured)'),
        ];
      },
      settings.lightRate > 0
        ? why(rows, 'minter-1-action', 'minter')
        : 'light-load rows turned off (BENCH_LIGHT_RATE=0)',
    ),
    check(
      '#3',
      'one action keeps ≥ 80 % of minter tokens/s',
      [one, minter],
      () => {
        const r = tps(one!) / tps(minter!);
        return [r >= 0.8, `${fmt(r * 100)} % (${fmt(tps(one!))} vs ${fmt(tps(minter!))})`];
      },
      why(rows, 'minter-1-action', 'minter'),
    ),
  ];
}

export function verdictList(checks: Check[]): string {
  return checks.map((c) => `- **${c.verdict}** issue ${c.issue}: ${c.target} — ${c.detail}`).join('\n');
}

/** What each row ran and what its checked token looked like. */
export function scenarioList(rows: Measurement[]): string {
  return rows
    .map((r) => {
      const t = r.token ? ` Token: ${t_(r.token)}.` : '';
      return `- \`${r.name}\`: ${r.describe}.${t}`;
    })
    .join('\n');
}

const t_ = (t: NonNullable<Measurement['token']>) =>
  `${t.alg}, typ ${t.typ}, ${t.length} chars, claims ${t.claims.join(' ')}`;

/** The whole `latest.md`. */
export function fullReport(rows: Measurement[], settings: Readonly<Settings>, command: string): string {
  return [
    '# Minter benchmark',
    '',
    environment(settings),
    `- command: \`${command}\``,
    '',
    table(rows, settings),
    '',
    '## Targets',
    '',
    verdictList(verdicts(rows, settings)),
    '',
    '## Scenarios',
    '',
    scenarioList(rows),
    '',
  ].join('\n');
}
