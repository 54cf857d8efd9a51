/**
 * Micro-benchmark of the trigger chain on the token hot path: one bound Auth0 action that sets one claim (the Auth0
 * seed sample), run N times against a warm isolate. Prints p50 / p99 in µs and throughput.
 *
 *   node --no-node-snapshot dist/bench/trigger-chain.js [iterations] [concurrency] [idle-ms] [process|inline]
 *
 * `process` (the default, as the server runs it) sends each chain to the sandbox process; `inline` runs it here.
 * With `idle-ms`, each call comes that long after the previous one ended (one at a time): the chain as a lightly
 * loaded server runs it, with caches refilled on every call. Compare with the same iterations back to back.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { InMemoryActionCache } from '../src/triggers/auth0/cache.js';
import type { HostServices, TriggerEngine, TriggerRequest } from '../src/triggers/contract.js';
import { createTriggerEngine, ENGINE_DEFAULTS } from '../src/triggers/engine.js';
import { SandboxSupervisor } from '../src/triggers/runtime/sandbox-supervisor.js';

function argument(index: number, name: string, fallback: number, min: number): number {
  const raw = process.argv[index];
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < min) {
    console.error(
      `${name} must be an integer ≥ ${min}, got "${raw}"\nusage: trigger-chain.js [iterations] [concurrency] [idle-ms]`,
    );
    process.exit(2);
  }
  return value;
}

const iterations = argument(2, 'iterations', 20_000, 1);
const concurrency = argument(3, 'concurrency', 1, 1);
const idleMs = argument(4, 'idle-ms', 0, 0);
const isolation = process.argv[5] ?? 'process';
if (isolation !== 'process' && isolation !== 'inline') {
  console.error(`isolation must be process or inline, got "${isolation}"`);
  process.exit(2);
}
if (idleMs > 0 && concurrency !== 1) {
  console.error('idle-ms measures one call at a time: leave concurrency at 1');
  process.exit(2);
}
if (idleMs > 0)
  console.log(
    `each call ${idleMs} ms after the previous one (${((iterations * idleMs) / 1000).toFixed(0)} s per row at least)`,
  );

const host: HostServices = {
  cache: new InMemoryActionCache(),
  fetch: () => Promise.reject(new Error('no network in the benchmark')),
  kindeManagementGet: async () => ({ status: 404, body: {} }),
};

const request: TriggerRequest = {
  client: { client_id: 'bench-client', name: 'Bench', metadata: { tier: 'gold' } },
  audience: 'https://api.example.com',
  requestedScopes: [],
  grantedScopes: ['read:things', 'write:things'],
  scopes: ['read:things', 'write:things'],
  request: {
    ip: '203.0.113.7',
    hostname: 'localhost',
    method: 'POST',
    body: { grant_type: 'client_credentials', audience: 'https://api.example.com' },
  },
  issuer: 'http://localhost:3000',
  tenantId: 'bench',
};

const SEED_CLAIM = `exports.onExecuteCredentialsExchange = async (event, api) => {
  api.accessToken.setCustomClaim("https://my-api.exampleco.com/request-ip", event.request.ip);
};`;

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;

async function measure(label: string, run: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < 2000; i++) await run();
  const samples: number[] = [];
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < iterations) {
        if (idleMs > 0) await sleep(idleMs);
        const t0 = performance.now();
        await run();
        samples.push((performance.now() - t0) * 1000);
      }
    }),
  );
  // Idle gaps are not the chain's time: one call at a time, its throughput is 1 / mean latency.
  const seconds = idleMs > 0 ? samples.reduce((sum, us) => sum + us, 0) / 1e6 : (performance.now() - started) / 1000;
  samples.sort((a, b) => a - b);
  console.log(
    `${label.padEnd(34)} p50 ${percentile(samples, 0.5).toFixed(1).padStart(7)} µs   p99 ${percentile(samples, 0.99).toFixed(1).padStart(7)} µs   ${Math.round(
      samples.length / seconds,
    )
      .toString()
      .padStart(7)} ops/s`,
  );
}

const engine: TriggerEngine =
  isolation === 'inline'
    ? createTriggerEngine({ host })
    : new SandboxSupervisor({
        settings: {
          ...ENGINE_DEFAULTS,
          maxLogBytes: ENGINE_DEFAULTS.maxLogBytesPerAction,
          egress: { timeoutMs: 10_000, maxResponseBytes: 1024 * 1024, allowPrivate: [] },
          maxRssMb: 2048,
        },
        kindeManagementGet: host.kindeManagementGet,
      });
console.log(`isolation: ${isolation}`);
engine.setBindings([]);
await measure('empty chain (baseline)', () => engine.run(request));
engine.setBindings([
  {
    actionId: 'act_1',
    versionId: 'ver_1',
    name: 'request-ip',
    triggerId: 'credentials-exchange',
    code: SEED_CLAIM,
    secrets: {},
  },
]);
await measure('1 Auth0 action, 1 claim', () => engine.run(request));
engine.setBindings([
  {
    actionId: 'act_1',
    versionId: 'ver_1',
    name: 'request-ip',
    triggerId: 'credentials-exchange',
    code: SEED_CLAIM,
    secrets: {},
  },
  {
    actionId: 'act_2',
    versionId: 'ver_2',
    name: 'kinde-claim',
    triggerId: 'm2m:token_generation',
    bindings: ['kinde.m2mToken'],
    secrets: {},
    code: `module.exports = { default: async (event) => { kinde.m2mToken.setCustomClaim('clientId', event.context.application.clientId); } };`,
  },
]);
await measure('Auth0 + Kinde action, 2 claims', () => engine.run(request));
await engine.close();
