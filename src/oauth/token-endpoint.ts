/**
 * `POST /oauth/token` (alias `/oauth2/token`): the route, and the grant's outcome on the wire. The grant itself, step
 * by step, is grants/client-credentials.ts.
 *
 * The hot path reads only the in-memory snapshot and awaits nothing unless a trigger is bound, the client
 * authenticates with a `private_key_jwt` assertion (verified asynchronously), or it has a token quota counted in
 * Redis; and it leaves its log record to the batch writer (whose backpressure is the one other wait: only while the
 * database is writing but behind, see {@link registerTokenEndpoint}'s `handler`).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { asOAuthError } from '../error-handler.js';
import { ClientCredentialsGrant, type ClientCredentialsDeps } from './grants/client-credentials.js';
import { newTokenContext, type Issued, type TokenContext } from './token-context.js';
import { failedRecord } from './token-log.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** A token request's context, for its failure record; null on every other request and until the grant runs. */
    tokenContext: TokenContext | null;
  }
}

export type TokenEndpointDeps = ClientCredentialsDeps;

const SUCCESS_HEADERS = {
  'cache-control': 'no-store',
  pragma: 'no-cache',
  'content-type': 'application/json; charset=utf-8',
};

export function registerTokenEndpoint(app: FastifyInstance, deps: TokenEndpointDeps): void {
  const { metrics } = deps;

  /** The token response (RFC 6749 §5.1), with a header per quota the request is under (token-quota.ts). */
  function issued(ctx: Issued): void {
    const { reply } = ctx;
    if (metrics) {
      metrics.tokenIssued();
      metrics.answered(reply.elapsedTime);
    }
    if (ctx.quotas !== undefined) for (const quota of ctx.quotas) reply.header(quota.headerName, quota.header);
    reply.headers(SUCCESS_HEADERS).send(
      JSON.stringify({
        access_token: ctx.token,
        token_type: 'Bearer',
        expires_in: ctx.api.tokenLifetime,
        scope: ctx.scope,
      }),
    );
  }

  /** The error handler writes the error's body (RFC 6749 §5.2); {@link logFailure} records it. */
  function failed(ctx: TokenContext, error: unknown): void {
    ctx.reply.send(error);
  }

  const grant = new ClientCredentialsGrant(deps, { issued, failed });

  /**
   * Every failed token request leaves a `feccft` record — also the ones Fastify refuses before the handler runs
   * (bad JSON, wrong content type, body too large), which have no context.
   */
  function logFailure(request: FastifyRequest, reply: FastifyReply, error: Error, done: () => void): void {
    const oauth = asOAuthError(error);
    metrics?.tokenFailed(oauth.error);
    metrics?.answered(reply.elapsedTime);
    deps.logs.push(failedRecord(request, request.tokenContext, oauth));
    done();
  }

  /**
   * Waits while the log writer is behind (see BatchWriter.pressure): each token adds a record, and a request that
   * waits a little beats a record that is dropped. Nothing is awaited otherwise.
   */
  function handler(request: FastifyRequest, reply: FastifyReply): void {
    const behind = deps.logs.pressure();
    if (behind === undefined) return handle(request, reply);
    void behind.then(() => handle(request, reply));
  }

  function handle(request: FastifyRequest, reply: FastifyReply): void {
    const ctx = newTokenContext(request, reply);
    request.tokenContext = ctx;
    grant.handle(ctx);
  }

  app.decorateRequest('tokenContext', null);
  for (const url of ['/oauth/token', '/oauth2/token']) {
    app.post(url, { bodyLimit: 16 * 1024, onError: logFailure }, handler);
  }
}
