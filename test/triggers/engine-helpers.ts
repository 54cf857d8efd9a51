/** Shared fixtures for the trigger engine tests: a fake host (no network), a request, action builders. */
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import { InMemoryActionCache } from '../../src/triggers/auth0/cache.js';
import type {
  ChainResult,
  DeployedAction,
  FailurePolicy,
  HostServices,
  SandboxFetchInit,
  TriggerRequest,
} from '../../src/triggers/contract.js';
import { createTriggerEngine, type TriggerEngineOptions } from '../../src/triggers/engine.js';

// isolated-vm 5.0.4 on Node 20 aborts at a natural process exit when the main isolate is in the middle of incremental
// marking: V8 then finalises the cycle after isolated-vm's environment is gone, and its handles' weak callbacks
// assert (`IsolateEnvironment::GetCurrent(): environment != nullptr`). Test processes end by draining the event loop,
// so they turn incremental marking off; a server that ends with process.exit() never reaches that teardown.
v8.setFlagsFromString('--no-incremental-marking');

/** A host whose fetch refuses everything: unit tests never touch the network. */
export function fakeHost(overrides: Partial<HostServices> = {}): HostServices {
  return {
    cache: new InMemoryActionCache(),
    fetch: (url: string, _init: SandboxFetchInit) => Promise.reject(new Error(`no network in tests (${url})`)),
    kindeManagementGet: async () => ({ status: 404, body: { errors: [{ code: 'ROUTE_NOT_FOUND' }] } }),
    ...overrides,
  };
}

/** HostServices.fetch over real HTTP, refusing anything but 127.0.0.1. */
export async function loopbackFetch(url: string, init: SandboxFetchInit) {
  if (new URL(url).hostname !== '127.0.0.1') throw new Error(`refused: ${url} is not 127.0.0.1`);
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    headers: init.headers ?? {},
    ...(init.body === undefined ? {} : { body: init.body }),
  });
  return {
    status: response.status,
    statusText: response.statusText,
    headers: Object.fromEntries(response.headers),
    body: await response.text(),
  };
}

export function request(overrides: Partial<TriggerRequest> = {}): TriggerRequest {
  return {
    client: { client_id: 'cli_123', name: 'Billing service', metadata: { tier: 'gold' } },
    audience: 'https://api.example.com',
    requestedScopes: ['read:invoices'],
    grantedScopes: ['read:invoices', 'write:invoices'],
    scopes: ['read:invoices'],
    request: {
      ip: '203.0.113.7',
      hostname: 'auth.example.com',
      method: 'POST',
      body: { grant_type: 'client_credentials', audience: 'https://api.example.com', scope: 'read:invoices' },
      language: 'en',
      user_agent: 'curl/8.0',
    },
    issuer: 'https://auth.example.com',
    tenantId: 'example',
    ...overrides,
  };
}

let counter = 0;

export function auth0Action(code: string, overrides: Partial<DeployedAction> = {}): DeployedAction {
  counter++;
  return {
    actionId: `act_${counter}`,
    versionId: `ver_${counter}`,
    name: `auth0-${counter}`,
    triggerId: 'credentials-exchange',
    code,
    secrets: {},
    ...overrides,
  };
}

export function kindeAction(
  code: string,
  bindings: string[],
  failurePolicy?: FailurePolicy,
  overrides: Partial<DeployedAction> = {},
): DeployedAction {
  counter++;
  return {
    actionId: `wf_${counter}`,
    versionId: `wfv_${counter}`,
    name: `kinde-${counter}`,
    triggerId: 'm2m:token_generation',
    code,
    secrets: {},
    bindings,
    ...(failurePolicy ? { failurePolicy } : {}),
    ...overrides,
  };
}

/**
 * A synchronous slice no scheduling delay uses up, for tests whose subject is not the slice: with the default 10 ms, a
 * batch on a loaded 2-core machine can lose its core for longer, run out of its slice and run again off the main
 * thread, which such a test would misread as the behaviour it checks failing.
 */
export const ROOMY_SLICE = { syncSliceMs: 1000 } as const;

/** An engine closed after `body`, even when an assertion fails. */
export async function withEngine(
  options: Partial<TriggerEngineOptions>,
  body: (engine: ReturnType<typeof createTriggerEngine>) => Promise<void>,
): Promise<void> {
  const engine = createTriggerEngine({ host: fakeHost(), ...options });
  try {
    await body(engine);
  } finally {
    await engine.close();
  }
}

/** The Auth0 seed sample that sets one claim (seed-auth0-m2m-trigger.ja.md). */
export const REQUEST_IP_SAMPLE = `/**
 * @param {Event} event - Details about client credentials grant request.
 * @param {CredentialsExchangeAPI} api - Interface whose methods can be used to change the behavior of client credentials grant.
 */
exports.onExecuteCredentialsExchange = async (event, api) => {
  api.accessToken.setCustomClaim("https://my-api.exampleco.com/request-ip", event.request.ip);
};`;

/** Binds the seed claim action on `engine` and checks the token comes out right: the host is still healthy. */
export async function assertStillServes(engine: ReturnType<typeof createTriggerEngine>): Promise<void> {
  engine.setBindings([auth0Action(REQUEST_IP_SAMPLE)]);
  const result = await engine.run(request());
  assert.equal(result.denial, undefined);
  assert.deepEqual(result.claims, { 'https://my-api.exampleco.com/request-ip': '203.0.113.7' });
  assert.equal(result.results[0]?.status, 'ok');
}

/** The result of one action, asserting there is exactly one. */
export function only(result: ChainResult) {
  assert.equal(result.results.length, 1);
  return result.results[0]!;
}
