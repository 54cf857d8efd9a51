/**
 * The one place errors become responses. Token endpoint (and everything outside `/api/v2` and `/api/v1`): RFC 6749
 * §5.2 `{error, error_description}`. Management API: Auth0's `{statusCode, error, message, errorCode}`; Kinde's API
 * (`/api/v1`): Kinde's `{errors: [{code, message}]}` (kinde-api/error-body.ts). For both, the database's failures are
 * mapped here and nowhere else: a unique violation is a 409, a reference deleted meanwhile a 404, a value it refused
 * a 400, an outage a 503 with `Retry-After`. Anything unexpected is logged and answered without detail.
 */
import type { Socket } from 'node:net';
import type { ConnectionError, FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  BadRequest,
  Conflict,
  InvalidRequest,
  ManagementError,
  NotFound,
  OAuthError,
  ServerError,
  ServiceUnavailable,
  STATUS_TEXT,
} from './errors.js';
import { isKindeUrl, kindeError, kindeErrorBody, routeNotFoundBody } from './kinde-api/error-body.js';
import { errorSummary } from './observability/error-summary.js';
import { classifyDatabaseError, DUPLICATE_MESSAGES } from './store/database-errors.js';

/** Seconds a client is asked to wait after a 503 for a database outage (RFC 9110 §10.2.3). */
export const OUTAGE_RETRY_AFTER_S = 5;

const isManagement = (request: FastifyRequest) => request.url.startsWith('/api/v2');
const isKinde = (request: FastifyRequest) => isKindeUrl(request.url);

/** Auth0's error code for a schema error in each part of the request. */
const VALIDATION_CODES: Partial<Record<string, string>> = {
  querystring: 'invalid_query_string',
  params: 'invalid_uri',
  body: 'invalid_body',
};

function validationMessage(error: FastifyError): string {
  const first = error.validation?.[0];
  if (!first) return error.message;
  const where = (error.validationContext ?? 'body') + (first.instancePath ?? '').replace(/\//g, '.');
  const params = first.params as Record<string, unknown>;
  if (first.keyword === 'additionalProperties')
    return `${where}: unknown property "${String(params.additionalProperty)}"`;
  if (first.keyword === 'required') return `${where}: missing required property "${String(params.missingProperty)}"`;
  if (first.keyword === 'format' && params.format === 'date-time') {
    return `${where} must be an RFC 3339 date-time from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z`;
  }
  return `${where} ${first.message ?? 'is invalid'}`;
}

/** Client errors Fastify raises before a handler runs (bad JSON, wrong content type, body too large). */
function clientErrorMessage(error: FastifyError): string {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'Unsupported content type; send application/x-www-form-urlencoded or application/json';
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'The request body is too large';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'The JSON body is empty';
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return 'The request body is not valid JSON';
    default:
      return error.message;
  }
}

/** A database failure of a management request as the answer it gets, or undefined when `error` is none. */
function fromDatabase(error: Error, request: FastifyRequest): ManagementError | undefined {
  const failure = classifyDatabaseError(error);
  switch (failure?.kind) {
    case undefined:
      return undefined;
    case 'duplicate':
      return new Conflict(
        (failure.constraint && DUPLICATE_MESSAGES.get(failure.constraint)) ?? 'The object already exists',
        { reason: `unique violation${failure.constraint ? ` of ${failure.constraint}` : ''}` },
      );
    case 'missing_reference':
      return new NotFound('An object this request refers to does not exist (it was deleted meanwhile)');
    case 'invalid_data':
      // Validation at the edge should have refused it first: worth an operator's look, not a client's 500.
      request.log.warn(errorSummary(error), 'the database refused a value from a management request');
      return new BadRequest('Payload validation error: the request holds a value that cannot be stored');
    case 'unavailable':
      request.log.warn(errorSummary(error), 'management request failed: the database is unavailable');
      return new ServiceUnavailable('temporarily_unavailable', 'The database is unavailable; try again shortly', {
        retryAfterSeconds: OUTAGE_RETRY_AFTER_S,
      });
  }
}

function send(reply: FastifyReply, status: number, headers: Record<string, string>, body: unknown): void {
  reply
    .code(status)
    .headers({ 'cache-control': 'no-store', ...headers })
    .type('application/json; charset=utf-8')
    .send(body);
}

/** Any error of the token endpoint as the OAuth error it is answered with (RFC 6749 §5.2). */
export function asOAuthError(error: FastifyError | Error): OAuthError {
  if (error instanceof OAuthError) return error;
  const status = (error as FastifyError).statusCode ?? 500;
  if (status >= 400 && status < 500) {
    const fastifyError = error as FastifyError;
    // Every malformed token request is an invalid_request (400), whatever Fastify called it.
    return new InvalidRequest(
      fastifyError.validation ? validationMessage(fastifyError) : clientErrorMessage(fastifyError),
    );
  }
  return new ServerError('Internal error', { reason: `unexpected ${error.name}; see the server's log` });
}

