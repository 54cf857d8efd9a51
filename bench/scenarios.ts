/** The scenarios, in the order of the table. */
import { bare } from './targets/bare.js';
import { minterScenario } from './targets/minter.js';
import { oidcProvider, oidcProvider2Workers } from './targets/oidc-provider.js';
import { SHARED, type Scenario } from './targets/target.js';

export const SCENARIOS: readonly Scenario[] = [
  bare,
  minterScenario(
    { name: 'minter', alg: 'ES256', actions: 0, workers: 1 },
    'Minter, ES256 API, one client and grant, no trigger, PGlite, MINTER_WORKERS=1',
  ),
  minterScenario(
    { name: 'minter-1-action', alg: 'ES256', actions: 1, workers: 1 },
    'Minter, ES256, one bound Auth0 action that sets one custom claim, MINTER_WORKERS=1',
  ),
  minterScenario(
    {
      name: 'minter-1-action-inline',
      alg: 'ES256',
      actions: 1,
      workers: 1,
      env: { MINTER_ACTIONS_ISOLATION: 'inline' },
    },
    'as minter-1-action, with MINTER_ACTIONS_ISOLATION=inline: the action runs in the server process, not the sandbox process',
  ),
  minterScenario(
    { name: 'minter-5-actions', alg: 'ES256', actions: 5, workers: 1 },
    'Minter, ES256, a chain of five bound actions, each setting a different claim, MINTER_WORKERS=1',
  ),
  minterScenario(
    { name: 'minter-rs256', alg: 'RS256', actions: 0, workers: 1 },
    'Minter, no trigger, the API with signing_alg RS256 (2048-bit key), MINTER_WORKERS=1',
  ),
  minterScenario(
    { name: 'minter-1-action-2-workers', alg: 'ES256', actions: 1, workers: 2, cpus: SHARED },
    'as minter-1-action, with MINTER_WORKERS=2 (node:cluster: the primary owns the store and the management API, two workers answer /oauth/token). ' +
      'Not pinned to one CPU: the server (primary, workers and their sandbox processes) and the load generator share CPUs 0 and 1',
  ),
  oidcProvider,
  oidcProvider2Workers,
];

/**
 * Scenarios that also get the fixed-rate rows ("p99 at 1,000 tokens/s") and the light-load row: with one action,
 * without as the reference, and with one action on two workers.
 */
export const FIXED_RATE_SCENARIOS: ReadonlySet<string> = new Set([
  'minter',
  'minter-1-action',
  'minter-1-action-2-workers',
]);

/** The scenario the leak check (`--long`) runs, and the one it falls back to while actions cannot be bound. */
export const LONG_SCENARIO = 'minter-1-action';
export const LONG_FALLBACK = 'minter';
