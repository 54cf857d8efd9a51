/** What a scenario starts and the orchestrator measures. */
import type { Settings } from '../settings.js';

/** A server under test, ready for load. */
export interface RunningTarget {
  /** The process whose memory is reported. */
  pid: number;
  /** Full URL of the token endpoint. */
  tokenUrl: string;
  /** Form-encoded body of every token request. */
  body: string;
  jwksUrl: string;
  /** JWS algorithm the token must be signed with. */
  alg: 'ES256' | 'RS256';
  /** `aud` the token must carry. */
  audience: string;
  /** Claims the token must carry (the trigger's, for the action scenarios). */
  expectClaims?: Record<string, unknown>;
  /** Processes answering the token endpoint (node:cluster workers); 1 when not said. */
  workers?: number;
  /** Why the server is no longer running (its last output), or undefined while it runs. */
  gone(): string | undefined;
  /** Stops the server and removes its files. */
  stop(): Promise<void>;
}

/** A scenario that could not run, and why (not an error of the benchmark). */
export interface Skipped {
  skipped: string;
}

/** One row of the table. */
export interface Scenario {
  name: string;
  /** One line for the report. */
  describe: string;
  /** Where its server and load generator run when pinning is on; {@link PINNED} when not said. */
  cpus?: Placement;
  start(settings: Readonly<Settings>): Promise<RunningTarget | Skipped>;
}

export const isSkipped = (value: RunningTarget | Skipped): value is Skipped => 'skipped' in value;

/** The API identifier every target issues tokens for. */
export const AUDIENCE = 'https://api.bench.example';
/** Scopes of that API, all granted to the benchmark client. */
export const SCOPES = ['read:things', 'write:things'];
/** The claim the one-action scenario and oidc-provider's `extraTokenClaims` add. */
export const TIER_CLAIM = 'https://example.com/tier';

/** Where a scenario's server and its load generator run when pinning is on: `taskset -c` CPU lists. */
export interface Placement {
  server: string;
  load: string;
}

/** The default: each server alone on CPU 0 (with the processes it starts), the load generator alone on CPU 1. */
export const PINNED: Readonly<Placement> = Object.freeze({ server: '0', load: '1' });

/**
 * Servers of several processes (node:cluster): the server may use both cores, and the load generator shares them;
 * the scheduler places them. Pinning the server to one core would measure one core's worth of workers.
 */
export const SHARED: Readonly<Placement> = Object.freeze({ server: '0,1', load: '0,1' });

/** Where `scenario` runs when pinning is on. */
export const placement = (scenario: Pick<Scenario, 'cpus'>): Readonly<Placement> => scenario.cpus ?? PINNED;

/** The `startChild` option that pins a server to `cpus` when pinning is on (nothing when it is off). */
export const serverCpus = (settings: Readonly<Settings>, cpus: Readonly<Placement> = PINNED) =>
  settings.pin ? { cpus: cpus.server } : {};
