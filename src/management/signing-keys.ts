/**
 * `/api/v2/keys/signing`: list, rotate and revoke the token signing keys (Auth0's paths). The lifecycle's refusals
 * (keys/key-errors.ts) become management answers here, and only here.
 */
import type { FastifyInstance } from 'fastify';
import { Conflict, NotFound, type ManagementError } from '../errors.js';
import { isSigningAlg, SIGNING_ALGORITHMS } from '../keys/algorithms.js';
import { KeyError, type KeyErrorCode } from '../keys/key-errors.js';
import { revokeSigningKey, rotateSigningKeys } from '../keys/key-rotation.js';
import type { Registry } from '../registry/registry.js';
import { listResourceServers } from '../store/resource-servers.js';
import { findSigningKey, listSigningKeys, type SigningKeyRow } from '../store/signing-keys.js';
import { idParam } from './schemas.js';

/** The answer to each refusal of the key lifecycle: its status and Auth0-style code, with the lifecycle's text. */
const KEY_ANSWERS: { readonly [C in KeyErrorCode]: (message: string) => ManagementError } = {
  key_not_found: (message) => new NotFound(message),
  already_revoked: (message) => new Conflict(message, { errorCode: 'already_revoked' }),
  rotation_too_early: (message) => new Conflict(message, { errorCode: 'too_early' }),
};

/** A lifecycle refusal as the management error it is answered with; any other error as it is. */
function answerFor(error: unknown): unknown {
  return error instanceof KeyError ? KEY_ANSWERS[error.code](error.message) : error;
}

export function signingKeyView(row: SigningKeyRow) {
  return {
    kid: row.kid,
    alg: row.alg,
    status: row.status,
    current: row.status === 'current',
    next: row.status === 'next',
    previous: row.status === 'previous',
    revoked: row.status === 'revoked',
    thumbprint: row.thumbprint,
    public_jwk: row.public_jwk,
    created_at: row.created_at.toISOString(),
    current_since: row.current_since?.toISOString(),
    current_until: row.current_until?.toISOString(),
    published_until: row.publish_until?.toISOString(),
    revoked_at: row.revoked_at?.toISOString(),
  };
}

export function registerSigningKeyRoutes(app: FastifyInstance, registry: Registry): void {
  const { db, box } = registry;

  app.get('/keys/signing', { config: { scope: 'read:signing_keys' }, schema: { tags: ['keys'] } }, async () =>
    (await listSigningKeys(db)).filter((r) => r.status !== 'expired').map(signingKeyView),
  );

  app.get<{ Params: { kid: string } }>(
    '/keys/signing/:kid',
    { config: { scope: 'read:signing_keys' }, schema: { tags: ['keys'], params: idParam('kid') } },
    async (request) => {
      const row = await findSigningKey(db, request.params.kid);
      if (!row) throw new NotFound(`The signing key ${request.params.kid} does not exist`);
      return signingKeyView(row);
    },
  );

  app.post<{ Querystring: { alg?: string; force?: boolean } }>(
    '/keys/signing/rotate',
    {
      config: { scope: 'create:signing_keys' },
      schema: {
        tags: ['keys'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { alg: { type: 'string', enum: SIGNING_ALGORITHMS }, force: { type: 'boolean', default: false } },
        },
      },
    },
    async (request, reply) => {
      const lifetimes = (await listResourceServers(db)).map((r) => r.token_lifetime);
      const alg = request.query.alg;
      await rotateSigningKeys(db, box, {
        maxTokenLifetimeSeconds: Math.max(86400, ...lifetimes),
        ...(isSigningAlg(alg) && { alg }),
        force: request.query.force ?? false,
      }).catch((error: unknown) => {
        throw answerFor(error);
      });
      await registry.changed();
      const rows = await listSigningKeys(db);
      return reply.code(201).send({ keys: rows.filter((r) => r.status === 'current').map(signingKeyView) });
    },
  );

  app.put<{ Params: { kid: string } }>(
    '/keys/signing/:kid/revoke',
    { config: { scope: 'update:signing_keys' }, schema: { tags: ['keys'], params: idParam('kid') } },
    async (request) => {
      const row = await revokeSigningKey(db, box, request.params.kid).catch((error: unknown) => {
        throw answerFor(error);
      });
      await registry.changed();
      return signingKeyView(row);
    },
  );
}
