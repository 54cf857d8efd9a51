/**
 * `POST /actions/actions/{id}/test` takes an event-shaped `payload` (Auth0's event, or Kinde's
 * `{request, context}`) and runs the action against the {@link TriggerRequest} it describes. Missing fields get
 * plain defaults, so `{}` is a valid payload.
 */
import type { TriggerRequest } from './contract.js';

// The payload is whatever JSON the caller sent: read field by field, each checked where it is used.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = Record<string, any>;

const strings = (value: unknown): string[] =>
  Array.isArray(value)
    ? value.filter((v): v is string => typeof v === 'string')
    : typeof value === 'string'
      ? value.split(' ').filter(Boolean)
      : [];

const stringMap = (value: unknown): Record<string, string> => {
  const out: Record<string, string> = {};
  if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
};

export function testRequestFromPayload(payload: Loose, context: { issuer: string; tenantId: string }): TriggerRequest {
  const request: Loose = payload.request ?? {};
  const kindeAuth: Loose = request.auth ?? {};
  const client: Loose = payload.client ?? {};
  const audience = payload.resource_server?.identifier ?? strings(kindeAuth.audience)[0] ?? 'https://api.example.com';
  const scopes =
    payload.accessToken?.scope !== undefined ? strings(payload.accessToken.scope) : strings(kindeAuth.scope);
  const requested = strings(payload.transaction?.requested_scopes);
  const organization: Loose | undefined = payload.organization;
  return {
    client: {
      client_id: client.client_id ?? payload.context?.application?.clientId ?? 'test-client',
      name: client.name ?? 'Test client',
      metadata: stringMap(client.metadata),
    },
    audience,
    requestedScopes: requested,
    grantedScopes: scopes,
    scopes,
    ...(organization && {
      organization: {
        id: String(organization.id ?? ''),
        name: String(organization.name ?? ''),
        display_name: String(organization.display_name ?? organization.name ?? ''),
        metadata: stringMap(organization.metadata),
      },
    }),
    request: {
      ip: typeof request.ip === 'string' ? request.ip : '127.0.0.1',
      hostname: typeof request.hostname === 'string' ? request.hostname : new URL(context.issuer).hostname,
      method: typeof request.method === 'string' ? request.method : 'POST',
      body: stringMap(request.body),
      ...(typeof request.language === 'string' && { language: request.language }),
      ...(typeof request.user_agent === 'string' && { user_agent: request.user_agent }),
    },
    issuer: context.issuer,
    tenantId: payload.tenant?.id ?? context.tenantId,
  };
}
