/**
 * The grant's step 6: the access token, signed with the API's current key for its algorithm. Its claims are a pure
 * function of the context (claims.ts); its profile decides the `typ` (RFC 9068 §2.1 `at+jwt`, Auth0's `JWT`).
 */
import { randomUUID } from 'node:crypto';
import type { Snapshot } from '../../registry/snapshot.js';
import { buildAccessTokenClaims } from '../claims.js';
import type { Authorised, Issued } from '../token-context.js';

/** Signs the token; throws when the API's algorithm has no current key (a 500: a configuration fault). */
export function issue(ctx: Authorised, snapshot: Snapshot, issuer: string): Issued {
  const { api } = ctx;
  const signer = snapshot.keys.signers.get(api.alg);
  if (!signer) throw new Error(`no current signing key for ${api.alg}`);
  const jti = randomUUID();
  const claims = buildAccessTokenClaims({
    issuer,
    clientId: ctx.client.clientId,
    api,
    scope: ctx.scope,
    custom: ctx.custom,
    now: Math.floor(Date.now() / 1000),
    jti,
    ...(ctx.organization && { organization: ctx.organization }),
  });
  const issued = ctx as Issued;
  issued.token = signer.sign(claims, api.profile === 'auth0' ? 'JWT' : 'at+jwt');
  issued.kid = signer.kid;
  issued.jti = jti;
  return issued;
}
