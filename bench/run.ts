/**
 * `npm run bench`: every scenario side by side, each server in its own process and the load from another, then
 * the table in `bench/results/latest.md`. `npm run bench -- --long` runs the leak check instead
 * (`bench/results/long.md`). Settings: `bench/settings.ts`; how to read the results: `docs/benchmarks.md`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { leakCheck, longReport } from './long.js';
import { measure, type Measurement } from './measure.js';
import { installCleanup, ROOT, stopAll } from './processes.js';
import { environment, fullReport, recordRevision, verdictList, verdicts } from './report.js';
import { FIXED_RATE_SCENARIOS, SCENARIOS } from './scenarios.js';
import { loadSettings, SettingsError, type Settings } from './settings.js';

const RESULTS = join(ROOT, 'bench', 'results');
const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

/** The command that reproduces this run, for the report. */
function command(): string {
  const env = Object.entries(process.env)
    .filter(([k]) => k.startsWith('BENCH_'))
    .map(([k, v]) => `${k}=${v}`);
  const args = process.argv.slice(2);
  return [...env, 'npm run bench', ...(args.length ? ['--', ...args] : [])].join(' ');
}

async function table(settings: Readonly<Settings>): Promise<void> {
  const unknown = settings.only.filter((n) => !SCENARIOS.some((s) => s.name === n));
  if (unknown.length)
    throw new SettingsError(
      `BENCH_ONLY names unknown scenarios: ${unknown.join(', ')} (known: ${SCENARIOS.map((s) => s.name).join(', ')})`,
    );
  const selected = SCENARIOS.filter((s) => settings.only.length === 0 || settings.only.includes(s.name));
  const rows: Measurement[] = [];
  for (const scenario of selected)
    rows.push(await measure(scenario, settings, FIXED_RATE_SCENARIOS.has(scenario.name), log));
  const report = fullReport(rows, settings, command());
  await mkdir(RESULTS, { recursive: true });
  await writeFile(join(RESULTS, 'latest.md'), report);
  await writeFile(join(RESULTS, 'latest.json'), JSON.stringify({ settings, rows }, null, 2) + '\n');
  process.stdout.write('\n' + report + `\nWritten to bench/results/latest.md\n`);
}

async function long(settings: Readonly<Settings>): Promise<void> {
  const result = await leakCheck(settings, log);
  const checks = verdicts([], settings, {
    from: result.checkpoints[0]!.tokens,
    to: result.checkpoints[1]!.tokens,
    deltaPct: result.deltaPct,
    detail: `${result.deltaPct >= 0 ? '+' : ''}${result.deltaPct.toFixed(1)} % on ${result.scenario}${result.note ? ' (no action: actions API not available)' : ''}`,
  }).filter((c) => c.target.startsWith('RSS'));
  const report = [
    '# Minter leak check',
    '',
    environment(settings, true),
    `- command: \`${command()}\``,
    '',
    longReport(result),
    '',
    verdictList(checks),
    '',
  ].join('\n');
  await mkdir(RESULTS, { recursive: true });
  await writeFile(join(RESULTS, 'long.md'), report);
  await writeFile(join(RESULTS, 'long.json'), JSON.stringify({ settings, result }, null, 2) + '\n');
  process.stdout.write('\n' + report + `\nWritten to bench/results/long.md\n`);
}

async function main(): Promise<void> {
  installCleanup();
  const settings = loadSettings();
  recordRevision();
  if (settings.tokens > 0) await long(settings);
  else await table(settings);
  await stopAll();
}

main().catch(async (error) => {
  process.stderr.write(
    `bench: ${error instanceof SettingsError ? error.message : error instanceof Error ? error.stack : String(error)}\n`,
  );
  await stopAll();
  process.exit(1);
});
