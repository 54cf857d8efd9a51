/**
 * `POST /oauth/token` (alias `/oauth2/token`): the client credentials grant (RFC 6749 §4.4).
 *
 * The hot path: parse, authenticate, check the grant (and the organization), run the bound triggers, sign. It reads
 * only the in-memory snapshot and awaits nothing unless a trigger is bound, the client authenticates with a
 * `private_key_jwt` assertion (verified asynchronously), or it has a token quota counted in Redis; and it leaves its
 * log record to the batch writer (whose backpressure is the one other wait: only while the database is writing but
 * behind, see {@link handler}).
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { accessDenied, invalidRequest, OAuthError, unauthorizedClient, unsupportedGrantType } from '../errors.js';
import { redactedBody } from '../credential-parameters.js';
import { asOAuthError } from '../error-handler.js';
import { newLogId } from '../ids.js';
import type { Registry } from '../registry/registry.js';
import type { ApiEntry, ClientEntry, GrantEntry, OrganizationEntry, Snapshot, TokenQuota } from '../registry/snapshot.js';
import { serializeLogRecord, type LogRecord, type SerializedLogRecord } from '../store/logs.js';
import type { BatchWriter } from '../observability/batch-writer.js';
import type { Metrics } from '../observability/metrics.js';
import type { ChainResult, TriggerEngine, TriggerRequest } from '../triggers/contract.js';
import { buildAccessTokenClaims } from './claims.js';
import type { ReplayGuard } from './assertion-replay.js';
import { authenticateAssertion, claimedClientId, sendsAssertion } from './client-assertion.js';
import { authenticateClient, basicCredentials } from './client-authentication.js';
import { parseScope, readTokenParameters, type TokenParameters } from './token-parameters.js';
import { checkQuota, quotaHeaderName, quotaKey, type QuotaCounter, type QuotaSubject, type QuotaUsage } from './token-quota.js';
import { chainError } from './trigger-outcome.js';

export interface TokenEndpointDeps {
  issuer: string;
  tenantId: string;
  registry: Registry;
  engine?: TriggerEngine;
  logs: BatchWriter<SerializedLogRecord>;
  /** Where tokens of clients with a quota are counted. */
  quotas: QuotaCounter;
  /** Where used private_key_jwt assertion ids are remembered. */
  replay: ReplayGuard;
  /** Prometheus counters, when served (MINTER_METRICS). */
  metrics?: Metrics;
}

const SUCCESS_HEADERS = { 'cache-control': 'no-store', pragma: 'no-cache', 'content-type': 'application/json; charset=utf-8' };

/** A trigger chain's execution record, kept with the request's log record. */
interface Execution {
  id: string;
  record: NonNullable<LogRecord['execution']>;
}

/** Everything known once the request is authorised, before triggers and signing. */
interface Authorised {
  client: ClientEntry;
  api: ApiEntry;
  grant: GrantEntry;
  requestedScopes: string[];
  scope: string;
  /** The organization the request is bound to (`organization`), checked against the grant. */
  organization: OrganizationEntry | undefined;
  /** The quotas this request is under, with the header each answers with (the token is counted when issued). */
  quotas?: CheckedQuota[];
}

/** A quota that applies to a request: the client's own, or its organization's. */
interface ApplicableQuota {
  subject: QuotaSubject;
  /** The counter key (`quotaKey`). */
  key: string;
  quota: TokenQuota;
}

interface CheckedQuota {
  key: string;
  headerName: string;
  header: string;
}

const NO_QUOTAS: readonly ApplicableQuota[] = [];

/**
 * The quotas a request is under: its client's, and its organization's. Like Auth0's, quotas count tokens for the
 * operator's APIs, never the management API's.
 */
