/**
 * Every management route says who may call it: the scope its token must carry (`config.scope`, checked by
 * authorization.ts) or, for the few served without a token, `config.public` (or, for the types Minter does not have,
 * `config.unserved`: any valid token). A route that says neither would be
 * open to anyone by omission, so it is refused when it is registered: the server does not start.
 */
import type { FastifyInstance, RouteOptions } from 'fastify';

/** Thrown at start-up for a management route that declares neither a scope nor `public`. */
export class UnscopedRouteError extends Error {
  constructor(readonly route: string) {
    super(
      `Management route ${route} declares no scope: ` +
        'give it config.scope (or config.public: true, served without a token)',
    );
    this.name = 'UnscopedRouteError';
  }
}

/** From now on, `app` (and the plugins it registers) refuses a route declaring neither `config.scope` nor `public`. */
export function requireRouteScopes(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    const config = route.config;
    if (config?.scope !== undefined || config?.public === true || config?.unserved === true) return;
    const methods = Array.isArray(route.method) ? route.method.join(',') : route.method;
    throw new UnscopedRouteError(`${methods} ${route.url}`);
  });
}
