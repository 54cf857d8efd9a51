/**
 * Authorization server metadata (RFC 8414) at `/.well-known/oauth-authorization-server`, and the same document at
 * `/.well-known/openid-configuration` for libraries that only know OpenID discovery. Minter has no authorization
 * endpoint (client credentials only), so `response_types_supported` is empty.
 */
import type { FastifyInstance } from 'fastify';
import { SIGNING_ALGORITHMS } from '../keys/algorithms.js';
import { ASSERTION_ALGS } from '../crypto/assertion-algorithms.js';

export function discoveryDocument(issuer: string) {
  return {
    issuer,
    token_endpoint: `${issuer}/oauth/token`,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    grant_types_supported: ['client_credentials'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: [...ASSERTION_ALGS],
    response_types_supported: [] as string[],
    scopes_supported: [] as string[],
    // Algorithms access tokens may be signed with (per API).
    token_signing_alg_values_supported: [...SIGNING_ALGORITHMS],
    resource_parameter_supported: true,
    service_documentation: `${issuer}/api/v2/openapi.json`,
  };
}

export function registerDiscovery(app: FastifyInstance, issuer: string): void {
  const body = JSON.stringify(discoveryDocument(issuer));
  const headers = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'public, max-age=3600' };
  for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']) {
    app.get(path, (_request, reply) => {
      reply.headers(headers).send(body);
    });
  }
}
