/**
 * The one place errors become responses. Token endpoint (and everything outside `/api/v2`): RFC 6749 §5.2
 * `{error, error_description}`. Management API: Auth0's `{statusCode, error, message, errorCode}`. Anything
 * unexpected is logged and answered without detail.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ManagementError, OAuthError, STATUS_TEXT } from './errors.js';

const isManagement = (request: FastifyRequest) => request.url.startsWith('/api/v2');

function validationMessage(error: FastifyError): string {
  const first = error.validation?.[0];
  if (!first) return error.message;
  const where = (error.validationContext ?? 'body') + (first.instancePath ?? '').replace(/\//g, '.');
  const params = first.params as Record<string, unknown>;
  if (first.keyword === 'additionalProperties') return `${where}: unknown property "${String(params.additionalProperty)}"`;
  if (first.keyword === 'required') return `${where}: missing required property "${String(params.missingProperty)}"`;
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

function send(reply: FastifyReply, status: number, headers: Record<string, string>, body: unknown): void {
  reply.code(status).headers({ 'cache-control': 'no-store', ...headers }).type('application/json; charset=utf-8').send(body);
}

/** Any error of the token endpoint as the OAuth error it is answered with (RFC 6749 §5.2). */
export function asOAuthError(error: FastifyError | Error): OAuthError {
  if (error instanceof OAuthError) return error;
  const status = (error as FastifyError).statusCode ?? 500;
  if (status >= 400 && status < 500) {
    const fastifyError = error as FastifyError;
    // Every malformed token request is an invalid_request (400), whatever Fastify called it.
    return new OAuthError('invalid_request', 400, fastifyError.validation ? validationMessage(fastifyError) : clientErrorMessage(fastifyError));
  }
  return new OAuthError('server_error', 500, 'Internal error');
}

export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof ManagementError) {
      return send(reply, error.statusCode, error.headers, {
        statusCode: error.statusCode,
        error: STATUS_TEXT[error.statusCode] ?? 'Error',
        message: error.message,
        errorCode: error.errorCode,
      });
    }
    if (!isManagement(request)) {
      const oauth = asOAuthError(error);
      if (oauth.status >= 500) request.log.error({ err: error }, 'token request failed');
      return send(reply, oauth.status, oauth.headers, { error: oauth.error, error_description: oauth.message });
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const errorCode = error.validation ? (error.validationContext === 'querystring' ? 'invalid_query_string' : 'invalid_body') : 'invalid_request';
      return send(reply, status, {}, {
        statusCode: status,
        error: STATUS_TEXT[status] ?? 'Error',
        message: error.validation ? `Payload validation error: ${validationMessage(error)}` : clientErrorMessage(error),
        errorCode,
      });
    }
    request.log.error({ err: error }, 'unhandled error');
    return send(reply, 500, {}, { statusCode: 500, error: STATUS_TEXT[500], message: 'Internal error', errorCode: 'internal_error' });
  });

  app.setNotFoundHandler((request, reply) => {
    if (isManagement(request)) {
      return send(reply, 404, {}, { statusCode: 404, error: 'Not Found', message: `No route ${request.method} ${request.url}`, errorCode: 'not_found' });
    }
    return send(reply, 404, {}, { error: 'not_found', error_description: `No route ${request.method} ${request.url}` });
  });
}
