/**
 * The sandbox process: the only process where action code runs. The server starts it (sandbox-supervisor.ts) with
 * {@link SANDBOX_V8_FLAGS}, a bare environment and an IPC channel, and talks to it in sandbox-protocol.ts messages;
 * inside, the trigger engine runs exactly as it would in the server (engine.ts).
 *
 * Why a process of its own: V8 ends the whole process on some failures no isolate limit catches — a `Map`, `Set` or
 * object used as a dictionary that grows past what the isolate's heap has left (`CALL_AND_RETRY_LAST`),
 * `Array.prototype.sort` on an array-like 2³²−1 long (`invalid array length`) — and some built-ins never check for
 * termination, so a stopped call can hold its thread, and allocate, for minutes (docs/security.md, "sandbox"). Here
 * they end or wedge this process only, and the supervisor replaces it.
 *
 * This process watches itself too: it ends when its resident memory passes `maxRssMb` (native memory no isolate limit
 * counts) and when its isolate thread pool is starved (a canary call that gets no thread within the chain budget plus
 * {@link CANARY_GRACE_MS}); it reports loads and calls whose thread did not come back (`stuck`).
 */
import ivm from 'isolated-vm';
import { InMemoryActionCache } from '../auth0/cache.js';
import { ActionBuildError } from '../action-build.js';
import type { ChainResult, TriggerEngine } from '../contract.js';
import { FirstTimeGuard } from './crash-guard.js';
import { createEgressFetch } from '../egress/fetch.js';
import { createTriggerEngine } from '../engine.js';
import {
  Outbox,
  type FromSandbox,
  type SandboxLossKind,
  type SandboxProcessSettings,
  type ToSandbox,
} from './sandbox-protocol.js';
import { STUCK_AFTER_MS } from './version-isolate.js';
import { writesCpuProfile } from './profiling-flags.js';

/** How often the watchdogs look, in ms. */
const WATCH_EVERY_MS = 1000;
/** How long past the chain budget a canary call may wait for an isolate thread before the pool counts as starved. */
export const CANARY_GRACE_MS = 5000;

const outbox = new Outbox<FromSandbox>((message) => process.send?.(message));
const send = (message: FromSandbox): void => outbox.push(message);

/** Ends this process at once (the supervisor sees the signal); `reason` goes first, for the operator. */
function end(kind: SandboxLossKind, reason: string): void {
  process.stderr.write(`minter sandbox: ${reason}\n`);
  const kill = () => process.kill(process.pid, 'SIGKILL');
  if (process.connected) process.send!({ t: 'ending', kind, reason } satisfies FromSandbox, kill);
  else kill();
}

let engine: TriggerEngine | undefined;
let batches: number[] = [];
const kindeAnswers = new Map<number, (answer: { status: number; body: unknown }) => void>();
let kindeCalls = 0;

function start(settings: SandboxProcessSettings): void {
  const loads = new Map<string, NodeJS.Timeout[]>();
  engine = createTriggerEngine({
    memoryLimitMb: settings.memoryLimitMb,
    chainTimeoutMs: settings.chainTimeoutMs,
    maxLogBytesPerAction: settings.maxLogBytes,
    syncSliceMs: settings.syncSliceMs,
    maxIsolates: settings.maxIsolates,
    maxTimers: settings.maxTimers,
    maxTimersPerIsolate: settings.maxTimersPerIsolate,
    maxFetches: settings.maxFetches,
    maxFetchesPerIsolate: settings.maxFetchesPerIsolate,
    maxCryptoMs: settings.maxCryptoMs,
    // What this process was loading and running when it ended is the supervisor's to see (the 'load' messages and
    // the requests in flight); the guard only makes the test-only crash trigger work here as in the server.
    crashGuard: new FirstTimeGuard(),
    ...(settings.testCrash && { testCrash: settings.testCrash }),
    onBatch: (requests) => batches.push(requests),
    onLoad: (versionId, phase) => {
      // At once: the load's top-level code (at 'start') or the request waiting for it (at 'end') may end this process
      // before the turn ends, and the server must know which it was.
      outbox.pushNow({ t: 'load', versionId, phase });
      // A load is bounded by the chain budget; one that has not ended well after it holds its thread.
      const timers = loads.get(versionId) ?? [];
      if (phase === 'start') {
        timers.push(
          setTimeout(() => send({ t: 'stuck', versionId }), settings.chainTimeoutMs + STUCK_AFTER_MS).unref(),
        );
        loads.set(versionId, timers);
      } else {
        clearTimeout(timers.shift());
        if (timers.length === 0) loads.delete(versionId);
      }
    },
    onStuck: (versionId) => send({ t: 'stuck', versionId }),
    host: {
      cache: new InMemoryActionCache(),
      fetch: createEgressFetch(settings.egress),
      kindeManagementGet: (endpoint) =>
        new Promise((resolve) => {
          const id = ++kindeCalls;
          kindeAnswers.set(id, resolve);
          send({ t: 'kinde', id, endpoint });
        }),
    },
  });
  watch(settings);
  send({ t: 'ready' });
}

