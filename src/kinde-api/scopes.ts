/**
 * Kinde's management API as Minter serves it: its audience (`<issuer>/api`, the audience `@kinde/management-api-js`
 * and `createKindeAPI` ask a token for) and the scopes of the operations served, with Kinde's names (the `x-scope`
 * of each operation in Kinde's OpenAPI document).
 */

/** Audience of the Kinde management API: `<issuer>/api` (Kinde: `https://<subdomain>.kinde.com/api`). */
export const kindeAudience = (issuer: string) => `${issuer}/api`;

export const KINDE_SCOPES = [
  'read:applications',
  'create:applications',
  'update:applications',
  'delete:applications',
  'read:application_properties',
  'update:application_properties',
  'read:apis',
  'create:apis',
  'update:apis',
  'delete:apis',
  'read:api_scopes',
  'create:api_scopes',
  'update:api_scopes',
  'delete:apis_scopes',
  'create:api_application_scopes',
  'delete:apis_application_scopes',
  'read:organizations',
  'create:organizations',
  'update:organizations',
  'delete:organizations',
  'read:environment_variables',
  'create:environment_variables',
  'update:environment_variables',
  'delete:environment_variables',
] as const;

export type KindeScope = (typeof KINDE_SCOPES)[number];