/** Fastify's errors for a path it cannot route: undecodable percent-encoding, a parameter past `maxParamLength`. */
const URI_ERRORS = new Set(['FST_ERR_BAD_URL', 'FST_ERR_MAX_PARAM_LENGTH']);

/**
 * Answers any error of any request. Also Fastify's `frameworkErrors` option: a path it cannot even route (bad
 * percent-encoding) is answered here too, in the caller's shape, instead of Fastify's own body.
 */
export function answerError(thrown: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const kinde = isKinde(request);
  const error = ((kinde || isManagement(request)) && fromDatabase(thrown, request)) || thrown;
  if (error instanceof ManagementError) {
    if (error.reason !== undefined)
      request.log.info({ errorCode: error.errorCode, reason: error.reason }, 'management request refused');
    if (kinde) return send(reply, error.statusCode, error.headers, kindeErrorBody(error));
    return send(reply, error.statusCode, error.headers, {
      statusCode: error.statusCode,
      error: STATUS_TEXT[error.statusCode] ?? 'Error',
      message: error.message,
      errorCode: error.errorCode,
    });
  }
  if (kinde) return answerKindeError(error, request, reply);
  if (!isManagement(request)) {
    const oauth = asOAuthError(error);
    if (oauth.status >= 500) request.log.error({ err: error }, 'token request failed');
    return send(reply, oauth.status, oauth.headers, { error: oauth.error, error_description: oauth.message });
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    const errorCode = error.validation
      ? (VALIDATION_CODES[error.validationContext ?? 'body'] ?? 'invalid_body')
      : URI_ERRORS.has(error.code)
        ? 'invalid_uri'
        : 'invalid_request';
    return send(
      reply,
      status,
      {},
      {
        statusCode: status,
        error: STATUS_TEXT[status] ?? 'Error',
        message: error.validation ? `Payload validation error: ${validationMessage(error)}` : clientErrorMessage(error),
        errorCode,
      },
    );
  }
  request.log.error({ err: error }, 'unhandled error');
  return send(
    reply,
    500,
    {},
    { statusCode: 500, error: STATUS_TEXT[500], message: 'Internal error', errorCode: 'internal_error' },
  );
}

/** An error of `/api/v1` outside the catalogue: Fastify's 4xx (schema, body) in Kinde's shape, or a bare 500. */
function answerKindeError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    const message = error.validation ? `Invalid request: ${validationMessage(error)}` : clientErrorMessage(error);
    return send(reply, status, {}, kindeError('INVALID_REQUEST', message));
  }
  request.log.error({ err: error }, 'unhandled error');
  return send(reply, 500, {}, kindeError('INTERNAL_ERROR', 'Internal error'));
}

/** Node's HTTP parser's failures, by its code: timeouts (408), headers past 16 KB, the URL included (431), any other (400). */
const CLIENT_ERROR_STATUS: Partial<Record<string, number>> = {
  ERR_HTTP_REQUEST_TIMEOUT: 408,
  HPE_HEADER_OVERFLOW: 431,
};
const CLIENT_ERROR_MESSAGE: Partial<Record<number, string>> = {
  408: 'The request took too long to arrive',
  431: 'The request line and headers are larger than 16 KB',
  400: 'The request is not valid HTTP',
};

/**
 * Fastify's `clientErrorHandler`: a request Node could not parse never becomes a request object, so the answer is
 * written to the socket here, in the shape of the API the request line names (as far as the parser got).
 */
export function answerClientError(error: ConnectionError, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const status = CLIENT_ERROR_STATUS[error.code] ?? 400;
  const message = CLIENT_ERROR_MESSAGE[status]!;
  // Node hands a Buffer (Fastify's types describe its JSON form); absent when nothing was read.
  const raw = error.rawPacket as unknown;
  const requestLine = Buffer.isBuffer(raw) ? raw.subarray(0, 64).toString('latin1') : '';
  const management = /^[A-Z]+ \/api\/v2(?:[/?]|$| )/.test(requestLine);
  const body = JSON.stringify(
    management
      ? { statusCode: status, error: STATUS_TEXT[status] ?? 'Error', message, errorCode: 'invalid_request' }
      : /^[A-Z]+ \/api\/v1(?:[/?]|$| )/.test(requestLine)
        ? kindeError('INVALID_REQUEST', message)
        : { error: 'invalid_request', error_description: message },
  );
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nConnection: close\r\nCache-Control: no-store\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler(answerError);

  app.setNotFoundHandler((request, reply) => {
    if (isKinde(request)) return send(reply, 404, {}, routeNotFoundBody(request.method, request.url));
    if (isManagement(request)) {
      return send(
        reply,
        404,
        {},
        {
          statusCode: 404,
          error: 'Not Found',
          message: `No route ${request.method} ${request.url}`,
          errorCode: 'not_found',
        },
      );
    }
    return send(reply, 404, {}, { error: 'not_found', error_description: `No route ${request.method} ${request.url}` });
  });
}
