/**
 * Child processes of the benchmark: every server and every load generator runs in its own `node` process,
 * is tracked here, and is killed when the orchestrator ends — normally, on an error, or on Ctrl-C.
 *
 * Each child also gets an IPC channel and a preload (`orphan-guard.js`) that stops it when that channel closes,
 * so a child does not outlive an orchestrator that was killed with SIGKILL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file runs from `dist/bench/`). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** Compiled bench scripts. */
export const BENCH_DIST = join(ROOT, 'dist', 'bench');

const GUARD = join(BENCH_DIST, 'orphan-guard.js');
const TASKSET = '/usr/bin/taskset';
/** Lines of output kept per child for error messages. */
const TAIL_LINES = 40;

export interface ChildOptions {
  /** A label for messages. */
  name: string;
  /** Script and its arguments, after node's own flags. */
  args: string[];
  /** Extra node flags (before the script). */
  nodeFlags?: string[];
  env?: Record<string, string>;
  /** CPUs to pin the process to, as a `taskset -c` list (`0`, `0,1`); not pinned when absent. */
  cpus?: string;
  /** Called with each complete stdout line. */
  onLine?: (line: string) => void;
}

/** A running child with the tail of its output. */
export class Child {
  readonly process: ChildProcess;
  readonly exited: Promise<number | null>;
  #tail: string[] = [];
  #exitCode: number | null | undefined;

  constructor(readonly options: ChildOptions) {
    const nodeArgs = ['--no-node-snapshot', '--import', GUARD, ...(options.nodeFlags ?? []), ...options.args];
    const pinned = options.cpus !== undefined && existsSync(TASKSET);
    // taskset execs node, so the pid we see is node's pid.
    const [command, args] = pinned
      ? [TASKSET, ['-c', options.cpus!, process.execPath, ...nodeArgs]]
      : [process.execPath, nodeArgs];
    this.process = spawn(command, args, {
      cwd: ROOT,
      env: { ...inheritedEnv(), ...options.env },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    children.add(this);
    this.exited = new Promise((resolveExit) => {
      this.process.once('exit', (code) => {
        // null when a signal ended it.
        this.#exitCode = code;
        children.delete(this);
        resolveExit(code);
      });
      this.process.once('error', (error) => {
        this.#keep(`spawn failed: ${error.message}`);
        this.#exitCode = null;
        children.delete(this);
        resolveExit(null);
      });
    });
    this.#read(this.process.stdout!, options.onLine);
    this.#read(this.process.stderr!);
  }

  get pid(): number {
    const pid = this.process.pid;
    if (pid === undefined) throw new Error(`${this.options.name} has no pid (did it start?)`);
    return pid;
  }

  get running(): boolean {
    return this.#exitCode === undefined;
  }

  /** Undefined while it runs; once it ended, its exit code and last output, for error messages. */
  gone(): string | undefined {
    return this.running ? undefined : `${this.options.name} exited (code ${this.#exitCode}):\n${this.tail()}`;
  }

  /** The last lines the child wrote, for error messages. */
  tail(): string {
    return this.#tail.join('\n');
  }

  #keep(line: string) {
    this.#tail.push(line);
    if (this.#tail.length > TAIL_LINES) this.#tail.shift();
  }

  // Output is always drained: a child blocked on a full pipe would measure the pipe, not the server.
  #read(stream: NodeJS.ReadableStream, onLine?: (line: string) => void) {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop()!;
      for (const line of lines) {
        this.#keep(line);
        onLine?.(line);
      }
    });
  }

  /** SIGTERM, then SIGKILL after `graceMs` (ms); resolves when the process is gone. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.process.kill('SIGTERM');
    const timer = setTimeout(() => this.process.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/**
 * The orchestrator's environment minus what would change what a server is: Minter's own variables, and the
 * storage switches (a `DATABASE_URL` in the shell must not turn the embedded-storage benchmark into a PostgreSQL one).
 */
function inheritedEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (key.startsWith('MINTER_') || key === 'DATABASE_URL' || key === 'REDIS_URL' || key === 'PORT' || key === 'HOST')
      delete env[key];
  }
  return env;
}

const children = new Set<Child>();
const tempDirs = new Set<string>();

/** Starts a child node process. */
export const startChild = (options: ChildOptions) => new Child(options);

/** A directory removed when the orchestrator ends, whatever the reason. */
export function removeOnExit(dir: string): void {
  tempDirs.add(dir);
}

/** Stops every child still running: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopAll(graceMs = 5000): Promise<void> {
  await Promise.all([...children].map((child) => child.stop(graceMs)));
}

function killAllNow(): void {
  for (const child of children) child.process.kill('SIGKILL');
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
}

let installed = false;
/** Makes sure no child outlives the orchestrator: on exit, on SIGINT/SIGTERM/SIGHUP and on an uncaught error. */
export function installCleanup(): void {
  if (installed) return;
  installed = true;
  process.on('exit', killAllNow);
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      if (stopping) return killAllNow();
      stopping = true;
      process.stderr.write(`\nbench: ${signal}, stopping ${children.size} child process(es)…\n`);
      stopAll(3000).finally(() => process.exit(130));
    });
  }
  const fatal = (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? error.stack : String(error)}\n`);
    stopAll(3000).finally(() => process.exit(1));
  };
  process.on('uncaughtException', fatal);
  process.on('unhandledRejection', fatal);
}
