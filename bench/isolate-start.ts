/**
 * Micro-benchmark of what each new isolate pays before its first request: a context, the sandbox program (compiled
 * from V8's code cache after the first), its boot with the host References, the action's module and its entry points
 * (runtime/isolate-factory.ts `createInstance`, the real path). Prints the program's size, the cold first isolate,
 * then p50 / p90 over the next N and the V8 heap each loaded isolate holds; a bare isolate and context first, for
 * what is not the program's. The last two Auth0 actions require Node built-ins at their top level (`crypto` and a
 * digest; all of them): what an isolate pays when its action makes the Node layer (program/node/).
 *
 *   node --no-node-snapshot dist/bench/isolate-start.js [isolates]
 */
import ivm from 'isolated-vm';
import { InMemoryActionCache } from '../src/triggers/auth0/cache.js';
import type { DeployedAction, HostServices } from '../src/triggers/contract.js';
import { ENGINE_DEFAULTS } from '../src/triggers/engine.js';
import { createInstance, type Instance, type SandboxOptions } from '../src/triggers/runtime/isolate-factory.js';
import { IsolateCensus } from '../src/triggers/runtime/isolate-census.js';
import { sandboxProgram } from '../src/triggers/sandbox/bootstrap.js';

const isolates = Number(process.argv[2] ?? 50);
if (!Number.isInteger(isolates) || isolates < 2) {
  console.error('usage: isolate-start.js [isolates ≥ 2]');
  process.exit(2);
}

const host: HostServices = {
  cache: new InMemoryActionCache(),
  fetch: () => Promise.reject(new Error('no network in the benchmark')),
  kindeManagementGet: async () => ({ status: 404, body: {} }),
};

const options: SandboxOptions = {
  memoryLimitMb: ENGINE_DEFAULTS.memoryLimitMb,
  maxLogBytes: ENGINE_DEFAULTS.maxLogBytesPerAction,
  maxIsolatesPerVersion: 1,
  maxIsolatesPerClient: 1,
  census: new IsolateCensus(isolates + 1),
  maxTimers: ENGINE_DEFAULTS.maxTimers,
  maxTimersPerIsolate: ENGINE_DEFAULTS.maxTimersPerIsolate,
  maxFetches: ENGINE_DEFAULTS.maxFetches,
  maxFetchesPerIsolate: ENGINE_DEFAULTS.maxFetchesPerIsolate,
  maxCryptoMs: ENGINE_DEFAULTS.maxCryptoMs,
  chainTimeoutMs: ENGINE_DEFAULTS.chainTimeoutMs,
  syncSliceMs: ENGINE_DEFAULTS.syncSliceMs,
  host,
};

const ACTIONS: DeployedAction[] = [
  {
    actionId: 'act_1',
    versionId: 'ver_1',
    name: 'request-ip',
    triggerId: 'credentials-exchange',
    code: `exports.onExecuteCredentialsExchange = async (event, api) => {
  api.accessToken.setCustomClaim("https://my-api.exampleco.com/request-ip", event.request.ip);
};`,
    secrets: {},
  },
  {
    actionId: 'act_3',
    versionId: 'ver_3',
    name: 'require-crypto',
    triggerId: 'credentials-exchange',
    code: `const digest = require('crypto').createHash('sha256').update('x').digest('hex');
exports.onExecuteCredentialsExchange = async (event, api) => { api.accessToken.setCustomClaim('https://t/d', digest); };`,
    secrets: {},
  },
  {
    actionId: 'act_4',
    versionId: 'ver_4',
    name: 'require-all',
    triggerId: 'credentials-exchange',
    code: `for (const m of ['buffer', 'crypto', 'events', 'http', 'https', 'os', 'path', 'querystring', 'stream', 'string_decoder', 'url', 'util']) require(m);
exports.onExecuteCredentialsExchange = async () => {};`,
    secrets: {},
  },
  {
    actionId: 'act_2',
    versionId: 'ver_2',
    name: 'kinde-claim',
    triggerId: 'm2m:token_generation',
    bindings: ['kinde.m2mToken', 'url'],
    secrets: {},
    code: `module.exports = { default: async (event) => { kinde.m2mToken.setCustomClaim('c', event.context.application.clientId); } };`,
  },
];

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;

async function start(action: DeployedAction): Promise<{ ms: number; instance: Instance }> {
  const t0 = performance.now();
  const instance = await createInstance(action, options, performance.now() + 10_000);
  const ms = performance.now() - t0;
  if (!('runner' in instance)) throw new Error(`${action.name} did not load: ${instance.message}`);
  return { ms, instance };
}

/** A bare isolate and context, the part of {@link start} that is not the program or the action. */
async function bare(): Promise<number> {
  const t0 = performance.now();
  const isolate = new ivm.Isolate({ memoryLimit: options.memoryLimitMb });
  await isolate.createContext();
  const ms = performance.now() - t0;
  isolate.dispose();
  return ms;
}

const bareSamples: number[] = [];
for (let i = 0; i < isolates; i++) bareSamples.push(await bare());
bareSamples.sort((a, b) => a - b);
console.log(`bare isolate + context                  p50 ${percentile(bareSamples, 0.5).toFixed(2).padStart(5)} ms`);

for (const action of ACTIONS) {
  const platform = action.triggerId === 'credentials-exchange' ? 'auth0' : 'kinde';
  const programBytes = Buffer.byteLength(sandboxProgram(platform));
  const cold = await start(action);
  cold.instance.isolate.dispose();
  const samples: number[] = [];
  const heaps: number[] = [];
  const live: ivm.Isolate[] = [];
  for (let i = 0; i < isolates; i++) {
    const { ms, instance } = await start(action);
    samples.push(ms);
    heaps.push((await instance.isolate.getHeapStatistics()).used_heap_size);
    live.push(instance.isolate);
  }
  for (const isolate of live) isolate.dispose();
  samples.sort((a, b) => a - b);
  heaps.sort((a, b) => a - b);
  console.log(
    `${(action.name === 'request-ip' || action.name === 'kinde-claim' ? platform : action.name).padEnd(14)} program ${(programBytes / 1024).toFixed(1).padStart(6)} KB   cold ${cold.ms.toFixed(2).padStart(6)} ms   ` +
      `p50 ${percentile(samples, 0.5).toFixed(2).padStart(5)} ms   p90 ${percentile(samples, 0.9).toFixed(2).padStart(5)} ms   ` +
      `heap p50 ${(percentile(heaps, 0.5) / 1024).toFixed(0).padStart(5)} KB   (${isolates} isolates)`,
  );
}
