/**
 * One token request on its way through the grant: each step writes what it established here, and the answer and a
 * failure's log record read it from here. The token endpoint creates one per request, with every field present from
 * the start (one object shape), and keeps it on the request (`request.tokenContext`) for the `onError` hook that
 * records failures.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiEntry, ClientEntry, GrantEntry, OrganizationEntry } from '../registry/snapshot.js';
import type { LogRecord } from '../store/logs.js';
import type { TokenParameters } from './token-parameters.js';

/** A trigger chain's execution record, kept with the request's log record. */
export interface Execution {
  id: string;
  record: NonNullable<LogRecord['execution']>;
}

/** A quota the request is under, checked: the counter its token is counted in, and the header that reports it. */
export interface CheckedQuota {
  key: string;
  headerName: string;
  header: string;
}

/** A token request and what its steps have established so far; each field is set by the step named in its note. */
export interface TokenContext {
  readonly request: FastifyRequest;
  /** Where the endpoint answers; the grant's steps never write to it. */
  readonly reply: FastifyReply;
  /** The parameters as sent (the grant's first step). */
  params: TokenParameters | undefined;
  /** The client a failed `private_key_jwt` assertion claims to be (authenticate), for the failure's record only. */
  claimedClientId: string | undefined;
  /** The authenticated client (authenticate). */
  client: ClientEntry | undefined;
  /** The API the token is for and the client's grant for it (authorise). */
  api: ApiEntry | undefined;
  grant: GrantEntry | undefined;
  /** The organization the request is bound to, checked against the grant (authorise). */
  organization: OrganizationEntry | undefined;
  /** Scopes named in the request's `scope` parameter (authorise). */
  requestedScopes: string[];
  /** The token's scopes, space-separated: the authorised ones (authorise), then the chain's (triggers). */
  scope: string;
  /** The quotas the request is under, when it is under any (quota); the token is counted when issued. */
  quotas: CheckedQuota[] | undefined;
  /** The trigger chain's record and the claims it adds (triggers). */
  execution: Execution | undefined;
  custom: Record<string, unknown> | undefined;
  /** The signed token, its signing key's `kid` and its `jti` (issue). */
  token: string | undefined;
  kid: string | undefined;
  jti: string | undefined;
}

/** After the first step: the parameters are read. */
export interface Parsed extends TokenContext {
  params: TokenParameters;
}

/** After authenticate: the client is known. */
export interface Authenticated extends Parsed {
  client: ClientEntry;
}

/** After authorise: the API and the grant are known, and the scopes checked against it. */
export interface Authorised extends Authenticated {
  api: ApiEntry;
  grant: GrantEntry;
}

/** After issue: the token is signed. */
export interface Issued extends Authorised {
  token: string;
  kid: string;
  jti: string;
}

const NO_SCOPES: string[] = [];

/** A new request's context: nothing established yet. */
export function newTokenContext(request: FastifyRequest, reply: FastifyReply): TokenContext {
  return {
    request,
    reply,
    params: undefined,
    claimedClientId: undefined,
    client: undefined,
    api: undefined,
    grant: undefined,
    organization: undefined,
    requestedScopes: NO_SCOPES,
    scope: '',
    quotas: undefined,
    execution: undefined,
    custom: undefined,
    token: undefined,
    kid: undefined,
    jti: undefined,
  };
}
