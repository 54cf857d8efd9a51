/**
 * `/api/v2/clients/{id}/credentials`: the public keys a client signs its `private_key_jwt` assertions with, in
 * Auth0's shape (`credential_type: public_key`, RSA, `RS256` / `RS384` / `PS256`, at most two per client so that a
 * key can be rolled over). Only the public key is kept; a private key sent by mistake is refused, not stored.
 */
import { X509Certificate, createPublicKey, type KeyObject } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { BadRequest, Conflict, NotFound } from '../errors.js';
import { newClientCredentialId } from '../ids.js';
import { ASSERTION_ALGS, type AssertionAlg } from '../crypto/assertion-algorithms.js';
import type { Registry } from '../registry/registry.js';
import {
  addClientCredential,
  deleteClientCredential,
  findClientCredential,
  listClientCredentials,
  type ClientCredentialRow,
} from '../store/client-credentials.js';
import { mustFindClient } from './clients.js';
import { ID, idParam } from './schemas.js';

/** Auth0 keeps two per application, enough to roll a key over. */
export const MAX_CREDENTIALS_PER_CLIENT = 2;
const MIN_RSA_BITS = 2048;

export function credentialView(row: ClientCredentialRow) {
  return {
    id: row.id,
    name: row.name,
    credential_type: row.credential_type,
    kid: row.kid,
    alg: row.alg,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    expires_at: row.expires_at?.toISOString() ?? null,
  };
}

interface CredentialBody {
  credential_type: 'public_key';
  name?: string;
  pem: string;
  alg?: AssertionAlg;
  parse_expiry_from_cert?: boolean;
  expires_at?: string;
}

const credentialBody = {
  type: 'object',
  required: ['credential_type', 'pem'],
  additionalProperties: false,
  properties: {
    credential_type: { type: 'string', enum: ['public_key'] },
    name: { type: 'string', maxLength: 128 },
    pem: { type: 'string', minLength: 1, maxLength: 16_384 },
    alg: { type: 'string', enum: ASSERTION_ALGS },
    parse_expiry_from_cert: { type: 'boolean' },
    expires_at: { type: 'string', format: 'date-time' },
  },
} as const;

/** The public key in `pem` (a public key or an X.509 certificate) and, for a certificate, its end of validity. */
function readPublicKey(pem: string): { key: KeyObject; certificateExpiry?: Date } {
  if (/PRIVATE KEY-----/.test(pem)) {
    throw new BadRequest(
      'pem holds a private key: send the public key (or a certificate) only, and keep the private key to sign with',
    );
  }
  try {
    if (pem.includes('-----BEGIN CERTIFICATE-----')) {
      const certificate = new X509Certificate(pem);
      return { key: certificate.publicKey, certificateExpiry: new Date(certificate.validTo) };
    }
    return { key: createPublicKey(pem) };
  } catch {
    throw new BadRequest('pem is not a PEM public key or X.509 certificate');
  }
}

function checkRsa(key: KeyObject): void {
  if (key.asymmetricKeyType !== 'rsa') {
    throw new BadRequest(
      `The key is ${key.asymmetricKeyType ?? 'not asymmetric'}; private_key_jwt takes RSA keys (${ASSERTION_ALGS.join(', ')})`,
    );
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_BITS) throw new BadRequest(`The RSA key has ${bits} bits; at least ${MIN_RSA_BITS} are required`);
}

function expiryOf(body: CredentialBody, certificateExpiry: Date | undefined): Date | null {
  if (body.parse_expiry_from_cert) {
    if (body.expires_at !== undefined) throw new BadRequest('Send expires_at or parse_expiry_from_cert, not both');
    if (certificateExpiry === undefined)
      throw new BadRequest('parse_expiry_from_cert needs a certificate in pem, not a bare public key');
    if (certificateExpiry.getTime() <= Date.now())
      throw new BadRequest(`The certificate expired on ${certificateExpiry.toISOString()}`);
    return certificateExpiry;
  }
  if (body.expires_at === undefined) return null;
  const expiresAt = new Date(body.expires_at);
  if (expiresAt.getTime() <= Date.now()) throw new BadRequest('expires_at is in the past');
  return expiresAt;
}

export function registerClientCredentialRoutes(app: FastifyInstance, registry: Registry): void {
  const db = registry.db;
  const params = {
    type: 'object',
    required: ['id', 'credential_id'],
    properties: { id: ID, credential_id: { ...ID, maxLength: 64 } },
  } as const;

  app.get<{ Params: { id: string } }>(
    '/clients/:id/credentials',
    { config: { scope: 'read:client_credentials' }, schema: { tags: ['clients'], params: idParam('id') } },
    async (request) => {
      const client = await mustFindClient(db, request.params.id);
      return (await listClientCredentials(db, client.client_id)).map(credentialView);
    },
  );

  app.post<{ Params: { id: string }; Body: CredentialBody }>(
    '/clients/:id/credentials',
    {
      config: { scope: 'create:client_credentials' },
      schema: { tags: ['clients'], params: idParam('id'), body: credentialBody },
    },
    async (request, reply) => {
      const client = await mustFindClient(db, request.params.id);
      const { key, certificateExpiry } = readPublicKey(request.body.pem);
      checkRsa(key);
      const expiresAt = expiryOf(request.body, certificateExpiry);
      const kid = await calculateJwkThumbprint(key.export({ format: 'jwk' }) as JWK);
      const added = await addClientCredential(
        db,
        {
          id: newClientCredentialId(),
          client_id: client.client_id,
          name: request.body.name ?? '',
          credential_type: 'public_key',
          alg: request.body.alg ?? 'RS256',
          kid,
          pem: key.export({ type: 'spki', format: 'pem' }) as string,
          expires_at: expiresAt,
        },
        MAX_CREDENTIALS_PER_CLIENT,
      );
      if ('refused' in added) {
        if (added.refused === 'no_client') throw new NotFound(`The client ${request.params.id} does not exist`);
        if (added.refused === 'same_key')
          throw new Conflict(`The client ${client.client_id} already has a credential for this key (kid ${kid})`);
        throw new BadRequest(
          `A client has at most ${MAX_CREDENTIALS_PER_CLIENT} credentials: delete one before adding another`,
          { errorCode: 'too_many_credentials' },
        );
      }
      await registry.changed();
      return reply.code(201).send(credentialView(added.row));
    },
  );

  app.get<{ Params: { id: string; credential_id: string } }>(
    '/clients/:id/credentials/:credential_id',
    { config: { scope: 'read:client_credentials' }, schema: { tags: ['clients'], params } },
    async (request) => {
      const row = await findClientCredential(db, request.params.id, request.params.credential_id);
      if (!row) throw new NotFound(`The client ${request.params.id} has no credential ${request.params.credential_id}`);
      return credentialView(row);
    },
  );

  app.delete<{ Params: { id: string; credential_id: string } }>(
    '/clients/:id/credentials/:credential_id',
    { config: { scope: 'delete:client_credentials' }, schema: { tags: ['clients'], params } },
    async (request, reply) => {
      if (!(await deleteClientCredential(db, request.params.id, request.params.credential_id))) {
        throw new NotFound(`The client ${request.params.id} has no credential ${request.params.credential_id}`);
      }
      await registry.changed();
      return reply.code(204).send();
    },
  );
}
