/**
 * The report: one markdown table (tokens/s, latency, failed requests, peak RSS, ratios to `bare` and to
 * `oidc-provider`), the fixed-rate rows, the targets of issues 2–4 and 16 with PASS/FAIL, the two-worker ratios, and
 * the environment. A row measured with failed requests is marked, and so is every verdict that leans on it. Every
 * comparison is between rows of the same run.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { failures, type Measurement, type Run } from './measure.js';
import { DISTURBED, disturbance } from './proc.js';
import { ROOT } from './processes.js';
import type { Settings } from './settings.js';
import { PINNED } from './targets/target.js';

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

/** How the rows' processes were placed on the CPUs: one pinned core each, and the exceptions. */
function pinning(settings: Readonly<Settings>, rows: Measurement[]): string {
  if (!settings.pin) return 'no CPU pinning';
  const isPinned = (row: Measurement) =>
    !row.cpus || (row.cpus.server === PINNED.server && row.cpus.load === PINNED.load);
  const shared = new Map<string, string[]>();
  for (const row of rows) {
    if (isPinned(row)) continue;
    const key = `the server on CPUs ${row.cpus!.server} and the load generator on CPUs ${row.cpus!.load}`;
    shared.set(key, [...(shared.get(key) ?? []), row.name]);
  }
  const pinned = rows.length === 0 || rows.some(isPinned);
  return [
    ...(pinned
      ? [`each server pinned to CPU ${PINNED.server}, the load generator to CPU ${PINNED.load} (taskset)`]
      : []),
    ...[...shared].map(
      ([where, names]) =>
        `${names.join(', ')}: not pinned to one CPU, ${where} (taskset; they share the cores: the table's tokens/s of ` +
        'these rows include the load generator competing with the server, read their CPU per token)',
    ),
  ].join('; ');
}

/** Date, versions, machine and settings, as a markdown list. */
export function environment(settings: Readonly<Settings>, long = false, rows: Measurement[] = []): string {
  const cpu = cpus();
  return [
    `- date: ${new Date().toISOString()}`,
    `- minter: ${revision ?? gitDescribe()} (when the run started); node ${process.version}; fastify ${packageVersion('fastify')}; jose ${packageVersion('jose')}; ` +
      `oidc-provider ${packageVersion('oidc-provider')}; autocannon ${packageVersion('autocannon')}`,
    `- CPU: ${cpu[0]?.model ?? '?'}, ${cpu.length} cores; ${pinning(settings, rows)}`,
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
const perToken = (run: Run) => (run.load.ok > 0 ? fmt(usPerToken(run)) : '—');

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

/** The targets of issues 2–4 and 16, each PASS, FAIL or SKIP with the numbers behind it. */
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
  const two = by(TWO_WORKERS)?.saturated;
  const tps = (r: Run) => r.load.tokensPerSecond;
  // Until MINTER_WORKERS takes effect the 2-worker row runs one process: say so on its verdicts.
  const single = () =>
    two && one && two.processes <= one.processes
      ? ` — ⚠ ${two.processes} server process(es), as many as minter-1-action: MINTER_WORKERS=2 not in effect?`
      : '';
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
    ...p99Checks('#4', 'with one action', [fixed, paced], 10, settings, rows, 'minter-1-action'),
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
    check(
      '#16',
      'one worker with one action: server CPU per token ≤ 1.35× bare',
      [one, bare],
      () => {
        const r = usPerToken(one!) / usPerToken(bare!);
        return [r <= 1.35, `${fmt(r, 2)}× (${fmt(usPerToken(one!))} vs ${fmt(usPerToken(bare!))} µs/token)`];
      },
      why(rows, 'minter-1-action', 'bare'),
    ),
    check(
      '#16',
      `MINTER_WORKERS=2: CPU per token within 10 % of one worker's (minter-1-action)`,
      [two, one],
      () => {
        const r = usPerToken(two!) / usPerToken(one!);
        // Less CPU per token than one worker is no failure: the target is about what the cluster adds.
        return [
          r <= 1.1,
          `${r >= 1 ? '+' : ''}${fmt((r - 1) * 100)} % (${fmt(usPerToken(two!))} vs ${fmt(usPerToken(one!))} µs/token)${single()}`,
        ];
      },
      why(rows, TWO_WORKERS, 'minter-1-action'),
    ),
    check(
      '#16',
      'MINTER_WORKERS=2: more tokens/s than one worker in the same run',
      [two, one],
      () => {
        const r = tps(two!) / tps(one!);
        return [r > 1, `${fmt(r, 2)}× (${fmt(tps(two!))} vs ${fmt(tps(one!))})${single()}`];
      },
      why(rows, TWO_WORKERS, 'minter-1-action'),
    ),
    ...p99Checks(
      '#16',
      'with two workers (MINTER_WORKERS=2, one action)',
      [by(TWO_WORKERS)?.fixedRate, by(TWO_WORKERS)?.paced],
      5,
      settings,
      rows,
      TWO_WORKERS,
    ),
  ];
}