function applicableQuotas(snapshot: Snapshot, auth: Authorised): readonly ApplicableQuota[] {
  if (auth.api.isSystem) return NO_QUOTAS;
  const client = auth.client.quota;
  const organization = auth.organization && snapshot.organizations.quotas.get(auth.organization.id);
  if (client === undefined && organization === undefined) return NO_QUOTAS;
  const quotas: ApplicableQuota[] = [];
  if (client !== undefined) quotas.push({ subject: 'client', key: quotaKey('client', auth.client.clientId), quota: client });
  if (organization && auth.organization) quotas.push({ subject: 'organization', key: quotaKey('organization', auth.organization.id), quota: organization });
  return quotas;
}

/**
 * The organization a request names (by id or name), checked against its grant as Auth0's M2M access for organizations
 * does: `organization_usage` `require` needs one (the client's `default_organization` stands in when the request
 * names none), `deny` refuses one, and the organization must be authorized for the grant unless it has
 * `allow_any_organization`. An unknown organization gets the same 403 as an unauthorized one.
 */
function organizationFor(snapshot: Snapshot, client: ClientEntry, grant: GrantEntry, requested: string | undefined): OrganizationEntry | undefined {
  if (requested === undefined) {
    if (grant.organizationUsage !== 'require') return undefined;
    if (client.defaultOrganizationId === undefined) {
      throw invalidRequest('This client grant requires an organization: send organization (its id or name)');
    }
    requested = client.defaultOrganizationId;
  }
  if (grant.organizationUsage === 'deny') throw invalidRequest('This client grant does not take an organization (its organization_usage is deny)');
  const organization = snapshot.organization(requested);
  if (!organization || (!grant.allowAnyOrganization && !grant.organizationIds.has(organization.id))) {
    throw accessDenied(`The organization ${requested} is not authorized for this client grant`);
  }
  return organization;
}

/** RFC 8707 `resource` or Auth0's `audience`; both may be sent only when they agree. */
function audienceOf(params: TokenParameters): string {
  const { audience, resource } = params;
  if (audience !== undefined && resource !== undefined && audience !== resource) {
    throw invalidRequest('audience and resource name different APIs; send one of them');
  }
  const target = audience ?? resource;
  if (target === undefined) throw invalidRequest('audience (or resource) is required: the identifier of the API the token is for');
  return target;
}

