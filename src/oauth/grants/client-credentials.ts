/**
 * The client credentials grant (RFC 6749 §4.4), top to bottom:
 *
 *   1. parameters   the request's parameters, and its grant type (token-parameters.ts)
 *   2. authenticate who is asking: a secret, or a private_key_jwt assertion (authenticate.ts)
 *   3. authorise    the API, the client's grant for it, the organization, the scopes (authorise.ts)
 *   4. quota        the token quotas the request is under (quota.ts)
 *   5. triggers     the bound Actions or workflows: deny, add claims, change scopes (triggers.ts)
 *   6. issue        sign the token, leave its log record, count it under its quotas (issue.ts, token-log.ts)
 *
 * Each step records what it established on the request's {@link TokenContext} and returns it, or a promise of it
 * when it must wait: a private_key_jwt assertion, a quota counted in Redis, a bound trigger. Every other request runs
 * all six steps in the turn it arrived in, with no promise made. A step that throws (or rejects) ends the request:
 * the endpoint answers with the error and records what the context had reached. Only the in-memory snapshot is
 * read, never the database.
 */
import type { RecordSink } from '../../observability/batch-writer.js';
import type { Metrics } from '../../observability/metrics.js';
import type { SnapshotSource } from '../../registry/snapshot.js';
import type { SerializedLogRecord } from '../../store/logs.js';
import type { TriggerEngine } from '../../triggers/contract.js';
import { InvalidRequest, UnsupportedGrantType } from '../../errors.js';
import type { ReplayGuard } from '../assertion-replay.js';
import type { Authenticated, Authorised, Issued, Parsed, TokenContext } from '../token-context.js';
import { issuedRecord } from '../token-log.js';
import { readTokenParameters } from '../token-parameters.js';
import type { QuotaCounter } from '../token-quota.js';
import { authenticate, type AssertionChecks } from './authenticate.js';
import { authorise } from './authorise.js';
import { issue } from './issue.js';
import { countToken, quota } from './quota.js';
import { triggers, type TriggerSite } from './triggers.js';

export interface ClientCredentialsDeps {
  issuer: string;
  tenantId: string;
  registry: SnapshotSource;
  engine?: TriggerEngine;
  logs: RecordSink<SerializedLogRecord>;
  /** Where tokens of clients with a quota are counted. */
  quotas: QuotaCounter;
  /** Where used private_key_jwt assertion ids are remembered. */
  replay: ReplayGuard;
  /** Prometheus counters, when served (MINTER_METRICS). */
  metrics?: Metrics;
}

/** How the grant ends a request: the endpoint answers on the wire. */
export interface GrantAnswer {
  issued(ctx: Issued): void;
  failed(ctx: TokenContext, error: unknown): void;
}

/** Step 1: the parameters, and the one grant type this endpoint serves. */
function parameters(ctx: TokenContext): Parsed {
  const params = readTokenParameters(ctx.request.body);
  ctx.params = params;
  if (params.grant_type === undefined) throw new InvalidRequest('grant_type is required');
  if (params.grant_type !== 'client_credentials') {
    throw new UnsupportedGrantType(`Grant type "${params.grant_type}" is not supported; use client_credentials`);
  }
  return ctx as Parsed;
}

/**
 * The grant, wired once to its dependencies. The steps after a wait are methods bound once (arrow fields), so a
 * request that waits allocates only its failure callback, and one that does not allocates no callback at all.
 */
export class ClientCredentialsGrant {
  readonly #deps: ClientCredentialsDeps;
  readonly #answer: GrantAnswer;
  readonly #assertions: AssertionChecks;
  readonly #site: TriggerSite;

  constructor(deps: ClientCredentialsDeps, answer: GrantAnswer) {
    const { issuer } = deps;
    this.#deps = deps;
    this.#answer = answer;
    this.#assertions = {
      audiences: [issuer, `${issuer}/`, `${issuer}/oauth/token`, `${issuer}/oauth2/token`],
      replay: deps.replay,
    };
    this.#site = { issuer, tenantId: deps.tenantId, engine: deps.engine, metrics: deps.metrics };
  }

  /** Steps 1 and 2: a new request. */
  handle(ctx: TokenContext): void {
    try {
      const authenticated = authenticate(parameters(ctx), this.#deps.registry.snapshot, this.#assertions);
      if (authenticated instanceof Promise)
        return void authenticated.then(this.#authenticated, (error: unknown) => this.#answer.failed(ctx, error));
      this.#authenticated(authenticated);
    } catch (error) {
      this.#answer.failed(ctx, error);
    }
  }

  /** Steps 3 and 4: what the client may have, and whether its quotas allow another token. */
  readonly #authenticated = (ctx: Authenticated): void => {
    try {
      const snapshot = this.#deps.registry.snapshot;
      const checked = quota(authorise(ctx, snapshot), snapshot, this.#deps.quotas);
      if (checked instanceof Promise)
        return void checked.then(this.#withinQuota, (error: unknown) => this.#answer.failed(ctx, error));
      this.#withinQuota(checked);
    } catch (error) {
      this.#answer.failed(ctx, error);
    }
  };

  /** Step 5: the bound triggers. */
  readonly #withinQuota = (ctx: Authorised): void => {
    try {
      const triggered = triggers(ctx, this.#site);
      if (triggered instanceof Promise)
        return void triggered.then(this.#issue, (error: unknown) => this.#answer.failed(ctx, error));
      this.#issue(triggered);
    } catch (error) {
      this.#answer.failed(ctx, error);
    }
  };

  /** Step 6: the token, its record and its count; then the endpoint answers. */
  readonly #issue = (ctx: Authorised): void => {
    try {
      const issued = issue(ctx, this.#deps.registry.snapshot, this.#deps.issuer);
      this.#deps.logs.push(issuedRecord(issued));
      countToken(issued, this.#deps.quotas);
      this.#answer.issued(issued);
    } catch (error) {
      this.#answer.failed(ctx, error);
    }
  };
}
