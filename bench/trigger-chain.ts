/**
 * Micro-benchmark of the trigger chain on the token hot path: one bound Auth0 action that sets one claim (the Auth0
 * seed sample), run N times against a warm isolate. Prints p50 / p99 in µs and throughput.
 *
 *   node --no-node-snapshot --import tsx bench/trigger-chain.ts [iterations] [concurrency]
 */
import { InMemoryActionCache } from '../src/triggers/action-cache.js';
import type { HostServices, TriggerRequest } from '../src/triggers/contract.js';
import { createTriggerEngine } from '../src/triggers/engine.js';

const iterations = Number(process.argv[2] ?? 20_000);
const concurrency = Number(process.argv[3] ?? 1);

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
  request: { ip: '203.0.113.7', hostname: 'localhost', method: 'POST', body: { grant_type: 'client_credentials', audience: 'https://api.example.com' } },
  issuer: 'http://localhost:3000',
  tenantId: 'bench',
};

const SEED_CLAIM = `exports.onExecuteCredentialsExchange = async (event, api) => {
  api.accessToken.setCustomClaim("https://my-api.exampleco.com/request-ip", event.request.ip);
};`;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;

async function measure(label: string, run: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < 2000; i++) await run();
  const samples: number[] = [];
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < iterations) {
        const t0 = performance.now();
        await run();
        samples.push((performance.now() - t0) * 1000);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  samples.sort((a, b) => a - b);
  console.log(
    `${label.padEnd(34)} p50 ${percentile(samples, 0.5).toFixed(1).padStart(7)} µs   p99 ${percentile(samples, 0.99).toFixed(1).padStart(7)} µs   ${Math.round(samples.length / seconds).toString().padStart(7)} ops/s`,
  );
}

const engine = createTriggerEngine({ host });
engine.setBindings([]);
await measure('empty chain (baseline)', () => engine.run(request));
engine.setBindings([{ actionId: 'act_1', versionId: 'ver_1', name: 'request-ip', triggerId: 'credentials-exchange', code: SEED_CLAIM, secrets: {} }]);
await measure('1 Auth0 action, 1 claim', () => engine.run(request));
engine.setBindings([
  { actionId: 'act_1', versionId: 'ver_1', name: 'request-ip', triggerId: 'credentials-exchange', code: SEED_CLAIM, secrets: {} },
  {
    actionId: 'act_2', versionId: 'ver_2', name: 'kinde-claim', triggerId: 'm2m:token_generation', bindings: ['kinde.m2mToken'], secrets: {},
    code: `module.exports = { default: async (event) => { kinde.m2mToken.setCustomClaim('clientId', event.context.application.clientId); } };`,
  },
]);
await measure('Auth0 + Kinde action, 2 claims', () => engine.run(request));
await engine.close();
