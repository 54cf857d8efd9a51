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
  start(settings: Readonly<Settings>): Promise<RunningTarget | Skipped>;
}

export const isSkipped = (value: RunningTarget | Skipped): value is Skipped => 'skipped' in value;

/** The API identifier every target issues tokens for. */
export const AUDIENCE = 'https://api.bench.example';
/** Scopes of that API, all granted to the benchmark client. */
export const SCOPES = ['read:things', 'write:things'];
/** The claim the one-action scenario and oidc-provider's `extraTokenClaims` add. */
export const TIER_CLAIM = 'https://example.com/tier';

/** CPU the servers run on when pinning is on; the load generator gets {@link LOAD_CPU}. */
export const SERVER_CPU = 0;
export const LOAD_CPU = 1;
