/**
 * `/.well-known/jwks.json`: current, next and still-needed previous keys. Verifiers may cache it for
 * {@link JWKS_MAX_AGE_SECONDS}; a rotation only promotes a key that has been published at least that long, so a
 * cached copy always holds the key a new token names. ETag / If-None-Match make revalidation cheap.
 */
import type { FastifyInstance } from 'fastify';
import { JWKS_MAX_AGE_SECONDS } from '../keys/key-rotation.js';
import type { SnapshotSource } from '../registry/snapshot.js';

/** RFC 9110 §13.1.2: `*`, or a list of entity tags compared weakly (a `W/` prefix is ignored). */
function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((candidate) => {
    const tag = candidate.trim();
    return tag === '*' || tag.replace(/^W\//, '') === etag;
  });
}

export function registerJwks(app: FastifyInstance, registry: SnapshotSource): void {
  app.get('/.well-known/jwks.json', (request, reply) => {
    const keys = registry.snapshot.keys;
    reply.headers({
      'content-type': 'application/jwk-set+json; charset=utf-8',
      'cache-control': `public, max-age=${JWKS_MAX_AGE_SECONDS}`,
      etag: keys.jwksEtag,
      'last-modified': keys.lastModified.toUTCString(),
    });
    if (etagMatches(request.headers['if-none-match'], keys.jwksEtag)) return reply.code(304).send();
    return reply.send(keys.jwksBody);
  });
}
