/**
 * The Kinde Management API reads workflows make (`createKindeAPI(event).get(...)`), answered in process from the
 * in-memory snapshot in Kinde's response shapes — no second token request, no network.
 * Served: `applications/{id}`, `applications/{id}/properties`, `organization?code=…` and `organizations`. Kinde's
 * organization `code` is Minter's organization id (`org_…`); the name works too. Kinde's `name` is the display name
 * (Minter's `name` when it has none) and its `handle` Minter's unique `name`.
 */
import type { OrganizationEntry, Snapshot } from '../../registry/snapshot.js';

type Answer = { status: number; body: unknown };

const notFound = (message: string): Answer => ({ status: 404, body: { errors: [{ code: 'NOT_FOUND', message }] } });

/**
 * An organization in Kinde's shape (`GET /api/v1/organization`), here and on `/api/v1` (kinde-api/organizations.ts).
 * Kinde's `external_id` is kept in the organization's metadata under that name.
 */
export const kindeOrganization = (o: Pick<OrganizationEntry, 'id' | 'name' | 'display_name' | 'metadata'>) => ({
  code: o.id,
  name: o.display_name || o.name,
  handle: o.name,
  is_default: false,
  external_id: Object.hasOwn(o.metadata, 'external_id') ? o.metadata.external_id! : null,
});

/** An application in Kinde's shape (`GET /api/v1/applications/{id}`): every Minter client is machine-to-machine. */
export const kindeApplication = (c: { clientId: string; name: string }) => ({
  id: c.clientId,
  name: c.name,
  type: 'm2m' as const,
  client_id: c.clientId,
});

/**
 * Application properties in Kinde's shape (`property_value`), from the client's `properties`: the one store both
 * workflows and `/api/v1/applications/{id}/properties` read. Minter has no property definitions: the key stands for
 * the id and the name.
 */
export const kindePropertyValues = (properties: Readonly<Record<string, string>>) =>
  Object.entries(properties).map(([key, value]) => ({ id: key, key, name: key, description: '', value }));

function organizationAnswer(snapshot: Snapshot, query: URLSearchParams): Answer {
  const code = query.get('code');
  if (code === null || code === '')
    return {
      status: 400,
      body: { errors: [{ code: 'CODE_REQUIRED', message: 'organization?code=… names the organization' }] },
    };
  const organization = snapshot.organization(code);
  if (!organization) return notFound(`No organization with code ${code}`);
  return { status: 200, body: kindeOrganization(organization) };
}

export function kindeManagementGet(snapshot: Snapshot, endpoint: string): Answer {
  const [rawPath = '', rawQuery = ''] = endpoint.replace(/^\/+/, '').split('?', 2);
  const path = rawPath.replace(/\/+$/, '');
  if (path === 'organization') return organizationAnswer(snapshot, new URLSearchParams(rawQuery));
  if (path === 'organizations') {
    const organizations = [...snapshot.organizations.byId.values()].map(kindeOrganization);
    return { status: 200, body: { code: 'OK', message: 'Success', organizations, next_token: null } };
  }
  const match = /^applications\/([^/]+)(\/properties)?$/.exec(path);
  if (!match) {
    return {
      status: 404,
      body: {
        errors: [
          {
            code: 'ROUTE_NOT_FOUND',
            message: `Minter answers applications/{id}, applications/{id}/properties, organization?code= and organizations, not ${path}`,
          },
        ],
      },
    };
  }
  const id = decodeURIComponent(match[1]!);
  const client = snapshot.clients.get(id);
  if (!client || client.isSystem) return notFound(`No application with id ${id}`);
  if (!match[2])
    return { status: 200, body: { code: 'OK', message: 'success', application: kindeApplication(client) } };
  const properties = kindePropertyValues(client.properties);
  // `appProperties` mirrors `properties`: Kinde's own example workflow reads that name, and its authors expect it to work.
  return {
    status: 200,
    body: { code: 'OK', message: 'success', properties, appProperties: properties, next_token: null },
  };
}
