/**
 * Auth0's per-request entry point: `makeRunner(module)` checks the action's export and answers `start(p)`, which makes
 * the event from the host's payload (`b` event base, `c` claims so far, `s` current scopes, `t` target scopes) and
 * runs `onExecuteCredentialsExchange(event, api)`.
 */
import type { Auth0Payload } from '../../boundary.js';
import { settle, type Start } from '../entries.js';
import { SECRETS } from '../host.js';
import { ObjectKeys, TypeErrorCtor, arraySlice, reflectApply } from '../intrinsics.js';
import { invocation, setCurrent } from '../invocation.js';
import type { ActionModule } from '../load.js';
import { makeApi } from './api.js';

function makeEvent(p: Auth0Payload): Record<string, unknown> {
  const event = p.b;
  const secrets: Record<string, string> = {};
  const keys = ObjectKeys(SECRETS);
  for (let i = 0; i < keys.length; i++) secrets[keys[i]!] = SECRETS[keys[i]!]!;
  event.secrets = secrets;
  event.accessToken = { customClaims: p.c, scope: p.s };
  event.transaction.target_scopes = reflectApply(arraySlice, p.t, []);
  return event;
}

type Handler = (event: unknown, api: unknown) => unknown;

/** `start(p)` for the action's module; throws when it does not export the handler. */
export function makeRunner(module: ActionModule): Start {
  const exported = module.exports as { onExecuteCredentialsExchange?: unknown } | null | undefined;
  const handler = exported !== null && exported !== undefined ? exported.onExecuteCredentialsExchange : undefined;
  if (typeof handler !== 'function') {
    throw new TypeErrorCtor(
      'The action does not export onExecuteCredentialsExchange: write exports.onExecuteCredentialsExchange = async (event, api) => {}',
    );
  }
  return function start(payload) {
    const p = payload as Auth0Payload;
    const inv = invocation(p);
    setCurrent(inv);
    const event = makeEvent(p);
    const api = makeApi(inv);
    return settle(inv, function () {
      return (handler as Handler)(event, api);
    });
  };
}
