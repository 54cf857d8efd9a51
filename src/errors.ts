/**
 * The error catalogue: a class per error code a caller may see, each fixing its code and HTTP status. The single
 * error handler (`error-handler.ts`) turns them into a response, and anything else into a bare `server_error`.
 *
 * Every error carries two texts: its message, which is the client's (`error_description`, or the management API's
 * `message`), and an optional `reason`, which is the operator's. The reason is never sent: the token endpoint writes
 * it to the failure's log record as `details.reason` (oauth/token-log.ts), the management API to the server's log.
 * It tells apart what the client must not be able to tell apart (an unknown client from a wrong secret).
 */

/** What an error may carry besides the client's text. */
export interface ErrorDetail {
  /** Detail for operators only: written to the log record, never sent to the client. */
  reason?: string;
}

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

/**
 * The codes a token trigger may deny with: Auth0's `api.access.deny(code, reason)` takes the first three (any other
 * code an action passes becomes `server_error`, and so does every failure; the sandbox program's Auth0 `api`,
 * sandbox/program/auth0/api.ts `DENY_CODES`, applies that rule inside the isolate); Kinde's
 * `kinde.auth.denyAccess(reason)` denies with `access_denied` (a Minter extension in `m2m:token_generation`).
 */
export const DENIAL_CODES = ['invalid_scope', 'invalid_request', 'server_error', 'access_denied'] as const;
export type DenialError = (typeof DENIAL_CODES)[number];

const DENIAL_CODE_SET: ReadonlySet<string> = new Set(DENIAL_CODES);
/** Whether `code` is one a trigger may deny with. */
export const isDenialCode = (code: unknown): code is DenialError =>
  typeof code === 'string' && DENIAL_CODE_SET.has(code);

/**
 * An error of the token endpoint, written as `{error, error_description}`: the base of the classes below, which fix
 * `error` and `status`; construct one of those.
 */
export class OAuthError extends Error {
  override name = 'OAuthError';
  /** Detail for operators only ({@link ErrorDetail}). */
  readonly reason: string | undefined;
  constructor(
    readonly error: OAuthErrorCode,
    readonly status: number,
    description: string,
    /** Extra response headers (WWW-Authenticate, Retry-After). */
    readonly headers: Record<string, string> = {},
    detail?: ErrorDetail,
  ) {
    super(description);
    this.reason = detail?.reason;
  }
}

/** RFC 6749 §5.2 `invalid_request` (400): the request is malformed, or sends two ways to say one thing. */
export class InvalidRequest extends OAuthError {
  constructor(description: string, detail?: ErrorDetail) {
    super('invalid_request', 400, description, {}, detail);
  }
}

const BASIC_CHALLENGE: Record<string, string> = Object.freeze({
  'www-authenticate': 'Basic realm="minter", error="invalid_client"',
});

/** RFC 6749 §5.2 `invalid_client` (401): client authentication failed; a Basic challenge when Basic was tried. */
export class InvalidClient extends OAuthError {
  constructor(description: string, detail: ErrorDetail & { basic?: boolean } = {}) {
    super('invalid_client', 401, description, detail.basic ? BASIC_CHALLENGE : {}, detail);
  }
}

/** RFC 6749 §5.2 `invalid_grant` (400). The client credentials grant has no grant to be invalid; kept for the next. */
export class InvalidGrant extends OAuthError {
  constructor(description: string, detail?: ErrorDetail) {
    super('invalid_grant', 400, description, {}, detail);
  }
}

/** RFC 6749 §5.2 `unauthorized_client` (403, as Auth0): the client may not use this grant type. */
export class UnauthorizedClient extends OAuthError {
  constructor(description: string, detail?: ErrorDetail) {
    super('unauthorized_client', 403, description, {}, detail);
  }
}

/** RFC 6749 §5.2 `unsupported_grant_type` (400). */
export class UnsupportedGrantType extends OAuthError {
  constructor(description: string, detail?: ErrorDetail) {
    super('unsupported_grant_type', 400, description, {}, detail);
  }
}

/**
 * The status of `invalid_scope`, by what is wrong with the scope: one the request cannot even spell (RFC 6749 §3.3's
 * grammar) is a malformed request, 400; a well-formed scope the client's grant does not hold is an access decision,
 * 403 — the status Auth0 answers with (Auth0's code there is `access_denied`; Minter keeps RFC 6749's `invalid_scope`).
 */
const INVALID_SCOPE_STATUS = { malformed: 400, not_granted: 403 } as const;

/** RFC 6749 §5.2 `invalid_scope`, its status from {@link INVALID_SCOPE_STATUS}. */
export class InvalidScope extends OAuthError {
  constructor(kind: keyof typeof INVALID_SCOPE_STATUS, description: string, detail?: ErrorDetail) {
    super('invalid_scope', INVALID_SCOPE_STATUS[kind], description, {}, detail);
  }
}

