/**
 * The grant's step 5: the triggers bound to the token (Auth0 `credentials-exchange` Actions, Kinde
 * `m2m:token_generation` workflows), which may deny it, add claims or change its scopes. How the chain's end maps to
 * an answer is trigger-outcome.ts.
 */
import { redactedBody } from '../../credential-parameters.js';
import { newLogId } from '../../ids.js';
import type { Metrics } from '../../observability/metrics.js';
import type { TriggerEngine, TriggerRequest } from '../../triggers/contract.js';
import type { Authorised } from '../token-context.js';
import { chainError } from '../trigger-outcome.js';

/** What the triggers are told about the server. */
export interface TriggerSite {
  issuer: string;
  tenantId: string;
  engine?: TriggerEngine;
  metrics?: Metrics;
}

/** The event the triggers see: the client, the API, the scopes, the organization and the request without credentials. */
function triggerRequest(ctx: Authorised, site: TriggerSite): TriggerRequest {
  const { request, client } = ctx;
  const language = request.headers['accept-language'];
  return {
    client: { client_id: client.clientId, name: client.name, metadata: client.metadata },
    audience: ctx.api.identifier,
    requestedScopes: ctx.requestedScopes,
    grantedScopes: ctx.grant.scopes as string[],
    scopes: ctx.scope ? ctx.scope.split(' ') : [],
    request: {
      ip: request.ip,
      hostname: request.hostname,
      method: request.method,
      body: redactedBody(request.body),
      ...(language && { language: language.split(',')[0]!.trim() }),
      ...(request.headers['user-agent'] && { user_agent: request.headers['user-agent'] }),
    },
    issuer: site.issuer,
    tenantId: site.tenantId,
    ...(ctx.organization && { organization: ctx.organization }),
  };
}

/**
 * Runs the bound triggers: the context (unchanged when none are bound), or a promise of it with the chain's execution
 * record, claims and scopes. Rejects with the chain's denial or failure (its record kept for the failure's log).
 * The management API's tokens never pass through triggers, so that a broken trigger cannot lock admins out.
 */
export function triggers(ctx: Authorised, site: TriggerSite): Authorised | Promise<Authorised> {
  const { engine, metrics } = site;
  if (!engine?.hasBindings || ctx.api.isSystem) return ctx;
  return engine.run(triggerRequest(ctx, site)).then((result) => {
    ctx.execution = {
      id: newLogId(),
      record: {
        trigger_id: result.results[0]?.trigger_id ?? 'credentials-exchange',
        status: 'final',
        results: result.results,
      },
    };
    if (metrics) for (const action of result.results) metrics.actionRan(action.trigger_id, action.status);
    const error = chainError(result);
    if (error) throw error;
    ctx.scope = result.scopes.join(' ');
    ctx.custom = result.claims;
    return ctx;
  });
}
