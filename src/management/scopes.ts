/** The management API's audience and its per-operation scopes (Auth0's names). */

export const managementAudience = (issuer: string) => `${issuer}/api/v2/`;

export const MANAGEMENT_SCOPES = [
  'read:clients',
  'create:clients',
  'update:clients',
  'delete:clients',
  'read:client_keys',
  'update:client_keys',
  'read:client_credentials',
  'create:client_credentials',
  'delete:client_credentials',
  'read:resource_servers',
  'create:resource_servers',
  'update:resource_servers',
  'delete:resource_servers',
  'read:client_grants',
  'create:client_grants',
  'update:client_grants',
  'delete:client_grants',
  'read:organizations',
  'create:organizations',
  'update:organizations',
  'delete:organizations',
  'read:organization_client_grants',
  'create:organization_client_grants',
  'delete:organization_client_grants',
  'read:actions',
  'create:actions',
  'update:actions',
  'delete:actions',
  'read:logs',
  'read:signing_keys',
  'create:signing_keys',
  'update:signing_keys',
] as const;

export type ManagementScope = (typeof MANAGEMENT_SCOPES)[number];
