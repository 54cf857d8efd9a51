/**
 * Client authentication at the token endpoint with a secret: `client_secret_basic` (RFC 6749 §2.3.1, HTTP Basic with
 * form-urlencoded id and secret) and `client_secret_post`. Exactly one method per request; `private_key_jwt` is
 * client-assertion.ts. A client whose `token_endpoint_auth_method` is `private_key_jwt` has no usable secret.
 */
import { NO_SECRET_DIGEST, verifyClientSecret } from '../crypto/client-secret.js';
import { InvalidClient, InvalidRequest } from '../errors.js';
import type { ClientEntry, Snapshot } from '../registry/snapshot.js';
import type { TokenParameters } from './token-parameters.js';

/** Why secret authentication failed, for the log record only: the client gets one answer for all three. */
const UNKNOWN_CLIENT = 'unknown client_id';
const WRONG_SECRET = 'wrong client_secret';
const KEYS_ONLY = 'the client authenticates with private_key_jwt (token_endpoint_auth_method); it has no secret';

export interface AuthenticatedClient {
  client: ClientEntry;
  method: 'client_secret_basic' | 'client_secret_post';
}

function formDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}

/** Parses `Authorization: Basic …`; undefined when the header is absent or another scheme. */
export function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  if (!header || header.length < 6 || header.slice(0, 6).toLowerCase() !== 'basic ') return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw new InvalidClient('The Basic credentials are malformed', { basic: true });
  return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
}

/** Identifies and authenticates the caller; throws `invalid_client` (401) or `invalid_request`. */
export function authenticateClient(
  snapshot: Snapshot,
  params: TokenParameters,
  authorization: string | undefined,
): AuthenticatedClient {
  const basic = basicCredentials(authorization);
  let id: string;
  let secret: string;
  let method: AuthenticatedClient['method'];
  if (basic) {
    if (params.client_secret !== undefined) {
      throw new InvalidRequest('Use one client authentication method: Basic or client_secret in the body, not both');
    }
    if (params.client_id !== undefined && params.client_id !== basic.id) {
      throw new InvalidClient('client_id in the body does not match the Basic credentials', { basic: true });
    }
    ({ id, secret } = basic);
    method = 'client_secret_basic';
  } else {
    if (params.client_id === undefined)
      throw new InvalidClient('Client authentication is required (client_id and client_secret, or HTTP Basic)');
    if (params.client_secret === undefined) throw new InvalidClient('client_secret is required');
    id = params.client_id;
    secret = params.client_secret;
    method = 'client_secret_post';
  }
  const client = snapshot.clients.get(id);
  // The same answer after the same work for an unknown client, a client without a secret and a wrong secret: the
  // presented secret is always hashed and compared, so that neither the answer nor its time tells which ids exist.
  const usable = client !== undefined && client.acceptsSecret;
  const matches = verifyClientSecret(secret, usable ? client.secretDigest : NO_SECRET_DIGEST);
  if (!matches || !usable) {
    const reason = client === undefined ? UNKNOWN_CLIENT : usable ? WRONG_SECRET : KEYS_ONLY;
    throw new InvalidClient('Client authentication failed', { basic: basic !== undefined, reason });
  }
  return { client, method };
}
