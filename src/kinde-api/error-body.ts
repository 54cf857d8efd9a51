/**
 * Kinde's error body, `{errors: [{code, message}]}` (the `error_response` of Kinde's OpenAPI document), for every
 * error of `/api/v1`. A {@link KindeError} carries Kinde's code already; the errors the shared guards throw (token,
 * scope, schema validation, the database) get theirs from one table. error-handler.ts writes the body.
 */
import { KindeError, type ManagementError } from '../errors.js';

/** Whether a request URL is the Kinde API's (`/api/v1`, `/api/v1/…`, `/api/v1?…`). */
export const isKindeUrl = (url: string) => /^\/api\/v1(?:[/?#]|$)/.test(url);

/** Kinde's code for each Auth0-style code the shared guards use. */
const KINDE_CODES: Readonly<Record<string, string>> = {
  invalid_token: 'INVALID_TOKEN',
  insufficient_scope: 'INSUFFICIENT_SCOPE',
  invalid_body: 'INVALID_REQUEST',
  invalid_query_string: 'INVALID_REQUEST',
  invalid_uri: 'INVALID_REQUEST',
  invalid_request: 'INVALID_REQUEST',
  inexistent_entity: 'NOT_FOUND',
  already_exists: 'ALREADY_EXISTS',
  temporarily_unavailable: 'SERVICE_UNAVAILABLE',
  internal_error: 'INTERNAL_ERROR',
};

/** `{errors: [{code, message}]}` for one error. */
export const kindeError = (code: string, message: string) => ({ errors: [{ code, message }] });

/** The Kinde body for a management error. */
export function kindeErrorBody(error: ManagementError) {
  const code =
    error instanceof KindeError ? error.errorCode : (KINDE_CODES[error.errorCode] ?? error.errorCode.toUpperCase());
  return kindeError(code, error.message);
}

/**
 * The 404 for a path Minter does not serve under `/api/v1`: Kinde's users, roles, permissions, feature flags,
 * connections… have no meaning for machine-to-machine tokens. Names the path (without its query, at most 200
 * characters) so that a script's author sees which call to drop.
 */
export function routeNotFoundBody(method: string, url: string) {
  const path = url.split('?', 1)[0]!.slice(0, 200);
  return kindeError(
    'ROUTE_NOT_FOUND',
    `${method} ${path} is not served by Minter (M2M only); docs/migrating-from-kinde.md lists the paths it serves`,
  );
}
