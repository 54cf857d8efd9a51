/**
 * Guards `/api/v2`: a Bearer token from Minter's own token endpoint for the management audience, verified against
 * the in-memory public keys, carrying the scope each route names in its `config.scope`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { Forbidden, Unauthorized } from '../errors.js';
import { SIGNING_ALGORITHMS } from '../keys/algorithms.js';
import type { Registry } from '../registry/registry.js';
import { managementAudience, type ManagementScope } from './scopes.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Scope the caller's token must carry; a management route declares one or `public` (route-scopes.ts). */
    scope?: ManagementScope;
    /** Served without a token (the OpenAPI document). */
    public?: true;
    /**
     * A type Minter does not have (unserved.ts): any management token may ask, and hears what an empty tenant
     * answers. The token is verified; no scope is needed, since there is nothing to read or change.
     */
    unserved?: true;
  }
  interface FastifyRequest {
    /** Claims of the verified management token. */
    management?: JWTPayload;
  }
}

/**
 * The claims of the Bearer token in `header`, verified as one of Minter's own tokens for `audience` (signed by a key
 * the snapshot publishes, from `issuer`, not expired); `Unauthorized` otherwise. The Kinde API (`/api/v1`) checks
 * its tokens with this too.
 */
export async function verifyBearerToken(
  registry: Registry,
  header: string | undefined,
  expected: { issuer: string; audience: string },
): Promise<JWTPayload> {
  if (!header || !/^bearer /i.test(header)) throw new Unauthorized('Missing Bearer token in the Authorization header');
  const getKey = (protectedHeader: { kid?: string }) => {
    const kid = protectedHeader.kid;
    const entry = kid ? registry.snapshot.keys.publicKeys.get(kid) : undefined;
    if (!entry) {
      throw new Unauthorized('The token was not signed by a key this server publishes', {
        reason: kid ? `unknown kid ${kid.slice(0, 100)}` : 'the token names no kid',
      });
    }
    return entry.key;
  };
  try {
    const { payload } = await jwtVerify(header.slice(7).trim(), getKey, {
      issuer: expected.issuer,
      audience: expected.audience,
      algorithms: [...SIGNING_ALGORITHMS],
    });
    return payload;
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) throw new Unauthorized('The token has expired');
    if (error instanceof joseErrors.JOSEError) throw new Unauthorized(`Invalid token: ${error.message}`);
    throw error;
  }
}

export function registerManagementAuthorization(app: FastifyInstance, registry: Registry, issuer: string): void {
  const audience = managementAudience(issuer);
  app.addHook('onRequest', async (request: FastifyRequest) => {
    const needed = request.routeOptions.config?.scope;
    if (!needed && request.routeOptions.config?.unserved !== true) return;
    const payload = await verifyBearerToken(registry, request.headers.authorization, { issuer, audience });
    const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
    if (needed && !scopes.includes(needed)) throw new Forbidden(`Insufficient scope, expected: ${needed}`);
    request.management = payload;
  });
}
