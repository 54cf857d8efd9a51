/**
 * Runs the npm that ships with the running Node (or the one on PATH) for the packager, in the server process — the
 * sandbox process has no PATH and no network — with a deadline, no install scripts, and npm's answer read as JSON
 * (`--json`), so that a failure becomes one sentence: not found, no such version, registry unreachable, timed out,
 * or npm's own first lines.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface NpmSettings {
  /** Registry URL; npm's own configuration (`npm config get registry`) when unset. */
  registry?: string;
  /** npm's download cache (its `--cache`), kept beside the installs. */
  cacheDir: string;
  /** Deadline of one npm run (ms). */
  timeoutMs: number;
}

/** npm failed: its error code (`E404`, `ETARGET`, `ECONNREFUSED`, …) when it said one, and a readable reason. */
export class NpmFailure extends Error {
  override name = 'NpmFailure';
  constructor(
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

/** Flags of every run: nothing of the package runs, nothing is reported home, output is JSON. */
const FIXED_FLAGS = [
  '--ignore-scripts',
  '--no-audit',
  '--no-fund',
  '--no-update-notifier',
  '--json',
  '--loglevel=error',
  '--fetch-retries=1',
  '--fetch-retry-mintimeout=1000',
  '--fetch-retry-maxtimeout=5000',
];

const MAX_OUTPUT = 1024 * 1024;

/**
 * npm's environment: the server's (a proxy, npm's own settings), less what only Minter should hold — its secret key,
 * admin credentials, database and Redis URLs. Nothing of a package runs, but npm need not see them either.
 */
function npmEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(MINTER_|DATABASE_URL$|REDIS_URL$|PG[A-Z]+$)/.test(name)),
  );
}

/** The command that runs npm: Node with npm's CLI script beside it when there is one, else `npm` from PATH. */
function npmCommand(): { file: string; prefix: string[] } {
  const home = dirname(process.execPath);
  for (const cli of [
    join(home, '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js'),
    join(home, 'node_modules', 'npm', 'bin', 'npm-cli.js'),
  ]) {
    if (existsSync(cli)) return { file: process.execPath, prefix: [cli] };
  }
  return { file: 'npm', prefix: [] };
}

/** What npm's JSON error (or, failing that, its stderr) says, in one or a few lines. */
function failureOf(stdout: string, stderr: string, settings: NpmSettings): NpmFailure {
  let error: { code?: string; summary?: string; detail?: string } | undefined;
  try {
    const start = stdout.indexOf('{');
    error = (JSON.parse(stdout.slice(start)) as { error?: typeof error }).error;
  } catch {
    error = undefined;
  }
  const code = error?.code;
  const summary = error?.summary ?? '';
  const named = /https?:\/\/[^\s/]+/.exec(summary)?.[0];
  const registry = settings.registry ?? named ?? "npm's configured registry";
  switch (code) {
    case 'E404':
      return new NpmFailure(code, `not found in the registry (${registry})`);
    case 'ETARGET':
      return new NpmFailure(code, `no version matches in the registry (${summary.replace(/\.$/, '')})`);
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'ETIMEDOUT':
    case 'ECONNRESET':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new NpmFailure(code, `the registry ${registry} cannot be reached (${code})`);
    default: {
      const lines = (summary ? [summary, error?.detail ?? ''] : stderr.split('\n'))
        .map((l) => l.replace(/^npm (error|ERR!) ?/, '').trim())
        .filter(Boolean)
        .slice(0, 4);
      return new NpmFailure(code, `npm failed${code ? ` (${code})` : ''}: ${lines.join(' ') || 'no output'}`);
    }
  }
}

/**
 * Runs `npm <args>` in `cwd`; resolves with its standard output, rejects with an {@link NpmFailure}. Past the
 * deadline npm and whatever it started are killed.
 */
export function runNpm(args: string[], cwd: string, settings: NpmSettings): Promise<string> {
  const { file, prefix } = npmCommand();
  const flags = [
    ...FIXED_FLAGS,
    `--cache=${settings.cacheDir}`,
    `--fetch-timeout=${Math.min(settings.timeoutMs, 60_000)}`,
    ...(settings.registry ? [`--registry=${settings.registry}`] : []),
  ];
  return new Promise((resolve, reject) => {
    // Its own process group, so that the deadline ends npm's children too.
    const child = spawn(file, [...prefix, ...args, ...flags], {
      cwd,
      env: npmEnvironment(),
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      if (stdout.length < MAX_OUTPUT) stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < MAX_OUTPUT) stderr += chunk.toString('utf8');
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, settings.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new NpmFailure(undefined, `npm could not be started: ${error.message}`));
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      if (timedOut)
        reject(
          new NpmFailure('ETIMEDOUT', `the install did not finish within ${Math.round(settings.timeoutMs / 1000)} s`),
        );
      else if (status === 0) resolve(stdout);
      else reject(failureOf(stdout, stderr, settings));
    });
  });
}
