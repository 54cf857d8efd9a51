#!/usr/bin/env node
// `npm test`: runs every compiled test file (dist/test/**/*.test.js) with Node's test runner. Node 20 needs
// --no-node-snapshot for isolated-vm; the runner passes it on to each test process. --no-incremental-marking avoids
// an isolated-vm 5 assertion (SIGABRT) when a test process exits by running out of work mid-GC. Files named
// *.solo.test.js run last, alone (see below).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function collect(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) collect(path, out);
    else if (name.endsWith('.test.js')) out.push(path);
  }
  return out;
}

const filters = process.argv.slice(2);
const files = collect('dist/test')
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error('no test files found under dist/test (did the build run?)');
  process.exit(1);
}
for (const name of ['DATABASE_URL', 'REDIS_URL']) {
  if (!process.env[name]) console.error(`note: ${name} is not set; the tests that need it are reported as skipped`);
}
// Files named *.solo.test.js hold latency targets (issue 11's fairness and host caps): they run after the others, one
// at a time, so that no other test file shares the 2 cores while they measure.
const solo = files.filter((f) => f.endsWith('.solo.test.js'));
const shared = files.filter((f) => !solo.includes(f));
let status = 0;
for (const [group, concurrency] of [
  [shared, 2],
  [solo, 1],
]) {
  if (group.length === 0) continue;
  const result = spawnSync(
    process.execPath,
    ['--no-node-snapshot', '--no-incremental-marking', '--test', `--test-concurrency=${concurrency}`, ...group],
    { stdio: 'inherit' },
  );
  status ||= result.status ?? 1;
}
process.exit(status);
