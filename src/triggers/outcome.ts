/**
 * What each action status means for the chain: one exhaustive table (STYLE.md habit 4). The token endpoint maps the
 * chain's outcome to HTTP in its own table (src/oauth/trigger-outcome.ts).
 */
import type { ActionStatus } from './contract.js';

/** The chain's reaction to one action's status. */
export type StatusEffect =
  /** Merge the action's claims and scope changes, go on. */
  | { effect: 'apply' }
  /** The action denied the request: stop with its code and reason. */
  | { effect: 'deny' }
  /** The action failed: `server_error` under `stop`, ignored (claims dropped) under Kinde's `continue`. */
  | { effect: 'fail'; errorId: string; description: string }
  /** The action did not run. */
  | { effect: 'none' };

export const STATUS_EFFECTS: { readonly [S in ActionStatus]: StatusEffect } = {
  ok: { effect: 'apply' },
  denied: { effect: 'deny' },
  timeout: { effect: 'fail', errorId: 'timeout', description: 'A token trigger did not finish in time.' },
  oom: { effect: 'fail', errorId: 'out_of_memory', description: 'A token trigger ran out of memory.' },
  runtime: { effect: 'fail', errorId: 'runtime_error', description: 'A token trigger failed.' },
  compile: { effect: 'fail', errorId: 'compile_error', description: 'A token trigger could not be loaded.' },
  skipped: { effect: 'none' },
};

/** Description sent when an action denies without a reason. */
export const DEFAULT_DENIAL_DESCRIPTION = 'The request was denied by a token trigger.';