/** The two-worker Minter row, and its peer. */
const TWO_WORKERS = 'minter-1-action-2-workers';
const PEER_TWO_WORKERS = 'oidc-provider-2-workers';

/** Server CPU time per token issued (µs); NaN without a token. */
const usPerToken = (run: Run) => (run.load.ok > 0 ? (run.cpu.serverSeconds * 1e6) / run.load.ok : NaN);

/** "p99 ≤ `limitMs` at the fixed rate", once for autocannon's overallRate run and once for the paced one. */
function p99Checks(
  issue: string,
  what: string,
  [fixed, paced]: [Run | undefined, Run | undefined],
  limitMs: number,
  settings: Readonly<Settings>,
  rows: Measurement[],
  scenario: string,
): Check[] {
  return (
    [
      [fixed, 'autocannon overallRate'],
      [paced, 'paced, open loop'],
    ] as const
  ).map(([run, how]) =>
    check(
      issue,
      `p99 ≤ ${fmt(limitMs)} ms at ${fmt(settings.rate)} tokens/s ${what} (${how})`,
      [run],
      () => {
        const l = run!.load;
        const kept = l.tokensPerSecond >= settings.rate * 0.95;
        return [
          l.p99 <= limitMs && kept,
          `p99 ${ms(l.p99)} ms at ${fmt(l.tokensPerSecond)} tokens/s` +
            (kept ? '' : ` (the rate was not kept: ${fmt(l.tokensPerSecond)} of ${fmt(settings.rate)})`),
        ];
      },
      settings.rate > 0 ? why(rows, scenario) : 'fixed-rate rows turned off (BENCH_RATE=0)',
    ),
  );
}

/**
 * Issue 16's ratios, each between two rows of this run: two Minter workers against one, against oidc-provider on
 * two workers, and oidc-provider on two workers against one (which also shows that the CPU of cluster workers is
 * counted: their CPU per token should be close to the single process's). Empty when no two-worker row ran.
 */
export function workersSection(rows: Measurement[]): string {
  const by = (name: string) => rows.find((r) => r.name === name)?.saturated;
  const lines: string[] = [];
  for (const [a, b] of [
    [TWO_WORKERS, 'minter-1-action'],
    [TWO_WORKERS, PEER_TWO_WORKERS],
    [PEER_TWO_WORKERS, 'oidc-provider'],
  ] as const) {
    const ra = by(a);
    const rb = by(b);
    if (!ra || !rb) continue;
    const warn = failures(ra.load) + failures(rb.load) > 0 ? ' — ⚠ measured with failed requests' : '';
    lines.push(
      `- \`${a}\` vs \`${b}\`: **${ratio(ra, rb)} tokens/s** (${fmt(ra.load.tokensPerSecond)} vs ${fmt(rb.load.tokensPerSecond)}); ` +
        `server CPU per token ${fmt(usPerToken(ra))} vs ${fmt(usPerToken(rb))} µs (${fmt(usPerToken(ra) / usPerToken(rb), 2)}×); ` +
        `cores used by the server ${fmt(ra.cpu.server, 2)} vs ${fmt(rb.cpu.server, 2)}; ` +
        `server processes ${ra.processes} vs ${rb.processes}${warn}`,
    );
  }
  return lines.join('\n');
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
  const workers = workersSection(rows);
  return [
    '# Minter benchmark',
    '',
    environment(settings, false, rows),
    `- command: \`${command}\``,
    '',
    table(rows, settings),
    '',
    '## Targets',
    '',
    verdictList(verdicts(rows, settings)),
    '',
    ...(workers ? ['## Workers (issue #16)', '', workers, ''] : []),
    '## Scenarios',
    '',
    scenarioList(rows),
    '',
  ].join('\n');
}
