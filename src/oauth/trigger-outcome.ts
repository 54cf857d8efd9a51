/**
 * Maps how a trigger chain ended to the token endpoint's answer, in one exhaustive table (STYLE habit 4).
 * A deliberate `api.access.deny(code, reason)` is a 403 with the action's code and reason (DESIGN.md: a trigger
 * denial is an access decision); a failure (uncaught error, timeout, out of memory, unloadable code) under
 * `failurePolicy: stop` is a 500 `server_error` whose detail stays in the execution record. Either way the error's
 * `reason` (for the log record only) names the action, and for a failure how it ended.
 */
import type { ActionResult, ActionStatus, ChainResult } from '../triggers/contract.js';
import { ServerError, TriggerDenied, type OAuthError } from '../errors.js';

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
  if (stopper && ANSWER[stopper.status] === 'deny') {
    return new TriggerDenied(denial.error, denial.description, { reason: `denied by ${actionName(stopper)}` });
  }
  // Without a stopper the chain could not run at all (the engine closed, its process failed): the description says why.
  const reason = stopper ? `${actionName(stopper)} failed: ${failure(stopper)}` : denial.description;
  return new ServerError('A token trigger failed; see the execution record in the logs', { reason });
}

/** How the log record's reason names an action. */
const actionName = (result: ActionResult) => `action "${result.action_name}" (${result.trigger_id})`;

/** Most of an action error's message a reason quotes (the execution record keeps it whole). */
const MAX_MESSAGE = 200;

const failure = ({ status, error }: ActionResult) =>
  error ? `${status}, ${error.id}: ${error.msg.slice(0, MAX_MESSAGE)}` : status;
