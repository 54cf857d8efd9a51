/**
 * Kinde's management API (`/api/v1`, issue 14) as a Kinde user meets it: `@kinde/management-api-js`, unmodified, in
 * its own process (it speaks https only, so Minter serves TLS and the script trusts the certificate through
 * NODE_EXTRA_CA_CERTS), takes a token for `<domain>/api` at `/oauth2/token`, creates an M2M application, authorizes it
 * for an API with a scope, creates an organization and links them with the `org_code` property. A token for that
 * application then carries what Kinde's own organization-mapping workflow (test/fixtures/kinde, deployed unmodified)
 * adds: `applicationId`, `orgName`, `orgCode`.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { kindeFixturesDir } from '../fixtures/kinde/run-bundle.js';
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

const admin = { clientId: 'kinde-admin', clientSecret: 'kinde-admin-secret-0123456789abcdef' };
const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', 'helpers', 'kinde-management-script.js');
const WORKFLOW = 'kindeSrc/environment/workflows/m2m/mapOrgToM2MApplicationWorkflow.ts';

/** What the script's M2M application needs of Kinde's management API (Kinde: "Manage scopes" in the dashboard). */
const SCRIPT_SCOPES = [
  'create:applications',
  'read:applications',
  'read:application_properties',
  'update:application_properties',
  'create:apis',
  'update:apis',
  'read:api_scopes',
  'create:api_scopes',
  'create:api_application_scopes',
  'create:organizations',
  'read:organizations',
  'create:environment_variables',
  'read:environment_variables',
];

/** Runs the Kinde user's script as its own process; resolves with the JSON line it prints. */
const runScript = (env: Record<string, string>) => runJsonScript(SCRIPT, env, 'the Kinde script');

