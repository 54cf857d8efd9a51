/**
 * Guards `/api/v1`: a Bearer token from Minter's own token endpoint for the audience `<issuer>/api`, carrying the
 * Kinde scope its route names in `config.kindeScope`. A route that names none is refused when it is registered (the
 * server does not start), so no route is open by omission.
 */
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import { Forbidden } from '../errors.js';
import { verifyBearerToken } from '../management/authorization.js';
import type { Registry } from '../registry/registry.js';
import { kindeAudience, type KindeScope } from './scopes.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Scope the caller's token must carry on a Kinde API route (`/api/v1`). */
    kindeScope?: KindeScope;
  }
}

/** Thrown at start-up for a Kinde API route that names no scope. */
export class UnscopedKindeRouteError extends Error {
  constructor(readonly route: string) {
    super(`Kinde API route ${route} declares no scope: give it config.kindeScope`);
    this.name = 'UnscopedKindeRouteError';
  }
}

export function registerKindeAuthorization(app: FastifyInstance, registry: Registry, issuer: string): void {
  const audience = kindeAudience(issuer);
  app.addHook('onRoute', (route: RouteOptions) => {
    if (route.config?.kindeScope !== undefined) return;
    const methods = Array.isArray(route.method) ? route.method.join(',') : route.method;
    throw new UnscopedKindeRouteError(`${methods} ${route.url}`);
  });
  app.addHook('onRequest', async (request: FastifyRequest) => {
    const needed = request.routeOptions.config?.kindeScope;
    // Every route names one (onRoute above); none means no route matched, and the 404 answers without a token.
    if (!needed) return;
    const payload = await verifyBearerToken(registry, request.headers.authorization, { issuer, audience });
    const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
    if (!scopes.includes(needed)) throw new Forbidden(`Insufficient scope, expected: ${needed}`);
    request.management = payload;
  });
  // Kinde's client sends no body for an update with nothing in it (`requestBody` is optional): an empty object.
  app.addHook('preValidation', async (request) => {
    request.body ??= {};
  });
}