export function registerTokenEndpoint(app: FastifyInstance, deps: TokenEndpointDeps): void {
  const { registry, engine, issuer } = deps;
  /** What a private_key_jwt assertion's `aud` may be: the issuer (Auth0 adds a slash) or the token endpoint. */
  const assertionAudiences = [issuer, `${issuer}/`, `${issuer}/oauth/token`, `${issuer}/oauth2/token`];

  /** Checks what the authenticated client asks for against its grant. */
  function authorise(client: ClientEntry, params: TokenParameters): Authorised {
    const snapshot = registry.snapshot;
    if (!client.allowsClientCredentials) throw unauthorizedClient("Grant type 'client_credentials' not allowed for the client.");
    const audience = audienceOf(params);
    const api = snapshot.apis.get(audience);
    if (!api) throw accessDenied(`Service not found: ${audience}`);
    const grant = snapshot.grants.get(client.clientId)?.get(audience);
    if (!grant) throw accessDenied(`Client "${client.clientId}" is not authorized to access resource server "${audience}"`);
    const organization = organizationFor(snapshot, client, grant, params.organization);
    if (params.scope === undefined) return { client, api, grant, organization, requestedScopes: [], scope: grant.scopeString };
    const requestedScopes = parseScope(params.scope);
    const missing = requestedScopes.filter((s) => !grant.scopeSet.has(s));
    if (missing.length > 0) throw new OAuthError('invalid_scope', 403, `Client has not been granted scopes: ${missing.join(' ')}`);
    return { client, api, grant, organization, requestedScopes, scope: requestedScopes.length ? requestedScopes.join(' ') : grant.scopeString };
  }

  function logRecord(request: FastifyRequest, type: 'seccft' | 'feccft', description: string, fields: Partial<LogRecord>): SerializedLogRecord {
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

  /** What a failed request had got to, for its `feccft` record (set before the error is sent). */
  const failures = new WeakMap<FastifyRequest, { params?: TokenParameters; client?: ClientEntry; execution?: Execution }>();

  function fail(
    request: FastifyRequest,
    reply: FastifyReply,
    error: unknown,
    params?: TokenParameters,
    client?: ClientEntry,
    execution?: Execution,
  ): void {
    failures.set(request, { params, client, execution });
    reply.send(error);
  }

  /**
   * Every failed token request leaves a `feccft` record — also the ones Fastify refuses before the handler runs
   * (bad JSON, wrong content type, body too large).
   */
  function logFailure(request: FastifyRequest, reply: FastifyReply, error: Error, done: () => void): void {
    const oauth = asOAuthError(error);
    const { params, client, execution } = failures.get(request) ?? {};
    deps.metrics?.tokenFailed(oauth.error);
    deps.metrics?.answered(reply.elapsedTime);
    deps.logs.push(
      logRecord(request, 'feccft', oauth.message, {
        client_id: client?.clientId ?? params?.client_id ?? null,
        client_name: client?.name ?? null,
        audience: params?.audience ?? params?.resource ?? null,
        scope: params?.scope ?? null,
        execution_id: execution?.id ?? null,
        execution: execution?.record ?? null,
        details: { error: oauth.error, status: oauth.status },
      }),
    );
    done();
  }

  function issue(request: FastifyRequest, reply: FastifyReply, auth: Authorised, scope: string, custom?: Record<string, unknown>, execution?: Execution): void {
    const signer = registry.snapshot.keys.signers.get(auth.api.alg);
    if (!signer) throw new Error(`no current signing key for ${auth.api.alg}`);
    const claims = buildAccessTokenClaims({
      issuer,
      clientId: auth.client.clientId,
      api: auth.api,
      scope,
      custom,
      now: Math.floor(Date.now() / 1000),
      jti: randomUUID(),
      ...(auth.organization && { organization: auth.organization }),
    });
    const token = signer.sign(claims, auth.api.dialect === 'auth0' ? 'JWT' : 'at+jwt');
    deps.logs.push(
      logRecord(request, 'seccft', 'Client Credentials for Access Token', {
        client_id: auth.client.clientId,
        client_name: auth.client.name,
        audience: auth.api.identifier,
        scope,
        execution_id: execution?.id ?? null,
        execution: execution?.record ?? null,
        details: auth.organization
          ? { kid: signer.kid, jti: claims.jti, organization_id: auth.organization.id, organization_name: auth.organization.name }
          : { kid: signer.kid, jti: claims.jti },
      }),
    );
    if (deps.metrics) {
      deps.metrics.tokenIssued();
      deps.metrics.answered(reply.elapsedTime);
    }
    if (auth.quotas !== undefined) {
      const now = Date.now();
      for (const quota of auth.quotas) {
        deps.quotas.count(quota.key, now);
        reply.header(quota.headerName, quota.header);
      }
    }
    reply
      .headers(SUCCESS_HEADERS)
      .send(JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: auth.api.tokenLifetime, scope }));
  }

  function triggerRequest(request: FastifyRequest, auth: Authorised): TriggerRequest {
    const language = request.headers['accept-language'];
    return {
      client: { client_id: auth.client.clientId, name: auth.client.name, metadata: auth.client.metadata },
      audience: auth.api.identifier,
      requestedScopes: auth.requestedScopes,
      grantedScopes: auth.grant.scopes as string[],
      scopes: auth.scope ? auth.scope.split(' ') : [],
      request: {
        ip: request.ip,
        hostname: request.hostname,
        method: request.method,
        body: redactedBody(request.body),
        ...(language && { language: language.split(',')[0]!.trim() }),
        ...(request.headers['user-agent'] && { user_agent: request.headers['user-agent'] }),
      },
      issuer,
      tenantId: deps.tenantId,
      ...(auth.organization && { organization: auth.organization }),
    };
  }

  function afterTriggers(request: FastifyRequest, reply: FastifyReply, params: TokenParameters, auth: Authorised, result: ChainResult): void {
    const execution: Execution = {
      id: newLogId(),
      record: { trigger_id: result.results[0]?.trigger_id ?? 'credentials-exchange', status: 'final', results: result.results },
    };
    if (deps.metrics) for (const action of result.results) deps.metrics.actionRan(action.trigger_id, action.status);
    try {
      const error = chainError(result);
      if (error) return fail(request, reply, error, params, auth.client, execution);
      issue(request, reply, auth, result.scopes.join(' '), result.claims, execution);
    } catch (error) {
      fail(request, reply, error, params, auth.client, execution);
    }
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
    let params: TokenParameters | undefined;
    try {
      params = readTokenParameters(request.body);
      if (params.grant_type === undefined) throw invalidRequest('grant_type is required');
      if (params.grant_type !== 'client_credentials') {
        throw unsupportedGrantType(`Grant type "${params.grant_type}" is not supported; use client_credentials`);
      }
      if (sendsAssertion(params)) {
        // private_key_jwt: the one authentication that awaits (signature verification).
        const p = params;
        const hasBasic = basicCredentials(request.headers.authorization) !== undefined;
        authenticateAssertion(registry.snapshot, p, hasBasic, assertionAudiences, deps.replay).then(
          (client) => grant(request, reply, p, client),
          // The record names the client the assertion claims to be, when the request did not say.
          (error: unknown) => fail(request, reply, error, { ...p, client_id: p.client_id ?? claimedClientId(p.client_assertion) }),
        );
        return;
      }
      grant(request, reply, params, authenticateClient(registry.snapshot, params, request.headers.authorization).client);
    } catch (error) {
      fail(request, reply, error, params);
    }
  }

  /** The authenticated client's request: grant checks, triggers, token. */
  function grant(request: FastifyRequest, reply: FastifyReply, params: TokenParameters, client: ClientEntry): void {
    try {
      const auth = authorise(client, params);
      const quotas = applicableQuotas(registry.snapshot, auth);
      if (quotas.length === 0) return proceed(request, reply, params, auth);
      const now = Date.now();
      const usages = quotas.map((quota) => deps.quotas.usage(quota.key, now));
      if (usages.some((usage) => usage instanceof Promise)) {
        Promise.all(usages).then(
          (counted) => withinQuotas(request, reply, params, auth, quotas, counted, now),
          (error: unknown) => fail(request, reply, error, params, client),
        );
        return;
      }
      withinQuotas(request, reply, params, auth, quotas, usages as QuotaUsage[], now);
    } catch (error) {
      fail(request, reply, error, params, client);
    }
  }

  /** Checks each quota the request is under; the first one used up answers (429, or only reported when not enforced). */
  function withinQuotas(
    request: FastifyRequest,
    reply: FastifyReply,
    params: TokenParameters,
    auth: Authorised,
    quotas: readonly ApplicableQuota[],
    usages: QuotaUsage[],
    now: number,
  ): void {
    const checked: CheckedQuota[] = [];
    for (const [i, quota] of quotas.entries()) {
      const result = checkQuota(quota.quota, usages[i]!, now, quota.subject);
      if ('error' in result) return fail(request, reply, result.error, params, auth.client);
      checked.push({ key: quota.key, headerName: quotaHeaderName(quota.subject), header: result.header });
    }
    auth.quotas = checked;
    proceed(request, reply, params, auth);
  }

  /** Triggers (if any are bound), then the token. */
  function proceed(request: FastifyRequest, reply: FastifyReply, params: TokenParameters, auth: Authorised): void {
    try {
      // The management API's tokens never pass through triggers, so a broken trigger cannot lock admins out.
      if (engine?.hasBindings && !auth.api.isSystem) {
        engine.run(triggerRequest(request, auth)).then(
          (result) => afterTriggers(request, reply, params, auth, result),
          (error: unknown) => fail(request, reply, error, params, auth.client),
        );
        return;
      }
      issue(request, reply, auth, auth.scope);
    } catch (error) {
      fail(request, reply, error, params, auth.client);
    }
  }

  for (const url of ['/oauth/token', '/oauth2/token']) {
    app.post(url, { bodyLimit: 16 * 1024, onError: logFailure }, handler);
  }
}
