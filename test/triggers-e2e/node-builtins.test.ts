/**
 * Issue 13, Node built-ins, through the real token endpoint: an Auth0 action that uses `require('crypto')` HMAC,
 * `Buffer` base64 and `URLSearchParams` sets claims that a token verified with jose against the JWKS carries; an
 * action requiring `fs` fails its deploy naming the module and what to use instead; the per-execution cap on crypto
 * work (MINTER_ACTIONS_MAX_CRYPTO_MS) is a refused call in the execution record. In both isolation modes.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { bind, deployAction, requestToken } from '../helpers/actions.js';
import { lastExecution } from '../helpers/executions.js';
import { provision, startMinter, type RunningMinter } from '../helpers/minter.js';

const SIGNATURE_ACTION = `const crypto = require('crypto');
/** Signs the client's id with a shared secret, as an API gateway in front of the resource would check. */
exports.onExecuteCredentialsExchange = async (event, api) => {
  const mac = crypto.createHmac('sha256', event.secrets.SIGNING_SECRET).update(event.client.client_id).digest('hex');
  const context = new URLSearchParams({ tier: event.client.metadata.tier ?? 'none', client: event.client.client_id });
  context.append('scope', event.transaction.requested_scopes.join(' '));
  api.accessToken.setCustomClaim('https://example.com/signature', mac);
  api.accessToken.setCustomClaim('https://example.com/context', Buffer.from(context.toString()).toString('base64'));
  api.accessToken.setCustomClaim('https://example.com/uuid', require('node:crypto').randomUUID().length);
};`;

const CRYPTO_LOOP = `exports.onExecuteCredentialsExchange = async (event, api) => {
  const crypto = require('crypto'), big = Buffer.alloc(4 * 1024 * 1024, 1);
  let hashed = 0, refusal;
  try { for (;;) { crypto.createHash('sha512').update(big).digest(); hashed++; } } catch (e) { refusal = e.message; }
  api.accessToken.setCustomClaim('https://example.com/crypto', { hashed: hashed > 0, refusal });
};`;

for (const isolation of ['process', 'inline'] as const) {
  describe(`Node built-ins in Auth0 actions through /oauth/token (MINTER_ACTIONS_ISOLATION=${isolation})`, () => {
    let m: RunningMinter;
    let app: Awaited<ReturnType<typeof provision>>;
    before(async () => {
      m = await startMinter({ env: { MINTER_ACTIONS_ISOLATION: isolation, MINTER_ACTIONS_MAX_CRYPTO_MS: '5' } });
      app = await provision(m);
    });
    after(() => m?.close());

    test("require('crypto') HMAC, Buffer base64 and URLSearchParams set claims a jose-verified token carries", async () => {
      const id = await deployAction(m, {
        name: 'gateway-signature',
        code: SIGNATURE_ACTION,
        secrets: [{ name: 'SIGNING_SECRET', value: 's3cret-for-the-gateway' }],
      });
      await bind(m, 'credentials-exchange', [id]);
      const { status, body } = await requestToken(m, app);
      assert.equal(status, 200, JSON.stringify(body));
      const jwks = createRemoteJWKSet(new URL(`${m.baseUrl}/.well-known/jwks.json`));
      const { payload } = await jwtVerify(body.access_token, jwks, { issuer: m.issuer, audience: app.identifier });
      assert.equal(
        payload['https://example.com/signature'],
        createHmac('sha256', 's3cret-for-the-gateway').update(app.clientId).digest('hex'),
      );
      const context = new URLSearchParams({ tier: 'none', client: app.clientId });
      context.append('scope', '');
      assert.equal(payload['https://example.com/context'], Buffer.from(context.toString()).toString('base64'));
      assert.equal(payload['https://example.com/uuid'], 36);
    });

    test('an action requiring fs fails its deploy, naming the module and what to use instead', async () => {
      const created = await m.api('POST', '/actions/actions', {
        name: 'reads-a-file',
        supported_triggers: [{ id: 'credentials-exchange', version: 'v2' }],
        code: `const fs = require('fs');\nexports.onExecuteCredentialsExchange = async (event, api) => {\n  api.accessToken.setCustomClaim('https://example.com/k', fs.readFileSync('/etc/hostname', 'utf8'));\n};`,
        deploy: true,
      });
      assert.equal(created.status, 400, JSON.stringify(created.body));
      assert.equal(created.body.errorCode, 'build_failed');
      assert.equal(
        created.body.message,
        `Build failed at action.js:1:20: require('fs'): the Node built-in "fs" is not available in Minter actions: there is no file system: keep configuration in event.secrets, or fetch() it over https`,
      );
    });

    test('past MINTER_ACTIONS_MAX_CRYPTO_MS, crypto is refused and the execution record counts it', async () => {
      await bind(m, 'credentials-exchange', [await deployAction(m, { name: 'hashes-a-lot', code: CRYPTO_LOOP })]);
      const { status, body } = await requestToken(m, app);
      assert.equal(status, 200, JSON.stringify(body));
      const jwks = createRemoteJWKSet(new URL(`${m.baseUrl}/.well-known/jwks.json`));
      const { payload } = await jwtVerify(body.access_token, jwks, { issuer: m.issuer, audience: app.identifier });
      assert.deepEqual(payload['https://example.com/crypto'], {
        hashed: true,
        refusal: 'crypto refused: an execution may spend at most 5 ms of the host’s time in crypto',
      });
      let execution: Record<string, any> = {};
      for (let i = 0; i < 50 && execution.results === undefined; i++) {
        try {
          execution = await lastExecution(m, app.clientId);
        } catch {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
      const result = execution.results.find((r: any) => r.action_name === 'hashes-a-lot');
      assert.equal(result.status, 'ok');
      assert.deepEqual(result.refused_calls, { crypto: 1 });
    });
  });
}
