/**
 * The benchmark's settings, read once from the environment and the command line (`npm run bench -- --flag`).
 * Flags win over environment variables. Durations are in seconds.
 */
import { cpus } from 'node:os';

/** Frozen settings of one `npm run bench`. */
export interface Settings {
  /** Measured load per target (s). */
  duration: number;
  /** Unmeasured load before each measurement (s). */
  warmup: number;
  /** autocannon connections during the saturating measurement. */
  connections: number;
  /** Scenario names to run; empty means all. */
  only: string[];
  /** Fixed-rate row: tokens/s asked of autocannon (`overallRate`); 0 turns the row off. */
  rate: number;
  /** Light-load row (paced, tokens/s) on which per-request latency is compared without queueing; 0 turns it off. */
  lightRate: number;
  /** Connections of the fixed-rate run (autocannon spreads `rate` over them, per second). */
  rateConnections: number;
  /** Leak check: total tokens to issue (0 = not this mode); RSS is also recorded at a tenth of it. */
  tokens: number;
  /** Pin each server to CPU 0 and the load generator to CPU 1 with taskset. */
  pin: boolean;
  /** Write V8 CPU profiles of the Minter processes into `bench/results/profiles/`. */
  profile: boolean;
  /** Before each measured run, wait up to this long (s) for other processes to leave the CPUs idle. */
  quietWait: number;
  /** Runs disturbed by other processes (more than 0.15 core) are repeated up to this many times; the calmest is kept. */
  retries: number;
  /** Extra node flags for the Minter processes (space separated), e.g. `--import ./probe.mjs`. */
  minterNodeFlags: string[];
}

/** A benchmark setting that makes no sense: reported before anything starts. */
export class SettingsError extends Error {
  override name = 'SettingsError';
}

function flags(argv: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const arg of argv) {
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match) throw new SettingsError(`unknown argument "${arg}" (flags look like --duration=5)`);
    out.set(match[1]!, match[2] ?? 'true');
  }
  return out;
}

function positive(name: string, raw: string | undefined, fallback: number, min = 1): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min)
    throw new SettingsError(`${name} must be a number ≥ ${min}, got "${raw}"`);
  return value;
}

const bool = (raw: string | undefined, fallback: boolean) =>
  raw === undefined || raw === '' ? fallback : !['0', 'false', 'no', 'off'].includes(raw.toLowerCase());

/** Reads `BENCH_*` variables and `--flags` once. */
export function loadSettings(
  env: Record<string, string | undefined> = process.env,
  argv = process.argv.slice(2),
): Readonly<Settings> {
  const f = flags(argv);
  const pick = (flag: string, variable: string) => f.get(flag) ?? env[variable];
  const long = bool(f.get('long'), false);
  const tokens = positive('BENCH_TOKENS', pick('tokens', 'BENCH_TOKENS'), long ? 1_000_000 : 0, 0);
  if (tokens > 0 && tokens < 1000) throw new SettingsError('BENCH_TOKENS must be at least 1000');
  const only = (pick('only', 'BENCH_ONLY') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return Object.freeze({
    duration: positive('BENCH_DURATION', pick('duration', 'BENCH_DURATION'), 10),
    warmup: positive('BENCH_WARMUP', pick('warmup', 'BENCH_WARMUP'), 3, 0),
    connections: Math.round(positive('BENCH_CONNECTIONS', pick('connections', 'BENCH_CONNECTIONS'), 50)),
    only,
    rate: Math.round(positive('BENCH_RATE', pick('rate', 'BENCH_RATE'), 1000, 0)),
    lightRate: Math.round(positive('BENCH_LIGHT_RATE', pick('light-rate', 'BENCH_LIGHT_RATE'), 100, 0)),
    rateConnections: Math.round(
      positive('BENCH_RATE_CONNECTIONS', pick('rate-connections', 'BENCH_RATE_CONNECTIONS'), 10),
    ),
    tokens: Math.round(tokens),
    pin: bool(pick('pin', 'BENCH_PIN'), cpus().length >= 2),
    profile: bool(pick('profile', 'BENCH_PROFILE'), false),
    quietWait: positive('BENCH_QUIET_WAIT', pick('quiet-wait', 'BENCH_QUIET_WAIT'), 120, 0),
    retries: Math.round(positive('BENCH_RETRIES', pick('retries', 'BENCH_RETRIES'), 2, 0)),
    minterNodeFlags: (env.BENCH_MINTER_NODE_FLAGS ?? '').split(' ').filter(Boolean),
  });
}
