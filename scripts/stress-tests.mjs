#!/usr/bin/env node
// `npm run test:stress -- [--runs N] [--burners M] [filter…]`: runs the test files matching the filters (as
// `npm test` does, by substrings of their paths; default `test/triggers/`) N times in a row (default 5) while M child
// processes (default: one per core) keep every core busy, and fails if any run failed. Timing-sensitive tests must
// hold on a loaded machine: a test that assumes a core is free when it needs one is a test that flakes in CI.
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  if (at === -1) return fallback;
  const value = Number(args[at + 1]);
  if (!Number.isInteger(value) || value < 0) {
    console.error(`${name} needs a whole number, got ${args[at + 1]}`);
    process.exit(2);
  }
  args.splice(at, 2);
  return value;
};
const runs = option('--runs', 5);
const burners = option('--burners', availableParallelism());
const filters = args.length > 0 ? args : ['test/triggers/'];

// Each burner spins, and ends itself once this script is gone (its parent changes), however this script ended.
const BURN =
  'const parent = process.ppid; for (let i = 1; ; i++) if (i % 5e7 === 0 && process.ppid !== parent) process.exit();';
const load = Array.from({ length: burners }, () => spawn(process.execPath, ['-e', BURN], { stdio: 'ignore' }));
const stopLoad = () => load.forEach((child) => child.kill('SIGKILL'));
process.on('exit', stopLoad);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

const failed = [];
for (let run = 1; run <= runs; run++) {
  const started = Date.now();
  const result = spawnSync(process.execPath, ['--no-node-snapshot', 'scripts/run-tests.mjs', ...filters], {
    encoding: 'utf8',
  });
  const output = `${result.stdout}${result.stderr}`;
  const failures = [...output.matchAll(/^\s*not ok \d+ - (.*)$/gm)].map((m) => m[1]);
  const pass = /^# pass (\d+)/m.exec(output)?.[1] ?? '?';
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  console.log(
    `run ${run}/${runs}: ${result.status === 0 ? 'ok' : 'FAILED'}, ${pass} passed, ${seconds} s, ${burners} cores kept busy`,
  );
  for (const name of failures) console.log(`  not ok: ${name}`);
  if (result.status !== 0) {
    failed.push(run);
    const file = join(tmpdir(), `minter-stress-run-${process.pid}-${run}.log`);
    writeFileSync(file, output);
    console.log(`  output: ${file}`);
  }
}
stopLoad();
console.log(failed.length === 0 ? `all ${runs} runs passed` : `runs that failed: ${failed.join(', ')}`);
process.exit(failed.length === 0 ? 0 : 1);
