/**
 * Assembles an access token's payload: a pure function of the client, the API, the scopes, the trigger's claims
 * and the time. The two profiles: RFC 9068 (`sub` = client_id, `client_id`) and Auth0's (`sub` =
 * `<client_id>@clients`, `azp`, `gty`).
 */
import { defineClaim } from '../claim-property.js';
import type { ApiEntry } from '../registry/snapshot.js';

export interface ClaimsInput {
  issuer: string;
  clientId: string;
  api: Pick<ApiEntry, 'identifier' | 'tokenLifetime' | 'profile'>;
  /** Space-separated scopes, may be empty. */
  scope: string;
  /** Custom claims from triggers, already checked against the restricted names; standard claims win over them. */
  custom?: Record<string, unknown>;
  organization?: { id: string; name: string };
  /** Seconds since the epoch. */
  now: number;
  jti: string;
}

/** The JWT claims set. Standard claims are written last so nothing custom can replace them. */
export function buildAccessTokenClaims(input: ClaimsInput): Record<string, unknown> {
  const { issuer, clientId, api, scope, now } = input;
  const claims: Record<string, unknown> =
    api.profile === 'auth0'
      ? {
          iss: issuer,
          sub: `${clientId}@clients`,
          aud: api.identifier,
          iat: now,
          exp: now + api.tokenLifetime,
          jti: input.jti,
          gty: 'client-credentials',
          azp: clientId,
        }
      : {
          iss: issuer,
          sub: clientId,
          aud: api.identifier,
          iat: now,
          exp: now + api.tokenLifetime,
          jti: input.jti,
          client_id: clientId,
        };
  if (scope) claims.scope = scope;
  if (input.organization) {
    claims.org_id = input.organization.id;
    claims.org_name = input.organization.name;
  }
  if (input.custom) {
    const custom = input.custom;
    // Own names only, on both sides: `key in claims` would count `constructor`, `toString`… as already set.
    for (const name of Object.keys(custom)) if (!Object.hasOwn(claims, name)) defineClaim(claims, name, custom[name]);
  }
  return claims;
}
