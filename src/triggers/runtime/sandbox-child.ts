/**
 * One sandbox process, from its start to its end, as the supervisor sees it: the process, its message queue, what it
 * has under way (for the answers and for crash attribution) and what it said about itself.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BuiltAction, ChainResult, DeployedAction } from '../contract.js';
import { SANDBOX_V8_FLAGS } from '../sandbox/hardening.js';
import {
  Outbox,
  type FromSandbox,
  type SandboxLossKind,
  type SandboxProcessSettings,
  type ToSandbox,
} from './sandbox-protocol.js';

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
      execArgv: ['--no-node-snapshot', '--max-semi-space-size=16', ...SANDBOX_V8_FLAGS],
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
}
