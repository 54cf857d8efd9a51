/**
 * Errors as values. Every failure a caller may see is one of these classes; the single error handler in
 * `error-handler.ts` turns them into a response, and anything else into a bare `server_error`.
 */

/** RFC 6749 §5.2 error codes Minter answers with, plus 429 (RFC 6585). */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'access_denied'
  | 'too_many_requests'
  | 'server_error';

/** An error of the token endpoint, written as `{error, error_description}`. */
export class OAuthError extends Error {
  override name = 'OAuthError';
  constructor(
    readonly error: OAuthErrorCode,
    readonly status: number,
    description: string,
    /** Extra response headers (WWW-Authenticate, Retry-After). */
    readonly headers: Record<string, string> = {},
  ) {
    super(description);
  }
}

/** RFC 6749 §5.2: malformed request. */
export const invalidRequest = (description: string) => new OAuthError('invalid_request', 400, description);

/** RFC 6749 §5.2: client authentication failed. 401, with a Basic challenge when Basic was tried. */
export const invalidClient = (description: string, basic: boolean) =>
  new OAuthError(
    'invalid_client',
    401,
    description,
    basic ? { 'www-authenticate': 'Basic realm="minter", error="invalid_client"' } : {},
  );

export const unauthorizedClient = (description: string) => new OAuthError('unauthorized_client', 403, description);
export const unsupportedGrantType = (description: string) => new OAuthError('unsupported_grant_type', 400, description);
export const accessDenied = (description: string) => new OAuthError('access_denied', 403, description);

/** An error of the management API, written in Auth0's shape `{statusCode, error, message, errorCode}`. */
export class ManagementError extends Error {
  override name = 'ManagementError';
  constructor(
    readonly statusCode: number,
    readonly errorCode: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const badRequest = (message: string, errorCode = 'invalid_body') => new ManagementError(400, errorCode, message);
export const notFound = (message: string) => new ManagementError(404, 'inexistent_entity', message);
export const conflict = (message: string) => new ManagementError(409, 'already_exists', message);
export const unauthorized = (message: string) =>
  new ManagementError(401, 'invalid_token', message, { 'www-authenticate': 'Bearer realm="minter-management"' });
export const forbidden = (message: string) => new ManagementError(403, 'insufficient_scope', message);

/** HTTP reason phrases for the management error body. */
export const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Payload Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};
