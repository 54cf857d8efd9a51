/**
 * One sandbox process, from its start to its end, as the supervisor sees it: the process, its message queue, what it
 * has under way (for the answers and for crash attribution) and what it said about itself.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ActionBuildError } from '../action-build.js';
import { sandboxLost } from '../chain.js';
import type { BuiltAction, ChainResult, DeployedAction } from '../contract.js';
import { SANDBOX_V8_FLAGS } from '../sandbox/hardening.js';
import { profilingFlags, writesCpuProfile } from './profiling-flags.js';
import {
  Outbox,
  type FromSandbox,
  type SandboxLossKind,
  type SandboxProcessSettings,
  type ToSandbox,
} from './sandbox-protocol.js';

type Said<T extends FromSandbox['t']> = Extract<FromSandbox, { t: T }>;

/** What the sandbox process wrote last, without V8's heap statistics (`name = number` lines) and blank lines. */
export const lastWords = (stderr: string) =>
  stderr
    .split('\n')
    .filter((line) => line.trim() !== '' && !/^\s*[a-z_]+ = \d+\s*$/.test(line))
    .slice(-6)
    .join(' | ');

const HOST_PATH = fileURLToPath(new URL('./sandbox-host.js', import.meta.url));

export interface Pending {
  /** The versions this request runs (crash attribution). */
  chain: readonly DeployedAction[];
  startedAt: number;
  settle(result: ChainResult): void;
}

/** One sandbox process, from start to end. */
export class SandboxChild {
  readonly process: ChildProcess;
  readonly ready: Promise<boolean>;
  readonly runs = new Map<number, Pending>();
  readonly builds = new Map<number, { resolve(built: BuiltAction): void; reject(error: Error): void }>();
  /** Versions whose isolates are loading, with how many loads each. */
  readonly loading = new Map<string, number>();
  /** Writes a CPU profile when it exits: closed by disconnecting, not killed, when the server closes. */
  readonly profiled = writesCpuProfile(process.execArgv);
  /** Takes no new work; killed once its requests are answered. */
  retiring = false;
  gone = false;
  lastPong = performance.now();
  /** Why it ended, when it said so itself or was killed for it. */
  ending: string | undefined;
  lossKind: SandboxLossKind = 'crashed';
  stderrTail = '';

  constructor(settings: SandboxProcessSettings) {
    this.process = fork(HOST_PATH, [], {
      execArgv: [
        '--no-node-snapshot',
        '--max-semi-space-size=16',
        ...SANDBOX_V8_FLAGS,
        // The server's own profiling flags, if any (profiling-flags.ts).
        ...profilingFlags(process.execArgv),
      ],
      // Nothing of the server's environment (database URL, keys, admin credentials) reaches the sandbox.
      env: { PATH: process.env.PATH ?? '' },
      serialization: 'json',
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    });
    // Kept for the log line of a loss (V8's fatal error report ends up here), not echoed: a crash is one warning.
    this.process.stderr!.on(
      'data',
      (chunk: Buffer) => (this.stderrTail = (this.stderrTail + chunk.toString()).slice(-4000)),
    );
    this.ready = new Promise((resolve) => {
      const onMessage = (message: FromSandbox) => {
        if (message.t !== 'ready' && !(message.t === 'batch' && message.messages.some((m) => m.t === 'ready'))) return;
        this.process.off('message', onMessage);
        resolve(true);
      };
      this.process.on('message', onMessage);
      this.process.once('exit', () => resolve(false));
    });
    this.send({ t: 'init', settings });
  }

  readonly #outbox = new Outbox<ToSandbox>((message) => {
    if (!this.gone && this.process.connected) this.process.send(message);
  });

  send(message: ToSandbox): void {
    this.#outbox.push(message);
  }

  /** The versions of everything under way, for crash attribution. */
  suspects(): { loading: string[]; running: string[] } {
    const running = new Set<string>();
    for (const pending of this.runs.values()) for (const action of pending.chain) running.add(action.versionId);
    return { loading: [...this.loading.keys()], running: [...running] };
  }

  /** Answers the request `message` is the result of; the versions that ran in it (they are proven). */
  settleRun(message: Said<'result'>): string[] {
    const pending = this.runs.get(message.id);
    if (pending === undefined) return [];
    this.runs.delete(message.id);
    const ran = new Set(
      message.result.results.filter((result) => result.status !== 'skipped').map((result) => result.version_id),
    );
    pending.settle(message.result);
    return pending.chain.filter((action) => ran.has(action.versionId)).map((action) => action.versionId);
  }

  /** Answers the build `message` is the outcome of. */
  settleBuild(message: Said<'built'>): void {
    const pending = this.builds.get(message.id);
    this.builds.delete(message.id);
    if (message.built !== undefined) return pending?.resolve(message.built);
    const failure = message.failure ?? { message: 'The build failed' };
    pending?.reject(
      'file' in failure
        ? new ActionBuildError(failure.message, failure.file, failure.line, failure.column)
        : new Error(failure.message),
    );
  }

  /** A version's isolate started or finished loading. */
  loadPhase(versionId: string, phase: Said<'load'>['phase']): void {
    const count = (this.loading.get(versionId) ?? 0) + (phase === 'start' ? 1 : -1);
    if (count > 0) this.loading.set(versionId, count);
    else this.loading.delete(versionId);
  }

  /** The process ended (`how`): every request under way fails with `message`, every build with the reason. */
  failAll(message: string, how: string): void {
    for (const pending of this.runs.values()) pending.settle(sandboxLost(pending.chain, message, pending.startedAt));
    for (const build of this.builds.values()) {
      build.reject(
        new ActionBuildError(
          `The action's code ended the sandbox process while it was checked (${how})`,
          'action.js',
          0,
          0,
        ),
      );
    }
    this.runs.clear();
    this.builds.clear();
  }
}
