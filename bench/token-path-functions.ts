/**
 * The token path's small functions, one at a time, in this process: ns per call (median of 15 runs of a timed
 * loop after a warm-up). For before/after figures of a change to one of them; the whole server is `npm run bench`.
 *
 *   npm run build && node --no-node-snapshot dist/bench/token-path-functions.js
 */
import { randomBytes } from 'node:crypto';
import { hashClientSecret, digestBytes } from '../src/crypto/client-secret.js';
import { buildAccessTokenClaims, type ClaimsInput } from '../src/oauth/claims.js';
import { authenticateClient } from '../src/oauth/client-authentication.js';
import { redactedBody } from '../src/credential-parameters.js';
import { issuedRecord } from '../src/oauth/token-log.js';
import type { Issued } from '../src/oauth/token-context.js';
import { readTokenParameters } from '../src/oauth/token-parameters.js';
import type { ClientEntry, Snapshot } from '../src/registry/snapshot.js';

/** ns per call of `fn`: the median of 15 timed loops of `iterations` calls. */
function measure(name: string, iterations: number, fn: () => unknown): void {
  for (let i = 0; i < iterations; i++) fn();
  const runs: number[] = [];
  for (let r = 0; r < 15; r++) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) fn();
    runs.push(Number(process.hrtime.bigint() - started) / iterations);
  }
  runs.sort((a, b) => a - b);
  console.log(
    `${name.padEnd(58)} ${runs[7]!.toFixed(0).padStart(7)} ns  (min ${runs[0]!.toFixed(0)}, max ${runs[14]!.toFixed(0)})`,
  );
}

const secret = randomBytes(48).toString('base64url');
const clientId = 'Xq3uYH0aZ1pT8wKc5RmN2vB7dL4sF9eJ';
const client = {
  clientId,
  acceptsSecret: true,
  secretDigest: digestBytes(hashClientSecret(secret)),
} as unknown as ClientEntry;
const snapshot = { clients: new Map([[clientId, client]]) } as unknown as Snapshot;
const wrong = randomBytes(48).toString('base64url');
const unknownId = 'Yq3uYH0aZ1pT8wKc5RmN2vB7dL4sF9eJ';

const tryAuth = (id: string, presented: string) => {
  try {
    return authenticateClient(snapshot, { client_id: id, client_secret: presented }, undefined);
  } catch (error) {
    return error;
  }
};

const body = {
  grant_type: 'client_credentials',
  client_id: clientId,
  client_secret: secret,
  audience: 'https://api.example.com',
  scope: 'read:things write:things',
};

const claimsInput: ClaimsInput = {
  issuer: 'https://minter.example.com',
  clientId,
  api: { identifier: 'https://api.example.com', tokenLifetime: 86_400, profile: 'auth0' },
  scope: 'read:things write:things',
  now: 1_700_000_000,
  jti: '0b8f2a0e-4a5e-4c39-9d1b-0f4d5b7f0a11',
};
const custom = { 'https://example.com/tier': 'gold', 'https://example.com/region': 'eu', 'https://example.com/n': 3 };

measure('authenticateClient: right secret', 20_000, () => tryAuth(clientId, secret));
measure('authenticateClient: known id, wrong secret', 20_000, () => tryAuth(clientId, wrong));
measure('authenticateClient: unknown id', 20_000, () => tryAuth(unknownId, wrong));
measure('readTokenParameters (5 parameters)', 100_000, () => readTokenParameters(body));
measure('redactedBody (5 parameters)', 100_000, () => redactedBody(body));
measure('buildAccessTokenClaims, no custom claims', 100_000, () => buildAccessTokenClaims(claimsInput));
measure('buildAccessTokenClaims, 3 custom claims', 100_000, () => buildAccessTokenClaims({ ...claimsInput, custom }));

/** An issued token's context, as far as its log record reads it; with one action's execution record, as in the bench. */
const issued = {
  request: { ip: '127.0.0.1', hostname: '127.0.0.1:40123', headers: { 'user-agent': 'autocannon' } },
  client: { ...client, name: 'bench' },
  api: claimsInput.api,
  scope: claimsInput.scope,
  kid: 'kid-0123456789abcdef',
  jti: claimsInput.jti,
  organization: undefined,
  execution: undefined,
} as unknown as Issued;
const started = new Date(1_700_000_000_000).toISOString();
const withAction = {
  ...issued,
  execution: {
    id: '0b8f2a0e-4a5e-4c39-9d1b-0f4d5b7f0a12',
    record: {
      trigger_id: 'credentials-exchange',
      status: 'final',
      results: [
        {
          action_id: '54375e8e-404e-4353-92c0-cd3ff9687177',
          action_name: 'bench-set-claim-1',
          version_id: 'e7f2688c-9c64-4233-829d-ca15559cfc86',
          trigger_id: 'credentials-exchange',
          status: 'ok',
          started_at: started,
          ended_at: started,
          duration_ms: 0.021,
          logs: [],
          logs_truncated: false,
          refused_claims: [],
          claims_set: ['https://example.com/tier'],
        },
      ],
    },
  },
} as unknown as Issued;
measure('issuedRecord (the seccft log record), no trigger', 100_000, () => issuedRecord(issued));
measure("issuedRecord, one action's execution record", 100_000, () => issuedRecord(withAction));
