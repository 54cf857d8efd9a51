/**
 * One child process of the crash hunt (sandbox-crash-hunt.test.ts): runs the probe through Minter's own trigger
 * engine, in an isolate made exactly as the sandbox process makes them (its V8 flags are on this process's command
 * line), and prints its progress to stdout line by line, synchronously, so that the parent knows where a crash
 * happened. A run the engine stops (out of memory, out of time) goes on with the next function in a fresh isolate.
 *
 * argv[2]: JSON {@link HuntTask}. Output lines: `n <functions>`, `f <index> <path>`, `stopped <index> <status>`,
 * `done <json summary>`.
 */
import { writeSync } from 'node:fs';
import v8 from 'node:v8';
import { InMemoryActionCache } from '../../src/triggers/auth0/cache.js';
import type { DeployedAction, HostServices } from '../../src/triggers/contract.js';
import { createTriggerEngine } from '../../src/triggers/engine.js';
import { AUTH0_PROBE, KINDE_PROBE, PROBE_BODY } from './sandbox-hunt-probe.js';
import { request } from './engine-helpers.js';

export interface HuntTask {
  platform: 'auth0' | 'kinde';
  chunk: number;
  chunks: number;
  /** Function paths left out (see the test's list). */
  skip: string[];
  memoryLimitMb: number;
  /** Budget of one run of the probe, in ms. */
  runMs: number;
  /** The first function index to call (a new child resumes after a crash or a hung call). */
  start: number;
  /** Only name the functions, call none. */
  list?: boolean;
  /** When given, the only function paths to call. */
  only?: string[];
  /** Leave the huge-length values out for every function. */
  tame?: boolean;
}

v8.setFlagsFromString('--no-incremental-marking');
const task = JSON.parse(process.argv[2]!) as HuntTask;
const say = (line: string) => writeSync(1, `${line}\n`);

let last = -1;
/** The function under way (-1 between runs) and when it started, for its `t` line. */
let current = -1;
let since = 0;
let total = -1;
let done = false;
const rss = () => `${Math.round(process.memoryUsage.rss() / 1048576)}MB`;
function ended(): void {
  if (current >= 0) say(`t ${current} ${Math.round(performance.now() - since)}ms rss=${rss()}`);
  current = -1;
}
function progress(text: string): void {
  if (text.startsWith('n ')) {
    if (total === -1) say(text);
    total = Number(text.slice(2));
  } else if (text.startsWith('calls ')) {
    if (runs === 1) say(text);
  } else if (text.startsWith('f ')) {
    ended();
    current = last = Number(text.slice(2, text.indexOf(' ', 2)));
    since = performance.now();
    say(text);
  } else if (text === 'done') {
    ended();
    done = true;
  }
}

/**
 * Resident memory past which this process stops at once, in MB: a built-in that runs on after its isolate was
 * disposed may allocate hundreds of MB a second outside every isolate limit (native and past-limit heap memory).
 */
const MAX_RSS_MB = 1536;
setInterval(() => {
  if (process.memoryUsage.rss() > MAX_RSS_MB * 1048576) {
    say(`runaway ${last} ${rss()}`);
    process.kill(process.pid, 'SIGKILL');
  }
}, 100).unref();

const ISSUER = 'https://hunt.example.com';
const cache = new InMemoryActionCache();
const host: HostServices = {
  cache: {
    get: (actionId, key) => {
      if (key.startsWith('~')) progress(key.slice(1));
      return cache.get(actionId, key);
    },
    set: (actionId, key, value, options) => cache.set(actionId, key, value, options),
    delete: (actionId, key) => cache.delete(actionId, key),
  },
  fetch: () => Promise.reject(new Error('no network in the crash hunt')),
  kindeManagementGet: async (endpoint) => {
    if (endpoint.startsWith('~')) progress(decodeURIComponent(endpoint.slice(1)));
    return { status: 404, body: {} };
  },
};

const probe = task.platform === 'auth0' ? AUTH0_PROBE : KINDE_PROBE;
const code = probe.module(probe.prologue + PROBE_BODY);
const engine = createTriggerEngine({
  memoryLimitMb: task.memoryLimitMb,
  chainTimeoutMs: task.runMs,
  syncSliceMs: 0,
  maxLogBytesPerAction: 0,
  // The Node built-ins' host calls are hunted too (issue 13): no budget stops them early.
  maxCryptoMs: 3_600_000,
  host,
});

/**
 * Whether an isolate thread still computes after its call was stopped and its isolate disposed: this process's CPU
 * time while the main thread only waits, over {@link SETTLE_MS}: past a quarter of it, a thread still runs (a stopped
 * isolate frees its thread within a few ms; one that goes on spends much of its time in GC, not all of it on CPU).
 */
const SETTLE_MS = 1000;
async function stillRunning(): Promise<boolean> {
  await new Promise((resolve) => setTimeout(resolve, 50));
  const before = process.cpuUsage();
  const rssBefore = process.memoryUsage.rss();
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 > SETTLE_MS / 4 || process.memoryUsage.rss() - rssBefore > 64 * 1048576;
}

const stopped: Array<{ index: number; status: string }> = [];
let runs = 0;
let start = task.start;
while (!done) {
  runs++;
  const settings = JSON.stringify({
    start,
    chunk: task.chunk,
    chunks: task.chunks,
    skip: task.skip,
    list: task.list === true,
    only: task.only ?? null,
    tame: task.tame === true,
  });
  const action: DeployedAction = {
    actionId: 'hunt',
    versionId: `hunt-${runs}`,
    name: 'hunt',
    triggerId: task.platform === 'auth0' ? 'credentials-exchange' : 'm2m:token_generation',
    code,
    secrets: { SETTINGS: settings, ISSUER },
    ...(task.platform === 'kinde' && {
      bindings: ['kinde.fetch', 'kinde.env', 'kinde.m2mToken', 'url'],
      failurePolicy: 'stop' as const,
    }),
  };
  engine.setBindings([action]);
  const result = await engine.run(request({ issuer: ISSUER }));
  if (done) break;
  const outcome = result.results[0];
  if (last < start) {
    // Nothing ran: the probe itself failed before its first function (a broken harness, not a finding).
    say(`broken ${JSON.stringify(outcome?.error ?? outcome?.status)}`);
    process.exit(3);
  }
  stopped.push({ index: last, status: outcome?.status ?? 'none' });
  say(
    `stopped ${last} ${Math.round(performance.now() - since)}ms ${outcome?.status} ${JSON.stringify(outcome?.error?.msg ?? '')} rss=${rss()}`,
  );
  current = -1;
  if (await stillRunning()) {
    // The engine answered, but the call goes on in a thread no budget reaches (a built-in that never checks for
    // termination): this process cannot be used any more. The parent starts the next function in a new one.
    say(`hung ${last}`);
    process.kill(process.pid, 'SIGKILL');
  }
  start = last + 1;
}
await engine.close();
if (await stillRunning()) {
  say(`hung ${last}`);
  process.kill(process.pid, 'SIGKILL');
}
say(`done ${JSON.stringify({ functions: total, runs, stopped })}`);
if (process.env.HUNT_DEBUG) {
  const handles = process as unknown as { _getActiveHandles(): object[]; _getActiveRequests(): object[] };
  say(
    `handles ${handles
      ._getActiveHandles()
      .map((h) => h.constructor.name)
      .join(',')} requests ${handles._getActiveRequests().length}`,
  );
}
