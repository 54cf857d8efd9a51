/**
 * The bodies Minter reads: form-encoded (RFC 6749 §4.4.2's token request) and JSON (the token endpoint accepts it as
 * Auth0 does; the management API speaks nothing else). Registered on the root instance, before any route plugin, so
 * that every plugin inherits them.
 */
import formbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';

export async function registerBodyParsers(app: FastifyInstance): Promise<void> {
  await app.register(formbody);
  // Auth0's SDKs send `Content-Type: application/json` with no body on DELETE and POST …/rotate-secret: an empty
  // JSON body is no body, not an error. Anything else goes through Fastify's own (prototype-poisoning safe) parser.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    if (text.trim() === '') return done(null, undefined);
    parseJson(request, text, done);
  });
}
