/**
 * Kinde `m2m:token_generation` trigger: the event the host prepares.
 *
 * The code is an esbuild CommonJS bundle whose `module.exports.default` is `async (event) => {}` or
 * `{ async handle(event) {} }` (Kinde notes §1.1). The global `kinde` bindings live inside the isolate
 * (sandbox/program/kinde/).
 */
import type { TriggerRequest } from '../contract.js';

/** The Kinde event (`onM2MTokenGeneratedEvent`, notes §1.3), as JSON. */
export function kindeEvent(request: TriggerRequest, scopes: readonly string[]): string {
  return JSON.stringify({
    request: { auth: { audience: [request.audience], scope: scopes }, ip: request.request.ip },
    context: {
      domains: { kindeDomain: request.issuer },
      application: { clientId: request.client.client_id },
      workflow: { trigger: 'm2m:token_generation' },
    },
  });
}