describe(`@kinde/management-api-js against Minter's /api/v1 (${anyStorage})`, () => {
  let dir: string;
  let certificate: { cert: string; key: string };
  let ca: Buffer;
  let setup: ChildMinterSetup;
  let minter: MinterProcess;
  let issuer: string;

  const token = async (clientId: string, clientSecret: string, audience: string, path = '/oauth2/token') => {
    const answer = await httpsJson('POST', `${issuer}${path}`, ca, {
      form: { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, audience },
    });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return answer.body as { access_token: string; scope: string };
  };
  /** Calls `/api/v1` (Kinde) or `/api/v2` (Auth0) with the admin's token for that API. */
  const as = (version: 'v1' | 'v2') => {
    let bearer: string | undefined;
    return async (method: string, path: string, body?: unknown) => {
      bearer ??= (
        await token(admin.clientId, admin.clientSecret, version === 'v1' ? `${issuer}/api` : `${issuer}/api/v2/`)
      ).access_token;
      return httpsJson(method, `${issuer}/api/${version}${path}`, ca, { body, token: bearer });
    };
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'minter-kinde-'));
    certificate = makeCertificate(dir, 'minter-kinde');
    ca = await readFile(certificate.cert);
    setup = await childMinterSetup(anyStorage, admin);
    issuer = `https://127.0.0.1:${setup.env.PORT}`;
    minter = await spawnMinter(
      { ...setup.env, MINTER_ISSUER: issuer, MINTER_TLS_CERT: certificate.cert, MINTER_TLS_KEY: certificate.key },
      { ca },
    );
    setup.running.push(minter);
  });

  after(async () => {
    await setup?.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  test('start-up prints the Kinde API audience', () => {
    assert.match(minter.output().stdout, new RegExp(`Kinde API audience: +${issuer}/api +`));
  });

  test('a Kinde script creates, authorizes, links; the mapping workflow puts the organization in the token', async () => {
    const v1 = as('v1');
    const v2 = as('v2');

    // As in Kinde's dashboard: an M2M application for the script, authorized for the Kinde management API with the
    // scopes it needs, and a few other applications so that the script's list has pages.
    const script = await v1('POST', '/applications', { name: 'Management script', type: 'm2m' });
    assert.equal(script.status, 201, JSON.stringify(script.body));
    const others: string[] = [];
    for (const name of ['Reports', 'Exports', 'Audit']) {
      const created = await v1('POST', '/applications', { name, type: 'm2m' });
      others.push(created.body.application.id);
    }
    const apis = await v1('GET', '/apis');
    const management = apis.body.apis.find((a: any) => a.audience === `${issuer}/api`);
    assert.equal(management.is_management_api, true);
    const authorize = await v1('PATCH', `/apis/${management.id}/applications`, {
      applications: [{ id: script.body.application.id }],
    });
    assert.deepEqual(authorize.body.applications_connected, [script.body.application.id]);
    for (const scope of SCRIPT_SCOPES) {
      const enabled = await v1(
        'POST',
        `/apis/${management.id}/applications/${script.body.application.id}/scopes/${scope}`,
      );
      assert.equal(enabled.status, 200, JSON.stringify(enabled.body));
    }

    // Kinde's own organization-mapping workflow, as published, bound to m2m:token_generation.
    const code = readFileSync(join(kindeFixturesDir(), 'project', WORKFLOW), 'utf8');
    const action = await v2('POST', '/actions/actions', {
      name: 'map-org',
      supported_triggers: [{ id: 'm2m:token_generation', version: 'v1' }],
      code,
      entry_path: WORKFLOW,
      deploy: true,
    });
    assert.equal(action.status, 201, JSON.stringify(action.body));
    const bound = await v2('PATCH', '/actions/triggers/m2m:token_generation/bindings', {
      bindings: [{ ref: { type: 'action_id', value: action.body.id } }],
    });
    assert.equal(bound.status, 200, JSON.stringify(bound.body));

    const out = await runScript({
      NODE_EXTRA_CA_CERTS: certificate.cert,
      KINDE_DOMAIN: `127.0.0.1:${setup.env.PORT}`,
      KINDE_MANAGEMENT_CLIENT_ID: script.body.application.client_id,
      KINDE_MANAGEMENT_CLIENT_SECRET: script.body.application.client_secret,
      API_AUDIENCE: 'https://billing.example.com',
    });
    const app = out.application;
    assert.equal(typeof app.client_secret, 'string');
    assert.deepEqual(out.authorized, {
      code: 'API_APPLICATIONS_UPDATED',
      message: 'API applications updated',
      applications_connected: [app.client_id],
      applications_disconnected: [],
    });
    assert.equal(out.scopes[0].key, 'read:invoices');
    assert.match(out.organization.code, /^org_/);
    assert.deepEqual(out.properties, [
      { id: 'org_code', key: 'org_code', name: 'org_code', description: '', value: out.organization.code },
    ]);
    assert.deepEqual(
      [out.org.code, out.org.name, out.org.handle, out.org.external_id],
      [out.organization.code, 'Acme Corp', 'acme_corp', 'crm-42'],
    );
    // The secret the script stored is never answered in clear.
    assert.equal(out.environment_variables.length, 1);
    assert.deepEqual(
      [out.environment_variables[0].key, out.environment_variables[0].value, out.environment_variables[0].is_secret],
      ['BILLING_WEBHOOK_SECRET', null, true],
    );
    // Five applications in pages of two: three pages, each application once.
    assert.equal(out.pages, 3);
    assert.deepEqual(
      [...out.listed].sort(),
      [script.body.application.id, ...others, app.id].sort(),
      'every application listed once',
    );
    assert.equal(out.notServed.status, 404);
    assert.equal(out.notServed.body.errors[0].code, 'ROUTE_NOT_FOUND');
    assert.match(out.notServed.body.errors[0].message, /^GET \/api\/v1\/users is not served by Minter \(M2M only\)/);

    // The application the script made gets a token at Kinde's token path, with the workflow's claims.
    const issued = await token(app.client_id, app.client_secret, 'https://billing.example.com');
    const jwks = createLocalJWKSet(JSON.parse((await httpsGet(`${issuer}/.well-known/jwks.json`, ca)).body));
    const { payload } = await jwtVerify(issued.access_token, jwks, {
      issuer,
      audience: 'https://billing.example.com',
    });
    assert.equal(payload.scope, 'read:invoices');
    assert.deepEqual(
      [payload.applicationId, payload.orgName, payload.orgCode],
      [app.client_id, 'Acme Corp', out.organization.code],
    );
  });
});
