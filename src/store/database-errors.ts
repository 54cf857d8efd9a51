/**
 * What a failed query says about the request that made it, whichever driver answered: node-postgres (a SQLSTATE in
 * `code`, or a socket's errno, or one of its own messages) or embedded PGlite (a SQLSTATE in `code`; its worker
 * pool tags "the worker is gone" as connection_failure, see pglite-pool.ts). The error handler turns each kind into
 * one management API answer; the log writer asks data-errors.ts, which this uses too, whether a record's data was
 * refused.
 */
import { isDataError } from './data-errors.js';

export type DatabaseFailure =
  /** The database cannot be reached or cannot serve now: a 503, worth retrying. */
  | { kind: 'unavailable'; code: string }
  /** A unique constraint (SQLSTATE 23505): the object exists already. */
  | { kind: 'duplicate'; constraint: string | undefined }
  /** A foreign key (23503): what the row refers to was deleted meanwhile. */
  | { kind: 'missing_reference'; constraint: string | undefined }
  /** Any other refusal of the statement's data (classes 22, 23, 54; see data-errors.ts): a value it cannot store. */
  | { kind: 'invalid_data'; code: string };

/** Socket errors of a connection that could not be made or was lost. */
const UNREACHABLE_ERRNO = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** node-postgres's own errors (no code) for a connection lost, never made, or a pool that waited too long for one. */
const UNREACHABLE_MESSAGE =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error and is not queryable|Client was closed and is not queryable|Cannot use a pool after calling end on the pool)/;

/**
 * SQLSTATEs of a server that cannot serve now (PostgreSQL Appendix A): class 08 connection exception, class 53
 * insufficient resources (too many connections, disk full, out of memory), 57P01–57P05 (shut down, crashed, not yet
 * accepting connections, idle session timeout), 58000/58030 system and I/O errors.
 */
const UNAVAILABLE_SQLSTATE = /^(08...|53...|57P0[1-5]|58000|58030)$/;

const codeOf = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};

/** The kind of database failure `error` is, or undefined when it is not one (a bug, or an error of its own). */
export function classifyDatabaseError(error: unknown): DatabaseFailure | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = codeOf(error);
  if (code !== undefined && UNREACHABLE_ERRNO.has(code)) return { kind: 'unavailable', code };
  // Node reports a refused connection to every address of a name (localhost: ::1 and 127.0.0.1) as one AggregateError.
  if (error instanceof AggregateError) {
    const inner = error.errors.map(codeOf).find((c) => c !== undefined && UNREACHABLE_ERRNO.has(c));
    if (inner) return { kind: 'unavailable', code: inner };
  }
  if (code === undefined || !/^[0-9A-Z]{5}$/.test(code)) {
    return UNREACHABLE_MESSAGE.test(error.message) ? { kind: 'unavailable', code: 'connection' } : undefined;
  }
  const constraint = (error as { constraint?: unknown }).constraint;
  const named = typeof constraint === 'string' ? constraint : undefined;
  if (code === '23505') return { kind: 'duplicate', constraint: named };
  if (code === '23503') return { kind: 'missing_reference', constraint: named };
  if (isDataError(error)) return { kind: 'invalid_data', code };
  if (UNAVAILABLE_SQLSTATE.test(code)) return { kind: 'unavailable', code };
  return undefined;
}

/** What each unique constraint guards, as the 409's message says it. Unnamed ones: "The object already exists". */
export const DUPLICATE_MESSAGES: ReadonlyMap<string, string> = new Map([
  ['resource_servers_identifier_key', 'A resource server with this identifier already exists'],
  ['client_grants_client_audience', 'A client grant for this client and audience already exists'],
  ['organizations_name_key', 'An organization with this name already exists'],
  ['actions_name_key', 'An action with this name already exists'],
  ['environment_variables_key_key', 'An environment variable with this key already exists'],
]);
