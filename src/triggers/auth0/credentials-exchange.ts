/**
 * Auth0's `credentials-exchange` trigger: the event the host prepares.
 *
 * Handler: `exports.onExecuteCredentialsExchange = async (event, api) => {}` (Auth0 notes §1–2). The `api` object
 * and the event's per-request part are made inside the isolate (sandbox/program/auth0/).
 */
import { redactedBody } from '../../credential-parameters.js';
import type { TriggerRequest } from '../contract.js';

/** Geolocation fields of `event.request.geoip` (Auth0 notes §1). */
export type GeoipLookup = (ip: string) => Record<string, unknown>;

/** Request-scoped part of the Auth0 event, as JSON: built once per chain, shared by every Auth0 action in it. */
export function auth0EventBase(request: TriggerRequest, geoip: GeoipLookup | undefined): string {
  // Redacted again here, with the token endpoint's own rule: a test payload's body may carry a secret.
  const body = redactedBody(request.request.body);
  let location: Record<string, unknown> = {};
  try {
    location = request.geoip ?? geoip?.(request.request.ip) ?? {};
  } catch {
    // A failing lookup leaves geoip empty, as Auth0 does for addresses it cannot place.
  }
  return JSON.stringify({
    client: { client_id: request.client.client_id, name: request.client.name, metadata: request.client.metadata },
    request: {
      ip: request.request.ip,
      hostname: request.request.hostname,
      method: request.request.method,
      body,
      language: request.request.language,
      user_agent: request.request.user_agent,
      geoip: location,
    },
    resource_server: { identifier: request.audience },
    tenant: { id: request.tenantId },
    transaction: { requested_scopes: request.requestedScopes },
    organization: request.organization,
  });
}
