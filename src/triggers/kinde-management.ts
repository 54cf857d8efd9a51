/**
 * The Kinde Management API reads workflows make (`createKindeAPI(event).get(...)`), answered in process from the
 * in-memory snapshot in Kinde's response shapes — no second token request, no network.
 * Served: `applications/{id}` and `applications/{id}/properties`. Organizations come with a later issue.
 */
import type { Snapshot } from '../registry/snapshot.js';

type Answer = { status: number; body: unknown };

const notFound = (message: string): Answer => ({ status: 404, body: { errors: [{ code: 'NOT_FOUND', message }] } });

export function kindeManagementGet(snapshot: Snapshot, endpoint: string): Answer {
  const path = endpoint.replace(/^\/+/, '').split('?')[0]!;
  const match = /^applications\/([^/]+)(\/properties)?\/?$/.exec(path);
  if (!match) return { status: 404, body: { errors: [{ code: 'ROUTE_NOT_FOUND', message: `Minter answers applications/{id} and applications/{id}/properties, not ${path}` }] } };
  const id = decodeURIComponent(match[1]!);
  const client = snapshot.clients.get(id);
  if (!client || client.isSystem) return notFound(`No application with id ${id}`);
  if (!match[2]) {
    return {
      status: 200,
      body: { code: 'OK', message: 'success', application: { id: client.clientId, name: client.name, type: 'm2m', client_id: client.clientId } },
    };
  }
  const properties = Object.entries(client.properties).map(([key, value]) => ({ id: key, key, name: key, description: '', value }));
  // `appProperties` mirrors `properties`: Kinde's own example workflow reads that name, and its authors expect it to work.
  return { status: 200, body: { code: 'OK', message: 'success', properties, appProperties: properties, next_token: null } };
}
