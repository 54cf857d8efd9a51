/**
 * The grant's step 2: who is asking. A secret (`client_secret_basic` or `_post`, client-authentication.ts) is checked
 * in the turn; a `private_key_jwt` assertion (client-assertion.ts) is verified asynchronously, the one client
 * authentication that waits.
 */
import type { Snapshot } from '../../registry/snapshot.js';
import type { ReplayGuard } from '../assertion-replay.js';
import { authenticateAssertion, claimedClientId, sendsAssertion } from '../client-assertion.js';
import { authenticateClient, basicCredentials } from '../client-authentication.js';
import type { Authenticated, Parsed } from '../token-context.js';

/** What a `private_key_jwt` assertion is checked against. */
export interface AssertionChecks {
  /** What its `aud` may be: the issuer (Auth0 adds a slash) or the token endpoint. */
  audiences: string[];
  /** Where used assertion ids are remembered. */
  replay: ReplayGuard;
}

/**
 * Authenticates the request's client: the context with its client, or a promise of it for an assertion. Throws (or
 * rejects with) `invalid_client` or `invalid_request`.
 */
export function authenticate(
  ctx: Parsed,
  snapshot: Snapshot,
  assertions: AssertionChecks,
): Authenticated | Promise<Authenticated> {
  const { params } = ctx;
  const authorization = ctx.request.headers.authorization;
  if (sendsAssertion(params)) {
    const hasBasic = basicCredentials(authorization) !== undefined;
    return authenticateAssertion(snapshot, params, hasBasic, assertions.audiences, assertions.replay).then(
      (client) => {
        ctx.client = client;
        return ctx as Authenticated;
      },
      (error: unknown) => {
        // The failure's record names the client the assertion claims to be, when the request did not say.
        ctx.claimedClientId = claimedClientId(params.client_assertion);
        throw error;
      },
    );
  }
  try {
    ctx.client = authenticateClient(snapshot, params, authorization).client;
  } catch (error) {
    // The failure's record names the client the Basic credentials claim to be, when the body did not say.
    ctx.claimedClientId = basicClientId(authorization);
    throw error;
  }
  return ctx as Authenticated;
}

/** The client id of a Basic `Authorization` header, or undefined when there is none or it is malformed. */
function basicClientId(authorization: string | undefined): string | undefined {
  try {
    return basicCredentials(authorization)?.id;
  } catch {
    return undefined;
  }
}
