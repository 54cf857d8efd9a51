/**
 * The log record every token request leaves (Auth0's log event types): `seccft` for a token issued, `feccft` for a
 * request refused — also one Fastify refuses before the grant runs (bad JSON, wrong content type, body too large).
 * The batch writer stores them (observability/batch-writer.ts); the management API's `/api/v2/logs` serves them.
 */
import type { FastifyRequest } from 'fastify';
import type { OAuthError } from '../errors.js';
import { newLogId } from '../ids.js';
import { serializeLogRecord, storableLogRecord, type LogRecord, type SerializedLogRecord } from '../store/logs.js';
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

/** A string field as JSON: its JSON string, or `null` when absent. */
const text = (value: string | null | undefined): string => (value == null ? 'null' : JSON.stringify(value));

/**
 * The `seccft` record of an issued token: its client, API, scopes, key and id, and the trigger chain's record. Every
 * token writes one, so it is written straight to its JSON text — the same fields, in the same order, with the same
 * values as {@link logRecord} would write — instead of as an object spread over defaults and then serialised
 * (~1 µs less a token; docs/benchmarks.md, sixth session). The text passes the same storability check.
 */
export function issuedRecord(ctx: Issued): SerializedLogRecord {
  const { request, client, organization, execution } = ctx;
  const now = Date.now();
  const ids = `"kid":${text(ctx.kid)},"jti":${text(ctx.jti)}`;
  const details = organization
    ? `{${ids},"organization_id":${text(organization.id)},"organization_name":${text(organization.name)}}`
    : `{${ids}}`;
  return storableLogRecord(
    `{"log_id":"${newLogId(now)}","date":"${new Date(now).toISOString()}","type":"seccft",` +
      `"description":"Client Credentials for Access Token","client_id":${text(client.clientId)},` +
      `"client_name":${text(client.name)},"audience":${text(ctx.api.identifier)},"scope":${text(ctx.scope)},` +
      `"ip":${text(request.ip)},"user_agent":${text(request.headers['user-agent'])},` +
      `"hostname":${text(request.hostname)},"execution_id":${text(execution?.id)},` +
      `"execution":${execution ? JSON.stringify(execution.record) : 'null'},"details":${details}}`,
  );
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
