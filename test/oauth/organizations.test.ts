/**
 * Auth0's M2M access for organizations: organizations and their authorized client grants in the management API, the
 * token request's `organization` (id or name) checked against the grant's `organization_usage`, `org_id` / `org_name`
 * in the token (verified with jose against the JWKS), `event.organization` in an Auth0 action, and Kinde's own
 * example workflow reading the organization through `createKindeAPI`.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { kindeFixturesDir } from '../fixtures/kinde/run-bundle.js';
import { bind, deployAction, requestToken } from '../helpers/actions.js';
import { anyStorage, provision, startMinter, type RunningMinter } from '../helpers/minter.js';

describe('organizations', () => {
  let m: RunningMinter;
  let app: Awaited<ReturnType<typeof provision>>;
  let acme: { id: string; name: string };
  let globex: { id: string; name: string };

  const verify = async (token: string) =>
    (
      await jwtVerify(token, createRemoteJWKSet(new URL(`${m.baseUrl}/.well-known/jwks.json`)), {
        issuer: m.issuer,
        audience: app.identifier,
      })
    ).payload;
  const usage = async (fields: Record<string, unknown>) => {
    const response = await m.api('PATCH', `/client-grants/${app.grantId}`, fields);
    assert.equal(response.status, 200, JSON.stringify(response.body));
    return response.body;
  };

  before(async () => {
    m = await startMinter({ storage: anyStorage });
    app = await provision(m);
    const created = await m.api('POST', '/organizations', {
      name: 'acme',
      display_name: 'Acme Inc.',
      metadata: { tier: 'gold' },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.match(created.body.id, /^org_/);
    acme = created.body;
    globex = (await m.api('POST', '/organizations', { name: 'globex' })).body;
  });
  after(() => m?.close());

  test('management: unique lowercase names, read by id and by name, update, list, delete', async () => {
    assert.deepEqual(acme, { id: acme.id, name: 'acme', display_name: 'Acme Inc.', metadata: { tier: 'gold' } });
    assert.equal((await m.api('POST', '/organizations', { name: 'acme' })).status, 409);
    for (const name of ['Acme', 'has space', '-dash-first', 'x'.repeat(51)]) {
      assert.equal((await m.api('POST', '/organizations', { name })).status, 400, name);
    }
    assert.deepEqual((await m.api('GET', `/organizations/${acme.id}`)).body, acme);
    assert.deepEqual((await m.api('GET', '/organizations/name/acme')).body, acme);
    const temp = (await m.api('POST', '/organizations', { name: 'initech' })).body;
    const renamed = await m.api('PATCH', `/organizations/${temp.id}`, { display_name: 'Initech', name: 'initech-2' });
    assert.deepEqual(renamed.body, { id: temp.id, name: 'initech-2', display_name: 'Initech', metadata: {} });
    assert.equal((await m.api('PATCH', `/organizations/${temp.id}`, { name: 'acme' })).status, 409);
    const list = await m.api('GET', '/organizations?include_totals=true');
    assert.deepEqual(
      list.body.organizations.map((o: { name: string }) => o.name),
      ['acme', 'globex', 'initech-2'],
    );
    assert.equal((await m.api('DELETE', `/organizations/${temp.id}`)).status, 204);
    assert.equal((await m.api('GET', `/organizations/${temp.id}`)).status, 404);
  });

  test('a grant that allows organizations: org_id and org_name for an authorized one, by id or by name', async () => {
    await usage({ organization_usage: 'allow' });
    const associated = await m.api('POST', `/organizations/${acme.id}/client-grants`, { grant_id: app.grantId });
    assert.equal(associated.status, 201, JSON.stringify(associated.body));
    assert.equal(associated.body.id, app.grantId);
    assert.equal(
      (await m.api('POST', `/organizations/${acme.id}/client-grants`, { grant_id: app.grantId })).status,
      409,
    );
    assert.deepEqual(
      (await m.api('GET', `/organizations/${acme.id}/client-grants`)).body.map((g: { id: string }) => g.id),
      [app.grantId],
    );

    for (const organization of [acme.id, 'acme']) {
      const { status, body } = await requestToken(m, app, { organization });
      assert.equal(status, 200, JSON.stringify(body));
      const claims = await verify(body.access_token);
      assert.equal(claims.org_id, acme.id);
      assert.equal(claims.org_name, 'acme');
    }
    const plain = await requestToken(m, app);
    assert.equal(plain.status, 200);
    assert.equal((await verify(plain.body.access_token)).org_id, undefined);

    const logs = await m.api('GET', `/logs?type=seccft&client_id=${app.clientId}&per_page=10`);
    assert.ok(logs.body.some((r: { details: { organization_id?: string } }) => r.details.organization_id === acme.id));
  });

  test('an organization not authorized for the grant, or unknown, is one 403; allow_any_organization lifts it', async () => {
    await usage({ organization_usage: 'allow', allow_any_organization: false });
    for (const organization of [globex.id, 'no-such-org']) {
      const { status, body } = await requestToken(m, app, { organization });
      assert.equal(status, 403);
      assert.deepEqual(body, {
        error: 'access_denied',
        error_description: `The organization ${organization} is not authorized for this client grant`,
      });
    }
    await usage({ allow_any_organization: true });
    const { status, body } = await requestToken(m, app, { organization: 'globex' });
    assert.equal(status, 200);
    assert.equal((await verify(body.access_token)).org_id, globex.id);
    assert.equal((await requestToken(m, app, { organization: 'no-such-org' })).status, 403);
    await usage({ allow_any_organization: false });
  });

  test('organization_usage require needs one; deny refuses one', async () => {
    await usage({ organization_usage: 'require' });
    const missing = await requestToken(m, app);
    assert.equal(missing.status, 400);
    assert.equal(missing.body.error, 'invalid_request');
    assert.match(missing.body.error_description, /requires an organization/);
    assert.equal((await requestToken(m, app, { organization: 'acme' })).status, 200);
    await usage({ organization_usage: 'deny' });
    const refused = await requestToken(m, app, { organization: 'acme' });
    assert.equal(refused.status, 400);
    assert.match(refused.body.error_description, /does not take an organization/);
    await usage({ organization_usage: 'allow' });
  });

  test("a client's default_organization stands in when its grant requires one and the request names none", async () => {
    assert.equal(
      (
        await m.api('PATCH', `/clients/${app.clientId}`, {
          default_organization: { organization_id: 'org_nope', flows: ['client_credentials'] },
        })
      ).status,
      404,
    );
    assert.equal(
      (
        await m.api('PATCH', `/clients/${app.clientId}`, {
          default_organization: { organization_id: acme.id, flows: ['password'] },
        })
      ).status,
      400,
    );
    const patched = await m.api('PATCH', `/clients/${app.clientId}`, {
      default_organization: { organization_id: acme.id, flows: ['client_credentials'] },
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.deepEqual(patched.body.default_organization, { organization_id: acme.id, flows: ['client_credentials'] });

    await usage({ organization_usage: 'require' });
    const defaulted = await requestToken(m, app);
    assert.equal(defaulted.status, 200, JSON.stringify(defaulted.body));
    assert.equal((await verify(defaulted.body.access_token)).org_id, acme.id);
    await usage({ organization_usage: 'allow' });
    assert.equal(
      (await verify((await requestToken(m, app)).body.access_token)).org_id,
      undefined,
      'only when the grant requires one',
    );
    assert.equal((await m.api('PATCH', `/clients/${app.clientId}`, { default_organization: null })).status, 200);
  });

  test("Kinde's own mapOrgToM2MApplication workflow runs unmodified: organization?code= answered in process", async () => {
    const path = 'kindeSrc/environment/workflows/m2m/mapOrgToM2MApplicationWorkflow.ts';
    const code = readFileSync(join(kindeFixturesDir(), 'project', path), 'utf8');
    assert.equal((await m.api('PUT', `/clients/${app.clientId}/properties/org_code`, { value: acme.id })).status, 200);
    await bind(m, 'm2m:token_generation', [
      await deployAction(m, { name: 'map-org', code, trigger: 'm2m:token_generation', entry_path: path }),
    ]);
    try {
      const { status, body } = await requestToken(m, app);
      assert.equal(status, 200, JSON.stringify(body));
      const claims = await verify(body.access_token);
      assert.deepEqual([claims.applicationId, claims.orgName, claims.orgCode], [app.clientId, 'Acme Inc.', acme.id]);
    } finally {
      await bind(m, 'm2m:token_generation', []);
    }
  });

  test('an Auth0 action reads event.organization; removing the association takes effect at once', async () => {
    const code = `exports.onExecuteCredentialsExchange = async (event, api) => {
  api.accessToken.setCustomClaim('https://example.com/org', event.organization ? event.organization.display_name + '/' + event.organization.metadata.tier : 'none');
};`;
    await bind(m, 'credentials-exchange', [await deployAction(m, { name: 'org-claim', code })]);
    try {
      const withOrg = await requestToken(m, app, { organization: 'acme' });
      assert.equal((await verify(withOrg.body.access_token))['https://example.com/org'], 'Acme Inc./gold');
      const without = await requestToken(m, app);
      assert.equal((await verify(without.body.access_token))['https://example.com/org'], 'none');
    } finally {
      await bind(m, 'credentials-exchange', []);
    }
    assert.equal((await m.api('DELETE', `/organizations/${acme.id}/client-grants/${app.grantId}`)).status, 204);
    assert.equal((await m.api('DELETE', `/organizations/${acme.id}/client-grants/${app.grantId}`)).status, 404);
    assert.equal((await requestToken(m, app, { organization: 'acme' })).status, 403);
  });
});
