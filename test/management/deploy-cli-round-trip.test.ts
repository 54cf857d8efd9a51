/**
 * The Auth0 Deploy CLI (`a0deploy`, auth0-deploy-cli 8, a devDependency) against Minter, as a team leaving Auth0
 * runs it: `a0deploy export` with no type filter completes (the types Minter does not have answer as an empty
 * tenant: management/unserved.ts), and `a0deploy import` of that export into a fresh Minter recreates the clients,
 * APIs, client grants, organizations, deployed actions and trigger bindings, with the action's secret given back by
 * the CLI's keyword replacement (exports carry secret names only). The fresh Minter already holds a client and an
 * organization of the same names, so the import updates as well as creates: what Minter returned must be accepted
 * back. docs/migrating-from-auth0.md describes this run.
 *
 * The CLI speaks https only (`https://${AUTH0_DOMAIN}`): a TLS front with a self-signed certificate made by the
 * `openssl` command (helpers/tls-front.ts) forwards to Minter, and the CLI trusts it through NODE_EXTRA_CA_CERTS.
 * Both instances have the front's URL as issuer, as two instances behind one host name would. The CLI validates
 * its input against its schema (about 5–20 s of CPU per validation, twice per import): the run takes 20–60 s.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { decodeJwt } from 'jose';
import { callApi, getToken, startMinter, type RunningMinter } from '../helpers/minter.js';
import { hasOpenssl, startTlsFront, type TlsFront } from '../helpers/tls-front.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const A0DEPLOY = join(repoRoot, 'node_modules', '.bin', 'a0deploy');

const ACTION_CODE = `exports.onExecuteCredentialsExchange = async (event, api) => {
  api.accessToken.setCustomClaim('https://example.com/team', event.client.metadata.team);
  api.accessToken.setCustomClaim('https://example.com/key', event.secrets.KEY);
};`;

/** The management API of one instance, through its http port, with a token for the front's audience. */
function management(m: RunningMinter, front: TlsFront) {
  return async (method: string, path: string, body?: unknown) => {
    const token = (await getToken(m.baseUrl, m.admin, `${front.url}/api/v2/`)).access_token;
    const response = await callApi(m.baseUrl, token, method, path, body);
    assert.ok(response.status < 300, `${method} ${path}: ${response.status} ${response.text}`);
    return response.body;
  };
}

