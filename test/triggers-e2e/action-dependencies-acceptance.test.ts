/**
 * Issue 13's acceptance set for packages that lean on Node: each installed from the registry at deploy and run
 * through the real token endpoint — axios (a GET to a loopback server the test allows with
 * MINTER_ACTIONS_ALLOW_PRIVATE_EGRESS), jsonwebtoken (HS256 and RS256, signed and verified in the action), and the
 * `auth0` package's ManagementClient (v4) reading a client from Minter's own management API.
 *
 * A case whose package needs Node built-ins the isolate does not provide yet is skipped with that reason, and runs
 * once they land (auth0/node-builtins.ts, `PROVIDED_BUILTINS`): jsonwebtoken needs `crypto`, `buffer`, `stream`,
 * `util`; the auth0 SDK's browser build (its Node build needs `zlib`) needs the global `crypto` (WebCrypto).
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { importSPKI, jwtVerify } from 'jose';
import { PROVIDED_BUILTINS } from '../../src/triggers/auth0/node-builtins.js';
import { bind, claimsOf, requestToken } from '../helpers/actions.js';
import { lastExecution } from '../helpers/executions.js';
import { provision, startMinter, type RunningMinter } from '../helpers/minter.js';

const NEEDS_BUILTINS = 'needs Node built-ins in the isolate (issue 13)';
/** Skipped until the isolate provides every one of `modules`. */
const skipUnless = (...modules: string[]) =>
  modules.every((name) => PROVIDED_BUILTINS.has(name)) ? false : `${NEEDS_BUILTINS}: ${modules.join(', ')}`;

describe('acceptance: axios, jsonwebtoken and the auth0 SDK in actions, from the registry', () => {
  let m: RunningMinter;
  let upstream: Server;
  let upstreamUrl: string;

  before(async () => {
    upstream = createServer((request, response) => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ plan: 'gold', key: request.headers['x-api-key'] ?? null, path: request.url }));
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    upstreamUrl = `http://127.0.0.1:${(upstream.address() as { port: number }).port}`;
    m = await startMinter({ env: { MINTER_ACTIONS_ALLOW_PRIVATE_EGRESS: '127.0.0.1' } });
  });
  after(async () => {
    await m?.close();
    upstream?.close();
  });

  /** Deploys and binds an action (alone), provisions a client, requests a token; the token's claims. */
  async function run(name: string, code: string, dependencies: unknown[], secrets: Record<string, string>) {
    const created = await m.api('POST', '/actions/actions', {
      name,
      supported_triggers: [{ id: 'credentials-exchange', version: 'v2' }],
      code,
      dependencies,
      secrets: Object.entries(secrets).map(([n, value]) => ({ name: n, value })),
      deploy: true,
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    await bind(m, 'credentials-exchange', [created.body.id]);
    const client = await provision(m);
    const token = await requestToken(m, client);
    const why = token.status === 200 ? '' : JSON.stringify((await lastExecution(m, client.clientId, 'feccft')).results);
    assert.equal(token.status, 200, why);
    return { claims: claimsOf(token.body.access_token), client };
  }

  // axios's Node build needs fs, net, tls, zlib, …: the deploy bundles its browser build, which uses fetch.
  test('axios: a GET to an allowed loopback server, through the guarded fetch', async () => {
    const code = `const axios = require('axios');
exports.onExecuteCredentialsExchange = async (event, api) => {
  const { data } = await axios.get(event.secrets.UPSTREAM + '/plans/' + event.client.client_id, {
    headers: { 'x-api-key': event.secrets.KEY },
  });
  api.accessToken.setCustomClaim('https://example.com/plan', data);
};`;
    const { claims, client } = await run('axios', code, [{ name: 'axios', version: '^1' }], {
      UPSTREAM: upstreamUrl,
      KEY: 'k-1',
    });
    assert.deepEqual(claims['https://example.com/plan'], {
      plan: 'gold',
      key: 'k-1',
      path: `/plans/${client.clientId}`,
    });
  });

  test(
    'jsonwebtoken: HS256 and RS256 signed and verified in the action',
    { skip: skipUnless('crypto', 'buffer', 'stream', 'util') },
    async () => {
      const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const publicPem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
      const code = `const jwt = require('jsonwebtoken');
exports.onExecuteCredentialsExchange = async (event, api) => {
  const hs = jwt.sign({ sub: event.client.client_id }, event.secrets.HS_SECRET, { algorithm: 'HS256', expiresIn: 60 });
  const rs = jwt.sign({ sub: 'rs-subject' }, event.secrets.RSA_PRIVATE, { algorithm: 'RS256', expiresIn: 60 });
  api.accessToken.setCustomClaim('https://example.com/hs', jwt.verify(hs, event.secrets.HS_SECRET, { algorithms: ['HS256'] }).sub);
  api.accessToken.setCustomClaim('https://example.com/rs', jwt.verify(rs, event.secrets.RSA_PUBLIC, { algorithms: ['RS256'] }).sub);
  api.accessToken.setCustomClaim('https://example.com/rs-token', rs);
};`;
      const { claims, client } = await run('jsonwebtoken', code, [{ name: 'jsonwebtoken', version: '^9' }], {
        HS_SECRET: 'a-shared-secret-of-some-length',
        RSA_PRIVATE: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
        RSA_PUBLIC: publicPem,
      });
      assert.equal(claims['https://example.com/hs'], client.clientId);
      assert.equal(claims['https://example.com/rs'], 'rs-subject');
      const { payload } = await jwtVerify(claims['https://example.com/rs-token'], await importSPKI(publicPem, 'RS256'));
      assert.equal(payload.sub, 'rs-subject');
    },
  );

  test(
    "auth0 v4 ManagementClient reads a client from Minter's management API",
    // Its fetch layer tests `body instanceof FormData` and `instanceof Blob`, and times each request out with an
    // AbortController whose signal it hands to fetch.
    { skip: skipUnless('crypto') },
    async () => {
      // The SDK speaks https to `domain`; Minter here serves http, so the action's fetch rewrites the scheme.
      const code = `const { ManagementClient } = require('auth0');
exports.onExecuteCredentialsExchange = async (event, api) => {
  const management = new ManagementClient({
    domain: event.secrets.DOMAIN,
    audience: event.secrets.AUDIENCE,
    clientId: event.secrets.ADMIN_ID,
    clientSecret: event.secrets.ADMIN_SECRET,
    fetch: (url, init) => fetch(String(url).replace(/^https:/, 'http:'), init),
  });
  const { data } = await management.clients.get({ client_id: event.client.client_id });
  api.accessToken.setCustomClaim('https://example.com/client-name', data.name);
};`;
      const { claims } = await run('auth0-management', code, [{ name: 'auth0', version: '^4' }], {
        DOMAIN: new URL(m.baseUrl).host,
        AUDIENCE: `${m.baseUrl}/api/v2/`,
        ADMIN_ID: m.admin.clientId,
        ADMIN_SECRET: m.admin.clientSecret,
      });
      assert.equal(claims['https://example.com/client-name'], 'svc');
    },
  );
});
