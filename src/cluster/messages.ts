/**
 * What the primary and its token workers say to each other over the cluster's IPC channel (structured clone:
 * `serialization: 'advanced'`, so rows keep their Dates and Buffers). Every message carries `t`; a message without one
 * is someone else's (prom-client's metrics requests) and is left alone.
 */
import type { QuotaUsage } from '../oauth/token-quota.js';
import type { WorkerMetrics } from '../observability/metrics.js';
import type { ConfigRows } from '../registry/registry.js';
import type { QuarantineEntry } from '../store/actions.js';
import type { SerializedLogRecord } from '../store/logs.js';
import type { DeployedAction } from '../triggers/contract.js';

/** The configuration a worker serves: every row (keys sealed), the bound chain, and a number that grows with each. */
export interface ConfigPicture {
  generation: number;
  tenantId: string;
  rows: ConfigRows;
  chain: DeployedAction[];
}

export type ToWorker =
  /** The configuration, at start and after every change; answered with `config-applied`. */
  | { t: 'config'; picture: ConfigPicture }
  /** A batch of log records is in the primary's writer (and the writer is not behind). */
  | { t: 'logs-taken'; id: number }
  /** Send the records buffered now, then answer `flushed` (the management API is about to read the logs). */
  | { t: 'flush'; id: number }
  /** The answer to a `call` (quota usage, a replay claim). */
  | { t: 'answer'; id: number; value: unknown }
  /** Answer with this worker's metrics (`GET /metrics` on the primary merges them). */
  | { t: 'metrics'; id: number }
  /** Stop taking connections, answer what is under way, send the last records and exit. */
  | { t: 'stop' };

export type ToPrimary =
  /** A new worker, ready to build its snapshot: wants the configuration. */
  | { t: 'hello' }
  | { t: 'config-applied'; generation: number }
  /** The worker listens on PORT. */
  | { t: 'listening' }
  /** The worker could not start; it exits after this. */
  | { t: 'failed'; message: string }
  | { t: 'logs'; id: number; records: SerializedLogRecord[] }
  | { t: 'flushed'; id: number }
  | { t: 'metrics'; id: number; metrics: WorkerMetrics }
  /** The last message of a worker that stops: everything it held was sent before it. */
  | { t: 'stopped' }
  | { t: 'call'; id: number; call: OwnerCall }
  /** One issued token to count (no answer). */
  | { t: 'quota-count'; key: string; now: number }
  /** The worker's sandbox process ended while it loaded or first ran these versions. */
  | { t: 'quarantine'; entries: QuarantineEntry[]; how: string };

/** What a worker asks the owner of the shared counters, when there is no Redis to share them. */
export type OwnerCall =
  | { t: 'quota-usage'; key: string; now: number }
  | { t: 'replay-claim'; clientId: string; jti: string; forgetAt: number };

/** The answer of each {@link OwnerCall}. */
export type OwnerAnswer<C extends OwnerCall> = C extends { t: 'quota-usage' } ? QuotaUsage : boolean;

/** Whether `message` is one of Minter's (and not cluster plumbing or prom-client's). */
export const isMinterMessage = (message: unknown): message is { t: string } =>
  typeof message === 'object' && message !== null && typeof (message as { t?: unknown }).t === 'string';