/** Runs a0deploy against `m` through the front; resolves with its exit code and output. */
async function a0deploy(m: RunningMinter, front: TlsFront, args: string[], env: Record<string, string> = {}) {
  const child = spawn(A0DEPLOY, args, {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? tmpdir(),
      NODE_EXTRA_CA_CERTS: front.caPath,
      AUTH0_DOMAIN: new URL(front.url).host,
      AUTH0_CLIENT_ID: m.admin.clientId,
      AUTH0_CLIENT_SECRET: m.admin.clientSecret,
      AUTH0_ALLOW_DELETE: 'false',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, output };
}

const readJson = async (path: string) => JSON.parse(await readFile(path, 'utf8')) as Record<string, any>;

/** Rows in a stable order: the CLI creates up to three objects at a time, so creation order is not kept. */
const sorted = <T>(rows: T[]) => rows.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

/** What an instance holds, without ids and times: the shape the round trip must keep. */
async function configurationOf(api: ReturnType<typeof management>) {
  const clients = (await api('GET', '/clients')) as Array<Record<string, any>>;
  const nameOf = (id: string) => clients.find((c) => c.client_id === id)?.name;
  const organizations = (await api('GET', '/organizations')) as Array<Record<string, any>>;
  const actions = (await api('GET', '/actions/actions')).actions as Array<Record<string, any>>;
  const bindings = (await api('GET', '/actions/triggers/credentials-exchange/bindings')).bindings as Array<any>;
  return {
    clients: sorted(
      clients
        .filter((c) => !c.is_system)
        .map((c) => [c.name, c.description, c.client_metadata, c.token_endpoint_auth_method, c.grant_types]),
    ),
    apis: sorted(
      ((await api('GET', '/resource-servers')) as Array<Record<string, any>>).map((r) => [
        r.identifier,
        r.name,
        r.scopes,
        r.token_lifetime,
        r.signing_alg,
        r.token_dialect,
      ]),
    ),
    grants: sorted(
      ((await api('GET', '/client-grants')) as Array<Record<string, any>>)
        .filter((g) => !g.is_system)
        .map((g) => [nameOf(g.client_id), g.audience, g.scope, g.organization_usage, g.allow_any_organization]),
    ),
    organizations: await Promise.all(
      organizations.map(async (o) => [
        o.name,
        o.display_name,
        o.metadata,
        ((await api('GET', `/organizations/${o.id}/client-grants`)) as Array<any>).map((g) => nameOf(g.client_id)),
      ]),
    ),
    actions: actions.map((a) => [a.name, a.code, a.runtime, a.secrets.map((s: any) => s.name), a.all_changes_deployed]),
    bindings: bindings.map((b) => [b.action.name, b.display_name]),
  };
}

describe(
  'Auth0 Deploy CLI: export from Minter, import into a fresh Minter',
  { skip: !hasOpenssl() && 'no openssl' },
  () => {
    let front: TlsFront;
    let source: RunningMinter | undefined;
    let target: RunningMinter | undefined;
    let folder: string;
    let sourceConfiguration: Awaited<ReturnType<typeof configurationOf>>;

    before(async () => {
      front = await startTlsFront();
      folder = await mkdtemp(join(tmpdir(), 'minter-a0deploy-'));
      source = await startMinter({ env: { MINTER_ISSUER: front.url } });
      await front.forwardTo(Number(new URL(source.baseUrl).port));
      const api = management(source, front);
      const system = ((await api('GET', '/resource-servers')) as Array<any>).find((r) => r.is_system);
      await api('PATCH', `/resource-servers/${system.id}`, { token_lifetime: 7200 });
      await api('POST', '/resource-servers', {
        identifier: 'https://orders.example.com',
        name: 'Orders',
        scopes: [{ value: 'read:orders', description: 'Read orders' }, { value: 'write:orders' }],
        token_lifetime: 3600,
        signing_alg: 'ES256',
        token_dialect: 'access_token',
      });
      const billing = await api('POST', '/clients', {
        name: 'billing',
        description: 'Billing service',
        client_metadata: { team: 'payments' },
      });
      const reports = await api('POST', '/clients', {
        name: 'reports',
        token_endpoint_auth_method: 'client_secret_basic',
      });
      const organization = await api('POST', '/organizations', {
        name: 'acme',
        display_name: 'Acme',
        metadata: { tier: 'gold' },
      });
      const grant = await api('POST', '/client-grants', {
        client_id: billing.client_id,
        audience: 'https://orders.example.com',
        scope: ['read:orders'],
        organization_usage: 'allow',
      });
      await api('POST', '/client-grants', {
        client_id: reports.client_id,
        audience: 'https://orders.example.com',
        scope: ['read:orders', 'write:orders'],
      });
      await api('POST', `/organizations/${organization.id}/client-grants`, { grant_id: grant.id });
      const action = await api('POST', '/actions/actions', {
        name: 'add-claims',
        supported_triggers: [{ id: 'credentials-exchange', version: 'v2' }],
        code: ACTION_CODE,
        secrets: [{ name: 'KEY', value: 'kept-by-keyword-replacement' }],
        deploy: true,
      });
      await api('PATCH', '/actions/triggers/credentials-exchange/bindings', {
        bindings: [{ ref: { type: 'action_id', value: action.id }, display_name: 'Add claims' }],
      });
      sourceConfiguration = await configurationOf(api);
    });
    after(async () => {
      await source?.close();
      await target?.close();
      await front?.close();
      await rm(folder, { recursive: true, force: true });
    });

    test(
      'a0deploy export with no type filter completes; unserved types export empty',
      { timeout: 120_000 },
      async (t) => {
        const started = performance.now();
        const run = await a0deploy(source!, front, ['export', '--format', 'directory', '--output_folder', folder]);
        assert.equal(run.code, 0, run.output.slice(-3000));
        assert.match(run.output, /Export Successful/);
        // A tenant-wide setting is skipped as one the token has no scope for, with Minter's reason.
        assert.match(
          run.output,
          /Cannot retrieve tenant due to missing scopes: read:tenant_settings \(Minter does not serve/,
        );
        const files = (await readdir(folder, { recursive: true })).sort();
        for (const file of [
          'actions/add-claims.json',
          'actions/add-claims/code.js',
          'clients/billing.json',
          'clients/reports.json',
          'grants/billing-Orders.json',
          'organizations/acme.json',
          'resource-servers/Orders.json',
          'triggers/triggers.json',
        ]) {
          assert.ok(files.includes(file), `${file} exported (${files.join(', ')})`);
        }
        assert.ok(!files.some((f) => f.startsWith('rules/') || f.startsWith('tenant')), 'no rules, no tenant settings');
        const action = await readJson(join(folder, 'actions', 'add-claims.json'));
        assert.deepEqual(action.secrets, [{ name: 'KEY' }], 'secret names only');
        assert.equal(action.deployed, true);
        assert.deepEqual((await readJson(join(folder, 'organizations', 'acme.json'))).client_grants, [
          { client_id: 'billing' },
        ]);
        // The Deploy CLI's way to give a secret its value: a keyword, replaced from AUTH0_KEYWORD_REPLACE_MAPPINGS.
        action.secrets = [{ name: 'KEY', value: '##ACTION_SECRET_KEY##' }];
        await writeFile(join(folder, 'actions', 'add-claims.json'), JSON.stringify(action, null, 2));
        t.diagnostic(`export: ${((performance.now() - started) / 1000).toFixed(1)} s`);
      },
    );

    test(
      'a0deploy import into a fresh Minter recreates every object; tokens carry the action claims',
      { timeout: 180_000 },
      async (t) => {
        await source!.close();
        source = undefined;
        target = await startMinter({ env: { MINTER_ISSUER: front.url } });
        await front.forwardTo(Number(new URL(target.baseUrl).port));
        const api = management(target, front);
        // Already there under the same names: the import updates these with what the export holds.
        const billing = await api('POST', '/clients', {
          name: 'billing',
          description: 'old',
          client_metadata: { team: 'x' },
        });
        await api('POST', '/organizations', { name: 'acme', display_name: 'Old name' });
        const started = performance.now();
        const run = await a0deploy(target, front, ['import', '--input_file', folder], {
          AUTH0_KEYWORD_REPLACE_MAPPINGS: JSON.stringify({ ACTION_SECRET_KEY: 'kept-by-keyword-replacement' }),
        });
        const seconds = (performance.now() - started) / 1000;
        assert.equal(run.code, 0, run.output.slice(-4000));
        assert.match(run.output, /Import Successful/);
        assert.deepEqual(await configurationOf(api), sourceConfiguration);
        const token = await getToken(
          target.baseUrl,
          { clientId: billing.client_id, clientSecret: billing.client_secret },
          'https://orders.example.com',
        );
        const claims = decodeJwt(token.access_token);
        assert.equal(claims['https://example.com/team'], 'payments');
        assert.equal(claims['https://example.com/key'], 'kept-by-keyword-replacement');
        assert.equal(claims.iss, front.url);
        t.diagnostic(`import: ${seconds.toFixed(1)} s`);
      },
    );
  },
);
