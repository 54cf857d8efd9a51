/**
 * The log record every token request leaves (Auth0's log event types): `seccft` for a token issued, `feccft` for a
 * request refused — also one Fastify refuses before the grant runs (bad JSON, wrong content type, body too large).
 * The batch writer stores them (observability/batch-writer.ts); the management API's `/api/v2/logs` serves them.
 */
import type { FastifyRequest } from 'fastify';
import type { OAuthError } from '../errors.js';
import { newLogId } from '../ids.js';
import { serializeLogRecord, type LogRecord, type SerializedLogRecord } from '../store/logs.js';
import type { Issued, TokenContext } from './token-context.js';

function logRecord(
  request: FastifyRequest,
  type: 'seccft' | 'feccft',
  description: string,
  fields: Partial<LogRecord>,
): SerializedLogRecord {
  return serializeLogRecord({
    log_id: newLogId(),
    date: new Date(),
    type,
    description,
    client_id: null,
    client_name: null,
    audience: null,
    scope: null,
    ip: request.ip,
    user_agent: request.headers['user-agent'] ?? null,
    hostname: request.hostname,
    execution_id: null,
    execution: null,
    details: {},
    ...fields,
  });
}

/** The `seccft` record of an issued token: its client, API, scopes, key and id, and the trigger chain's record. */
export function issuedRecord(ctx: Issued): SerializedLogRecord {
  const { client, organization, execution } = ctx;
  return logRecord(ctx.request, 'seccft', 'Client Credentials for Access Token', {
    client_id: client.clientId,
    client_name: client.name,
    audience: ctx.api.identifier,
    scope: ctx.scope,
    execution_id: execution?.id ?? null,
    execution: execution?.record ?? null,
    details: organization
      ? { kid: ctx.kid, jti: ctx.jti, organization_id: organization.id, organization_name: organization.name }
      : { kid: ctx.kid, jti: ctx.jti },
  });
}

/**
 * The `feccft` record of a refused request, with what it had reached: `ctx` is null when Fastify refused it before
 * the grant ran. Names the client the request named (or its assertion claims) when it was not authenticated.
 * `description` is the text the client got; `details` holds the code, the status and, when the error has one, the
 * `reason` the client did not get (errors.ts).
 */
export function failedRecord(
  request: FastifyRequest,
  ctx: TokenContext | null,
  error: OAuthError,
): SerializedLogRecord {
  const params = ctx?.params;
  const client = ctx?.client;
  const execution = ctx?.execution;
  return logRecord(request, 'feccft', error.message, {
    client_id: client?.clientId ?? params?.client_id ?? ctx?.claimedClientId ?? null,
    client_name: client?.name ?? null,
    audience: params?.audience ?? params?.resource ?? null,
    scope: params?.scope ?? null,
    execution_id: execution?.id ?? null,
    execution: execution?.record ?? null,
    // The reason is the operator's: it is here and in no response.
    details:
      error.reason === undefined
        ? { error: error.error, status: error.status }
        : { error: error.error, status: error.status, reason: error.reason },
  });
}
