#!/usr/bin/env node
// `npm test`: runs every compiled test file (dist/test/**/*.test.js) with Node's test runner. Node 20 needs
// --no-node-snapshot for isolated-vm; the runner passes it on to each test process. --no-incremental-marking avoids
// an isolated-vm 5 assertion (SIGABRT) when a test process exits by running out of work mid-GC.
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
const result = spawnSync(
  process.execPath,
  ['--no-node-snapshot', '--no-incremental-marking', '--test', '--test-concurrency=2', ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
