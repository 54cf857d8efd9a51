/**
 * The grant's step 3: what the authenticated client may have. Its grant type, the API it names, its client grant for
 * that API, the organization (Auth0's M2M access for organizations) and the scopes, all from the snapshot.
 */
import { AccessDenied, InvalidRequest, InvalidScope, UnauthorizedClient } from '../../errors.js';
import type { ClientEntry, GrantEntry, OrganizationEntry, Snapshot } from '../../registry/snapshot.js';
import { nearAudience } from '../audience-hint.js';
import type { Authenticated, Authorised } from '../token-context.js';
import { parseScope, type TokenParameters } from '../token-parameters.js';

/** RFC 8707 `resource` or Auth0's `audience`; both may be sent only when they agree. */
function audienceOf(params: TokenParameters): string {
  const { audience, resource } = params;
  if (audience !== undefined && resource !== undefined && audience !== resource) {
    throw new InvalidRequest('audience and resource name different APIs; send one of them');
  }
  const target = audience ?? resource;
  if (target === undefined)
    throw new InvalidRequest('audience (or resource) is required: the identifier of the API the token is for');
  return target;
}

/**
 * The organization a request names (by id or name), checked against its grant as Auth0's M2M access for organizations
 * does: `organization_usage` `require` needs one (the client's `default_organization` stands in when the request
 * names none), `deny` refuses one, and the organization must be authorized for the grant unless it has
 * `allow_any_organization`. An unknown organization gets the same 403 as an unauthorized one.
 */
function organizationFor(
  snapshot: Snapshot,
  client: ClientEntry,
  grant: GrantEntry,
  requested: string | undefined,
): OrganizationEntry | undefined {
  if (requested === undefined) {
    if (grant.organizationUsage !== 'require') return undefined;
    if (client.defaultOrganizationId === undefined) {
      throw new InvalidRequest('This client grant requires an organization: send organization (its id or name)', {
        reason: `client grant ${grant.id} has organization_usage require and the client no default_organization`,
      });
    }
    requested = client.defaultOrganizationId;
  }
  if (grant.organizationUsage === 'deny')
    throw new InvalidRequest('This client grant does not take an organization (its organization_usage is deny)', {
      reason: `client grant ${grant.id}`,
    });
  const organization = snapshot.organization(requested);
  if (!organization || (!grant.allowAnyOrganization && !grant.organizationIds.has(organization.id))) {
    const reason = organization
      ? `organization ${organization.id} is not authorized for client grant ${grant.id}`
      : `no organization has the id or name ${requested}`;
    throw new AccessDenied(`The organization ${requested} is not authorized for this client grant`, { reason });
  }
  return organization;
}

/** Checks what the authenticated client asks for against its grant; throws the OAuth error to answer with. */
export function authorise(ctx: Authenticated, snapshot: Snapshot): Authorised {
  const { client, params } = ctx;
  if (!client.allowsClientCredentials)
    throw new UnauthorizedClient("Grant type 'client_credentials' not allowed for the client.");
  const audience = audienceOf(params);
  const api = snapshot.apis.get(audience);
  if (!api) {
    const near = nearAudience(audience, snapshot.apis);
    throw new AccessDenied(
      near === undefined
        ? `Service not found: ${audience}`
        : `Service not found: ${audience}; the audience must be an API's identifier exactly: did you mean "${near}"?`,
    );
  }
  const grant = snapshot.grants.get(client.clientId)?.get(audience);
  if (!grant)
    throw new AccessDenied(`Client "${client.clientId}" is not authorized to access resource server "${audience}"`);
  const organization = organizationFor(snapshot, client, grant, params.organization);
  let requestedScopes: string[];
  if (params.scope === undefined) requestedScopes = [];
  else {
    requestedScopes = parseScope(params.scope);
    const missing = requestedScopes.filter((s) => !grant.scopeSet.has(s));
    if (missing.length > 0)
      throw new InvalidScope('not_granted', `Client has not been granted scopes: ${missing.join(' ')}`, {
        reason: `not in client grant ${grant.id}, which holds ${grant.scopes.length} scope(s)`,
      });
  }
  const authorised = ctx as Authorised;
  authorised.api = api;
  authorised.grant = grant;
  authorised.organization = organization;
  authorised.requestedScopes = requestedScopes;
  // No scope asked for (or only spaces): the grant's.
  authorised.scope = requestedScopes.length ? requestedScopes.join(' ') : grant.scopeString;
  return authorised;
}
