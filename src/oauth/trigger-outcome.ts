/**
 * Maps how a trigger chain ended to the token endpoint's answer, in one exhaustive table (STYLE habit 4).
 * A deliberate `api.access.deny(code, reason)` is a 403 with the action's code and reason; a failure (uncaught
 * error, timeout, out of memory, unrunnable code) under `failurePolicy: stop` is a 500 `server_error` whose
 * detail stays in the execution record.
 */
import type { ActionStatus, ChainResult } from '../triggers/contract.js';
import { OAuthError } from '../errors.js';

const STATUS_FOR: Record<ActionStatus, number | undefined> = {
  ok: undefined,
  skipped: undefined,
  denied: 403,
  timeout: 500,
  oom: 500,
  runtime: 500,
  compile: 500,
};

/** The error to answer with, or undefined when the token may be issued. */
export function chainError(result: ChainResult): OAuthError | undefined {
  const denial = result.denial;
  if (!denial) return undefined;
  const last = result.results[result.results.length - 1];
  const status = (last && STATUS_FOR[last.status]) ?? 500;
  if (status === 403) return new OAuthError(denial.error, 403, denial.description);
  return new OAuthError('server_error', 500, 'A token trigger failed; see the execution record in the logs');
}
