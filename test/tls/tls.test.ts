/**
 * MINTER_TLS_CERT / MINTER_TLS_KEY (issue 13): Minter started as `npm start` starts it serves https on PORT; Auth0's
 * SDKs (v5 AuthenticationClient and ManagementClient, v7 ManagementClient), which speak https only, get tokens and
 * list every item; a renewed certificate is served without a restart; a key that does not match is refused at start.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { httpsJson, makeCertificate } from '../helpers/https.js';
import { runJsonScript } from '../helpers/json-script.js';
import {
  anyStorage,
  childMinterSetup,
  httpsGet,
  spawnMinter,
  type ChildMinterSetup,
  type MinterProcess,
} from '../helpers/minter.js';

const admin = { clientId: 'tls-admin', clientSecret: 'tls-admin-secret-0123456789abcdef' };
const SDK_CLIENT = join(dirname(fileURLToPath(import.meta.url)), '..', 'helpers', 'auth0-sdk-client.js');

/** Runs the SDK client as its own process, trusting a certificate as an operator would (NODE_EXTRA_CA_CERTS). */
const runSdkClient = (env: Record<string, string>) => runJsonScript(SDK_CLIENT, env, 'the SDK client');

describe(`Minter on https (${anyStorage})`, () => {
  let dir: string;
  let first: { cert: string; key: string };
  let ca: Buffer;
  let setup: ChildMinterSetup;
  let minter: MinterProcess;
  let issuer: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'minter-tls-'));
    first = makeCertificate(dir, 'minter-first');
    ca = await readFile(first.cert);
    setup = await childMinterSetup(anyStorage, admin);
    issuer = `https://127.0.0.1:${setup.env.PORT}`;
    // The files Minter is told about: renewed in place by the reload test.
    await writeFile(join(dir, 'live.crt'), ca);
    await writeFile(join(dir, 'live.key'), await readFile(first.key));
    minter = await spawnMinter(
      {
        ...setup.env,
        MINTER_ISSUER: issuer,
        MINTER_TLS_CERT: join(dir, 'live.crt'),
        MINTER_TLS_KEY: join(dir, 'live.key'),
        MINTER_LOG_LEVEL: 'info',
      },
      { ca },
    );
    setup.running.push(minter);
  });

  after(async () => {
    await setup?.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  test('start-up prints the exact issuer, token endpoint and management audience', () => {
    const { stdout } = minter.output();
    assert.match(stdout, new RegExp(`issuer \\(iss, discovery\\): +${issuer}\\n`));
    assert.match(stdout, new RegExp(`token endpoint: +${issuer}/oauth/token\\n`));
    assert.match(stdout, new RegExp(`management API audience: +${issuer}/api/v2/\\n`));
    assert.match(stdout, /Minter is listening on https:/);
  });

  test('discovery and tokens over https; Auth0 SDK v5 and v7 list every item', async () => {
    const discovery = await httpsGet(`${issuer}/.well-known/openid-configuration`, ca);
    assert.equal(JSON.parse(discovery.body).issuer, issuer);

    const adminToken = await httpsJson('POST', `${issuer}/oauth/token`, ca, {
      form: {
        grant_type: 'client_credentials',
        client_id: admin.clientId,
        client_secret: admin.clientSecret,
        audience: `${issuer}/api/v2/`,
      },
    });
    assert.equal(adminToken.status, 200, JSON.stringify(adminToken.body));
    const token = adminToken.body.access_token as string;
    const call = (method: string, path: string, body?: unknown) =>
      httpsJson(method, `${issuer}/api/v2${path}`, ca, { body, token });

    // A few of everything the SDKs list.
    const made = {
      clients: [admin.clientId],
      resourceServers: [`${issuer}/api/v2/`],
      grants: [] as string[],
      orgs: [] as string[],
    };
    for (let i = 0; i < 3; i++) {
      const api = await call('POST', '/resource-servers', {
        name: `api ${i}`,
        identifier: `https://tls-${i}.example.com`,
      });
      assert.equal(api.status, 201, JSON.stringify(api.body));
      const client = await call('POST', '/clients', { name: `service ${i}`, app_type: 'non_interactive' });
      assert.equal(client.status, 201, JSON.stringify(client.body));
      const grant = await call('POST', '/client-grants', {
        client_id: client.body.client_id,
        audience: api.body.identifier,
        scope: [],
      });
      assert.equal(grant.status, 201, JSON.stringify(grant.body));
      const org = await call('POST', '/organizations', { name: `org-${i}` });
      assert.equal(org.status, 201, JSON.stringify(org.body));
      made.clients.push(client.body.client_id);
      made.resourceServers.push(api.body.identifier);
      made.grants.push(grant.body.id);
      made.orgs.push(org.body.id);
    }
    const everything = {
      clients: (await call('GET', '/clients')).body.map((c: any) => c.client_id).sort(),
      resourceServers: (await call('GET', '/resource-servers')).body.map((r: any) => r.identifier).sort(),
      clientGrants: (await call('GET', '/client-grants')).body.map((g: any) => g.id).sort(),
      organizations: (await call('GET', '/organizations')).body.map((o: any) => o.id).sort(),
    };
    for (const id of made.clients) assert.ok(everything.clients.includes(id), id);
    for (const id of made.grants) assert.ok(everything.clientGrants.includes(id), id);
    for (const id of made.orgs) assert.ok(everything.organizations.includes(id), id);

    const sdk = await runSdkClient({
      NODE_EXTRA_CA_CERTS: first.cert,
      MINTER_DOMAIN: `127.0.0.1:${setup.env.PORT}`,
      CLIENT_ID: admin.clientId,
      CLIENT_SECRET: admin.clientSecret,
      AUDIENCE: `${issuer}/api/v2/`,
    });
    assert.deepEqual(sdk.v5, everything, 'auth0 v5 ManagementClient');
    assert.deepEqual(sdk.v7, everything, 'auth0 v7 ManagementClient');

    // The v5 AuthenticationClient's token verifies against the JWKS served over https.
    const jwks = createLocalJWKSet(JSON.parse((await httpsGet(`${issuer}/.well-known/jwks.json`, ca)).body));
    const { payload } = await jwtVerify(sdk.token, jwks, { issuer, audience: `${issuer}/api/v2/` });
    assert.equal(payload.azp ?? payload.sub?.replace(/@clients$/, ''), admin.clientId);
  });

  test('a renewed certificate is served to new connections without a restart', async () => {
    const renewed = makeCertificate(dir, 'minter-renewed');
    const renewedCa = await readFile(renewed.cert);
    // As a renewal tool does: write the new files beside, then move them over the old ones.
    await writeFile(join(dir, 'next.key'), await readFile(renewed.key));
    await writeFile(join(dir, 'next.crt'), renewedCa);
    await rename(join(dir, 'next.key'), join(dir, 'live.key'));
    await rename(join(dir, 'next.crt'), join(dir, 'live.crt'));
    const deadline = Date.now() + 30_000;
    let seen: string | undefined;
    while (Date.now() < deadline) {
      try {
        const answer = await httpsGet(`${issuer}/health`, renewedCa);
        seen = String(answer.certificate.subject.CN);
        if (seen === 'minter-renewed') break;
      } catch {
        // Still the first certificate, which `renewedCa` does not trust.
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.equal(seen, 'minter-renewed');
    assert.match(minter.output().stdout + minter.output().stderr, /TLS certificate reloaded/);
  });

  test('a key that does not belong to the certificate stops the start, naming the file', async () => {
    const other = makeCertificate(dir, 'minter-other');
    const env = { ...setup.env, PORT: '0', MINTER_TLS_CERT: first.cert, MINTER_TLS_KEY: other.key };
    await assert.rejects(spawnMinter(env, { ca, timeoutMs: 30_000 }), (error: Error) => {
      assert.match(error.message, /exited with code 1/);
      assert.ok(
        error.message.includes(`MINTER_TLS_KEY ${other.key} does not load with MINTER_TLS_CERT`),
        error.message,
      );
      return true;
    });
  });
});