/** RFC 6749 §4.1.2.1 `access_denied` (403, as Auth0): unknown API, no client grant, an organization refused. */
export class AccessDenied extends OAuthError {
  constructor(description: string, detail?: ErrorDetail) {
    super('access_denied', 403, description, {}, detail);
  }
}

/** `too_many_requests` (429, RFC 6585 §4, as Auth0's token quotas): with `Retry-After` and the quota headers. */
export class TooManyRequests extends OAuthError {
  constructor(description: string, headers: Record<string, string>, detail?: ErrorDetail) {
    super('too_many_requests', 429, description, headers, detail);
  }
}

/** RFC 6749 §5.2 `server_error` (500): never with internal detail in the description; that goes in the reason. */
export class ServerError extends OAuthError {
  constructor(description: string, detail?: ErrorDetail) {
    super('server_error', 500, description, {}, detail);
  }
}

/**
 * A token trigger's deliberate denial (`api.access.deny(code, reason)`): 403 with the action's code and reason,
 * whatever status the code has elsewhere — DESIGN.md: a trigger denial is an access decision. A trigger that fails
 * instead is a {@link ServerError}.
 */
export class TriggerDenied extends OAuthError {
  constructor(code: DenialError, description: string, detail?: ErrorDetail) {
    super(code, 403, description, {}, detail);
  }
}

/** An error of the management API, written in Auth0's shape `{statusCode, error, message, errorCode}`. */
export class ManagementError extends Error {
  override name = 'ManagementError';
  /** Detail for operators only ({@link ErrorDetail}). */
  readonly reason: string | undefined;
  constructor(
    readonly statusCode: number,
    readonly errorCode: string,
    message: string,
    readonly headers: Record<string, string> = {},
    detail?: ErrorDetail,
  ) {
    super(message);
    this.reason = detail?.reason;
  }
}

/** Auth0's error codes of a 400: which part of the request is wrong, or what the operation cannot do. */
export type BadRequestCode =
  | 'invalid_body'
  | 'invalid_query_string'
  | 'invalid_uri'
  | 'operation_not_supported'
  | 'incompatible_trigger'
  | 'not_deployed'
  | 'build_failed'
  | 'dependency_failed'
  | 'too_many_credentials';

/** 400: `invalid_body` unless another {@link BadRequestCode} says more. */
export class BadRequest extends ManagementError {
  constructor(message: string, detail: ErrorDetail & { errorCode?: BadRequestCode } = {}) {
    super(400, detail.errorCode ?? 'invalid_body', message, {}, detail);
  }
}

/** 401 `invalid_token`, with a Bearer challenge (RFC 6750 §3). */
export class Unauthorized extends ManagementError {
  constructor(message: string, detail?: ErrorDetail) {
    super(401, 'invalid_token', message, { 'www-authenticate': 'Bearer realm="minter-management"' }, detail);
  }
}

/** 403 `insufficient_scope` (RFC 6750 §3.1): the token lacks the route's scope. */
export class Forbidden extends ManagementError {
  constructor(message: string, detail?: ErrorDetail) {
    super(403, 'insufficient_scope', message, {}, detail);
  }
}

/** 404 `inexistent_entity`. */
export class NotFound extends ManagementError {
  constructor(message: string, detail?: ErrorDetail) {
    super(404, 'inexistent_entity', message, {}, detail);
  }
}

/** 409: `already_exists`, or a lifecycle step refused in the entity's present state. */
export class Conflict extends ManagementError {
  constructor(
    message: string,
    detail: ErrorDetail & { errorCode?: 'already_exists' | 'too_early' | 'already_revoked' } = {},
  ) {
    super(409, detail.errorCode ?? 'already_exists', message, {}, detail);
  }
}

/** 415 `unsupported_media_type`: a management body that is not JSON. */
export class UnsupportedMediaType extends ManagementError {
  constructor(message: string, detail?: ErrorDetail) {
    super(415, 'unsupported_media_type', message, {}, detail);
  }
}

/** 503: a part Minter needs is not there yet or not now, with `Retry-After` (s) when it knows when to come back. */
export class ServiceUnavailable extends ManagementError {
  constructor(
    errorCode: 'temporarily_unavailable' | 'engine_unavailable',
    message: string,
    detail: ErrorDetail & { retryAfterSeconds?: number } = {},
  ) {
    const headers: Record<string, string> =
      detail.retryAfterSeconds === undefined ? {} : { 'retry-after': String(detail.retryAfterSeconds) };
    super(503, errorCode, message, headers, detail);
  }
}

/**
 * An error of Kinde's management API (`/api/v1`) with Kinde's code (`APPLICATION_NOT_FOUND`), written
 * `{errors: [{code, message}]}` (kinde-api/error-body.ts also gives the classes above a Kinde code there).
 */
export class KindeError extends ManagementError {
  override name = 'KindeError';
  constructor(statusCode: 400 | 404 | 409, code: string, message: string, detail?: ErrorDetail) {
    super(statusCode, code, message, {}, detail);
  }
}

/** A configuration mistake: thrown at start-up, never at request time; `main.ts` prints its message alone. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

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
