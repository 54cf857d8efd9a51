/**
 * What an npm dependency costs an Auth0 action (issue 13): deploy time without dependencies, with lodash from the
 * registry into an empty cache, and with lodash already cached; and on the token path, the p50 / p99 of sequential
 * token requests through an action that uses lodash against one that computes the same claim without it, in
 * alternating rounds, plus the first request after binding (the isolate compiles the bundle).
 *
 *   node --no-node-snapshot dist/bench/action-dependencies.js [requests-per-round] [rounds]
 *
 * The server runs in this process (test/helpers/minter.ts, PGlite); the registry is the one npm is configured for.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bind, requestToken } from '../test/helpers/actions.js';
import { provision, startMinter, type RunningMinter } from '../test/helpers/minter.js';

const perRound = Number(process.argv[2] ?? 2000);
const rounds = Number(process.argv[3] ?? 4);

const WITH_LODASH = `const _ = require('lodash');
exports.onExecuteCredentialsExchange = async (event, api) => {
  api.accessToken.setCustomClaim('https://example.com/groups', _.chunk(_.uniq(['a', 'b', 'a', 'c']), 2));
};`;
const WITHOUT = `exports.onExecuteCredentialsExchange = async (event, api) => {
  const unique = [...new Set(['a', 'b', 'a', 'c'])];
  const groups = [];
  for (let i = 0; i < unique.length; i += 2) groups.push(unique.slice(i, i + 2));
  api.accessToken.setCustomClaim('https://example.com/groups', groups);
};`;

let seq = 0;
async function deployMs(m: RunningMinter, code: string, dependencies: unknown[]): Promise<{ ms: number; id: string }> {
  const started = performance.now();
  const created = await m.api('POST', '/actions/actions', {
    name: `bench-${++seq}`,
    supported_triggers: [{ id: 'credentials-exchange', version: 'v2' }],
    code,
    dependencies,
    deploy: true,
  });
  const ms = performance.now() - started;
  if (created.status !== 201) throw new Error(JSON.stringify(created.body));
  return { ms, id: created.body.id };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
const median = (values: number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    0.5,
  );

async function main(): Promise<void> {
  const caches: string[] = [];
  const freshCache = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'minter-bench-npm-'));
    caches.push(dir);
    return dir;
  };
  const m = await startMinter({ env: { MINTER_ACTIONS_DEPS_CACHE: await freshCache() } });
  try {
    const lodash = [{ name: 'lodash', version: '4.17.21' }];
    const none: number[] = [];
    const warm: number[] = [];
    const cold: number[] = [];
    for (let i = 0; i < 3; i++) none.push((await deployMs(m, WITHOUT, [])).ms);
    // Cold: every start gets an empty cache (npm's download cache too), so lodash comes from the registry.
    for (let i = 0; i < 3; i++) {
      await m.restart({ MINTER_ACTIONS_DEPS_CACHE: await freshCache() });
      cold.push((await deployMs(m, WITH_LODASH, lodash)).ms);
      for (let j = 0; j < 2; j++) warm.push((await deployMs(m, WITH_LODASH, lodash)).ms);
    }
    console.log(
      `deploy, no dependencies: median ${median(none).toFixed(0)} ms (${none.map((x) => x.toFixed(0)).join(', ')})`,
    );
    console.log(
      `deploy, lodash cold cache: median ${median(cold).toFixed(0)} ms (${cold.map((x) => x.toFixed(0)).join(', ')})`,
    );
    console.log(
      `deploy, lodash cached: median ${median(warm).toFixed(0)} ms (${warm.map((x) => x.toFixed(0)).join(', ')})`,
    );

    const client = await provision(m);
    const plain = (await deployMs(m, WITHOUT, [])).id;
    const bundled = (await deployMs(m, WITH_LODASH, lodash)).id;
    const samples: Record<string, number[]> = { without: [], lodash: [] };
    const first: Record<string, number[]> = { without: [], lodash: [] };
    for (let round = 0; round < rounds; round++) {
      for (const [label, id] of [
        ['without', plain],
        ['lodash', bundled],
      ] as const) {
        await bind(m, 'credentials-exchange', [id]);
        const t0 = performance.now();
        const got = await requestToken(m, client);
        first[label]!.push(performance.now() - t0);
        if (got.status !== 200) throw new Error(JSON.stringify(got.body));
        for (let i = 0; i < 200; i++) await requestToken(m, client); // warm-up
        for (let i = 0; i < perRound; i++) {
          const started = performance.now();
          await requestToken(m, client);
          samples[label]!.push(performance.now() - started);
        }
      }
    }
    for (const label of ['without', 'lodash']) {
      const sorted = samples[label]!.sort((a, b) => a - b);
      console.log(
        `token path, ${label}: p50 ${(percentile(sorted, 0.5) * 1000).toFixed(0)} µs, p99 ${(percentile(sorted, 0.99) * 1000).toFixed(0)} µs ` +
          `(${sorted.length} requests); first after bind: median ${median(first[label]!).toFixed(1)} ms`,
      );
    }
  } finally {
    await m.close();
    for (const dir of caches) await rm(dir, { recursive: true, force: true });
  }
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  // isolated-vm 5 can abort a Node 20 process that ends by running out of work mid-GC.
  .finally(() => process.exit(process.exitCode ?? 0));
