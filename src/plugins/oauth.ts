/**
 * The OAuth side of Minter: discovery (RFC 8414), the JWKS (RFC 7517) and the token endpoint (RFC 6749 §4.4, the
 * client credentials grant). Its resources (registry, engine, log writer, shared counters) are opened and closed by
 * their own modules and handed in.
 */
import type { FastifyPluginAsync } from 'fastify';
import { registerDiscovery } from '../oauth/discovery.js';
import { registerJwks } from '../oauth/jwks.js';
import { registerTokenEndpoint, type TokenEndpointDeps } from '../oauth/token-endpoint.js';

export const oauthPlugin: FastifyPluginAsync<TokenEndpointDeps> = async (app, options) => {
  registerDiscovery(app, options.issuer);
  registerJwks(app, options.registry);
  registerTokenEndpoint(app, options);
};
