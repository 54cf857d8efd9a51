/**
 * Maps how a trigger chain ended to the token endpoint's answer, in one exhaustive table (STYLE habit 4).
 * A deliberate `api.access.deny(code, reason)` is a 403 with the action's code and reason (DESIGN.md: a trigger
 * denial is an access decision); a failure (uncaught error, timeout, out of memory, unloadable code) under
 * `failurePolicy: stop` is a 500 `server_error` whose detail stays in the execution record.
 */
import type { ActionStatus, ChainResult } from '../triggers/contract.js';
import { OAuthError } from '../errors.js';

const ANSWER: { readonly [S in ActionStatus]: 'issue' | 'deny' | 'fail' } = {
  ok: 'issue',
  skipped: 'issue',
  denied: 'deny',
  timeout: 'fail',
  oom: 'fail',
  runtime: 'fail',
  compile: 'fail',
};

/** The error to answer with, or undefined when the token may be issued. */
export function chainError(result: ChainResult): OAuthError | undefined {
  const denial = result.denial;
  if (!denial) return undefined;
  // The action that stopped the chain; the ones after it are `skipped`.
  const stopper = result.results.find((r) => ANSWER[r.status] !== 'issue' && r.failure_policy !== 'continue');
  if (stopper && ANSWER[stopper.status] === 'deny') return new OAuthError(denial.error, 403, denial.description);
  return new OAuthError('server_error', 500, 'A token trigger failed; see the execution record in the logs');
}