function watch(settings: SandboxProcessSettings): void {
  const canary = new ivm.Isolate({ memoryLimit: 8 });
  const context = canary.createContextSync();
  let pendingSince = 0;
  setInterval(() => {
    const rss = process.memoryUsage.rss();
    if (rss > settings.maxRssMb * 1048576)
      return end(
        'memory',
        `resident memory ${Math.round(rss / 1048576)} MB is past MINTER_ACTIONS_SANDBOX_MAX_RSS_MB (${settings.maxRssMb})`,
      );
    if (pendingSince === 0) {
      pendingSince = performance.now();
      context.eval('0').then(
        () => (pendingSince = 0),
        () => (pendingSince = 0),
      );
    } else if (performance.now() - pendingSince > settings.chainTimeoutMs + CANARY_GRACE_MS) {
      end(
        'starved',
        `no isolate thread was free for ${Math.round(performance.now() - pendingSince)} ms (the pool is held by calls that did not stop)`,
      );
    }
  }, WATCH_EVERY_MS).unref();
}

function result(id: number, run: Promise<ChainResult>): void {
  void run.then((chain) => {
    const message: FromSandbox = { t: 'result', id, result: chain };
    if (batches.length > 0) {
      message.batches = batches;
      batches = [];
    }
    send(message);
  });
}

process.on('message', heard);

function heard(message: ToSandbox): void {
  switch (message.t) {
    case 'batch':
      return message.messages.forEach(heard);
    case 'init':
      return start(message.settings);
    case 'bind':
      return engine!.setBindings(message.chain);
    case 'run':
      return result(message.id, engine!.run(message.request));
    case 'test':
      return result(message.id, engine!.test(message.action, message.request));
    case 'build':
      return void engine!.build(message.source).then(
        (built) => send({ t: 'built', id: message.id, built }),
        (error: unknown) =>
          send({
            t: 'built',
            id: message.id,
            failure:
              error instanceof ActionBuildError
                ? { message: error.message, file: error.file, line: error.line, column: error.column }
                : { message: error instanceof Error ? error.message : String(error) },
          }),
      );
    case 'kinde': {
      const answer = kindeAnswers.get(message.id);
      kindeAnswers.delete(message.id);
      return answer?.(message.answer);
    }
    case 'ping':
      return send({ t: 'pong', n: message.n });
    default:
      message satisfies never;
  }
}
// The server is gone: nothing may outlive it. A profiled process exits instead, which writes its profile.
const profiled = writesCpuProfile(process.execArgv);
process.on('disconnect', () => (profiled ? process.exit(0) : process.kill(process.pid, 'SIGKILL')));
// A terminal's Ctrl-C or a service manager's stop signals the whole process group: the server stops this process
// itself (close, or disconnect), so a signal meant for the server is not mistaken for a crash.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => undefined);
process.on('uncaughtException', (error) =>
  end('error', `uncaught exception: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`),
);
