/** The scenarios, in the order of the table. */
import { bare } from './targets/bare.js';
import { minterScenario } from './targets/minter.js';
import { oidcProvider } from './targets/oidc-provider.js';
import type { Scenario } from './targets/target.js';

export const SCENARIOS: readonly Scenario[] = [
  bare,
  minterScenario(
    { name: 'minter', alg: 'ES256', actions: 0 },
    'Minter, ES256 API, one client and grant, no trigger, PGlite',
  ),
  minterScenario(
    { name: 'minter-1-action', alg: 'ES256', actions: 1 },
    'Minter, ES256, one bound Auth0 action that sets one custom claim',
  ),
  minterScenario(
    { name: 'minter-1-action-inline', alg: 'ES256', actions: 1, env: { MINTER_ACTIONS_ISOLATION: 'inline' } },
    'as minter-1-action, with MINTER_ACTIONS_ISOLATION=inline: the action runs in the server process, not the sandbox process',
  ),
  minterScenario(
    { name: 'minter-5-actions', alg: 'ES256', actions: 5 },
    'Minter, ES256, a chain of five bound actions, each setting a different claim',
  ),
  minterScenario(
    { name: 'minter-rs256', alg: 'RS256', actions: 0 },
    'Minter, no trigger, the API with signing_alg RS256 (2048-bit key)',
  ),
  oidcProvider,
];

/** Scenarios that also get the fixed-rate row ("p99 at 1,000 tokens/s"): with one action, and without as the reference. */
export const FIXED_RATE_SCENARIOS: ReadonlySet<string> = new Set(['minter', 'minter-1-action']);

/** The scenario the leak check (`--long`) runs, and the one it falls back to while actions cannot be bound. */
export const LONG_SCENARIO = 'minter-1-action';
export const LONG_FALLBACK = 'minter';
