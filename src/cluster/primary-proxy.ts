/**
 * Everything a token worker does not answer itself — the management APIs, the dashboard, `/health`, `/metrics`,
 * unknown paths — is passed to the primary on its private socket (a Unix socket in a directory only Minter's user
 * can enter), body and answer streamed as they are. The client's address, host and scheme go along as
 * `X-Forwarded-*`, set here from what this worker decided (with `MINTER_TRUST_PROXY` applied), never taken from the
 * client; the primary trusts them because only its workers can reach the socket.
 */
import replyFrom from '@fastify/reply-from';
import type { FastifyPluginAsync } from 'fastify';
import { escape } from 'node:querystring';

export interface PrimaryProxyOptions {
  socketPath: string;
}

export const primaryProxy: FastifyPluginAsync<PrimaryProxyOptions> = async (app, { socketPath }) => {
  // The body is not parsed here: the primary parses and limits it, as it would on its own.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
  await app.register(replyFrom, {
    base: `unix+http://${escape(socketPath)}/`,
    // The primary logs its own requests' errors; two info lines per passed request would only be noise.
    disableRequestLogging: true,
    // Keep-alive connections to the primary; an answer may take as long as an action deploy.
    undici: { connections: 32, pipelining: 1, headersTimeout: 0, bodyTimeout: 0 },
  });
  app.all('/*', (request, reply) => {
    void reply.from(request.url, {
      rewriteRequestHeaders: (req, headers) => ({
        ...headers,
        'x-forwarded-for': req.ip,
        'x-forwarded-host': req.host,
        'x-forwarded-proto': req.protocol,
      }),
    });
  });
};
