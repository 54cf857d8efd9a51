/**
 * Kinde's management API resources on `/api/v1` (issue 14), mapped onto Minter's: applications (clients; M2M only),
 * their properties (the client's `properties`, the store workflows read too), APIs (resource servers) with their
 * scopes and authorized applications (client grants), organizations, and organization-scoped applications (the
 * organization in every token of the application). Exact bodies in Kinde's shapes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { claimsOf } from '../helpers/actions.js';
import { adminKindeApi, type KindeCall } from '../helpers/kinde-api.js';
import { anyStorage, postToken, startMinter, type RunningMinter } from '../helpers/minter.js';

describe(`Kinde API resources (${anyStorage})`, () => {
  let m: RunningMinter;
  let v1: KindeCall;
  const tokenFor = (client: { client_id: string; client_secret: string }, audience: string) =>
    postToken(
      m.baseUrl,
      { grant_type: 'client_credentials', client_id: client.client_id, client_secret: client.client_secret, audience },
      { path: '/oauth2/token' },
    );

  before(async () => {
    m = await startMinter({ storage: anyStorage });
    v1 = await adminKindeApi(m);
  });
  after(() => m?.close());

  test('applications: create M2M (other types a clear 400), get, update, rotate the secret, delete', async () => {
    const spa = await v1('POST', '/applications', { name: 'Web', type: 'spa' });
    assert.equal(spa.status, 400);
    assert.deepEqual(spa.body, {
      errors: [
        {
          code: 'APPLICATION_TYPE_NOT_SUPPORTED',
          message: 'Minter serves machine-to-machine applications only: type must be "m2m", not "spa"',
        },
      ],
    });
    const created = await v1('POST', '/applications', { name: 'Billing', type: 'm2m' });
    assert.equal(created.status, 201);
    const { id, client_id, client_secret } = created.body.application;
    assert.equal(id, client_id);
    assert.deepEqual(created.body, {
      code: 'OK',
      message: 'Application successfully created',
      application: { id, client_id, client_secret },
    });
    // The same application on /api/v2: one store.
    assert.equal((await m.api('GET', `/clients/${id}`)).body.name, 'Billing');

    const patched = await v1('PATCH', `/applications/${id}`, { name: 'Billing v2', homepage_uri: 'https://x' });
    assert.deepEqual(patched.body, { code: 'OK', message: 'Application successfully updated' });
    assert.equal((await v1('PATCH', `/applications/${id}`)).status, 200, 'Kinde sends no body for an empty update');
    assert.deepEqual((await v1('GET', `/applications/${id}`)).body, {
      code: 'OK',
      message: 'success',
      application: { id, name: 'Billing v2', type: 'm2m', client_id: id },
    });
    const rbac = await v1('PATCH', `/applications/${id}`, { is_access_control_enabled: true });
    assert.equal(rbac.body.errors[0].code, 'ACCESS_CONTROL_NOT_SUPPORTED');

    const rotated = await v1('POST', `/applications/${id}/rotate_secret`);
    assert.equal(rotated.status, 200);
    const fresh = rotated.body.application.client_secret;
    assert.notEqual(fresh, client_secret);
    const audience = `${m.issuer}/api/v2/`;
    await m.api('POST', '/client-grants', { client_id: id, audience, scope: [] });
    assert.equal((await tokenFor({ client_id: id, client_secret }, audience)).status, 401);
    assert.equal((await tokenFor({ client_id: id, client_secret: fresh }, audience)).status, 200);

    assert.deepEqual((await v1('DELETE', `/applications/${id}`)).body, {
      code: 'OK',
      message: 'Application successfully deleted',
    });
    const gone = await v1('GET', `/applications/${id}`);
    assert.equal(gone.status, 404);
    assert.deepEqual(gone.body, {
      errors: [{ code: 'APPLICATION_NOT_FOUND', message: `No application has the id ${id}` }],
    });
    // Minter's admin client is not a Kinde application.
    assert.equal((await v1('GET', `/applications/${m.admin.clientId}`)).status, 404);
  });

  test('properties: set through /api/v1, read by /api/v2 and by workflows (one store), booleans as text', async () => {
    const { id } = (await v1('POST', '/applications', { name: 'Props', type: 'm2m' })).body.application;
    assert.deepEqual((await v1('PUT', `/applications/${id}/properties/org_code`, { value: 'org_123' })).body, {
      code: 'OK',
      message: 'Property successfully updated',
    });
    await v1('PUT', `/applications/${id}/properties/is_trusted`, { value: true });
    assert.deepEqual((await v1('GET', `/applications/${id}/properties`)).body, {
      code: 'OK',
      message: 'Success',
      properties: [
        { id: 'org_code', key: 'org_code', name: 'org_code', description: '', value: 'org_123' },
        { id: 'is_trusted', key: 'is_trusted', name: 'is_trusted', description: '', value: 'true' },
      ],
      next_token: null,
    });
    assert.deepEqual((await m.api('GET', `/clients/${id}/properties`)).body, {
      properties: [
        { key: 'org_code', value: 'org_123' },
        { key: 'is_trusted', value: 'true' },
      ],
    });
    const badKey = await v1('PUT', `/applications/${id}/properties/has%20space`, { value: 'x' });
    assert.equal(badKey.status, 400);
  });

  test('APIs: create, scopes, authorize an application, enable a scope; the token carries it; delete', async () => {
    const { application } = (await v1('POST', '/applications', { name: 'Caller', type: 'm2m' })).body;
    const created = await v1('POST', '/apis', { name: 'Orders', audience: 'https://orders.example.com' });
    assert.equal(created.status, 200);
    const apiId = created.body.api.id;
    assert.equal((await v1('POST', '/apis', { name: 'Again', audience: 'https://orders.example.com' })).status, 400);
    const scope = await v1('POST', `/apis/${apiId}/scopes`, { key: 'read:orders', description: 'Read orders' });
    const scopeId = scope.body.scope.id;
    assert.match(scopeId, /^api_scope_[0-9a-f]{32}$/);
    await v1('POST', `/apis/${apiId}/scopes`, { key: 'write:orders' });
    assert.deepEqual((await v1('GET', `/apis/${apiId}/scopes/${scopeId}`)).body.scope, {
      id: scopeId,
      key: 'read:orders',
      description: 'Read orders',
    });
    await v1('PATCH', `/apis/${apiId}/scopes/${scopeId}`, { description: 'Read all orders' });
    assert.equal((await v1('GET', `/apis/${apiId}/scopes`)).body.scopes[0].description, 'Read all orders');

    // Not authorized yet: enabling a scope says what to do first; the token endpoint refuses.
    const early = await v1('POST', `/apis/${apiId}/applications/${application.id}/scopes/${scopeId}`);
    assert.equal(early.status, 400);
    assert.equal(early.body.errors[0].code, 'APPLICATION_NOT_AUTHORIZED');
    assert.equal((await tokenFor(application, 'https://orders.example.com')).status, 403);

    const unknown = await v1('PATCH', `/apis/${apiId}/applications`, { applications: [{ id: 'nobody' }] });
    assert.equal(unknown.body.errors[0].code, 'APPLICATION_NOT_FOUND');
    await v1('PATCH', `/apis/${apiId}/applications`, { applications: [{ id: application.id }] });
    assert.equal((await v1('POST', `/apis/${apiId}/applications/${application.id}/scopes/${scopeId}`)).status, 200);
    const issued = await tokenFor(application, 'https://orders.example.com');
    assert.equal(issued.status, 200, issued.text);
    assert.equal(claimsOf(issued.body.access_token).scope, 'read:orders');

    const api = (await v1('GET', `/apis/${apiId}`)).body.api;
    assert.deepEqual(api.applications, [
      { id: application.id, name: 'Caller', type: 'Machine to machine (M2M)', is_active: true },
    ]);
    assert.deepEqual(
      api.scopes.map((s: any) => s.key),
      ['read:orders', 'write:orders'],
    );

    // A scope deleted from the API leaves the grant; revoking the application takes its grant.
    await v1('DELETE', `/apis/${apiId}/scopes/${scopeId}`);
    const grant = (await m.api('GET', `/client-grants?client_id=${application.id}`)).body[0];
    assert.deepEqual(grant.scope, []);
    const revoked = await v1('PATCH', `/apis/${apiId}/applications`, {
      applications: [{ id: application.id, operation: 'delete' }],
    });
    assert.deepEqual(revoked.body.applications_disconnected, [application.id]);
    assert.equal((await tokenFor(application, 'https://orders.example.com')).status, 403);
    assert.deepEqual((await v1('DELETE', `/apis/${apiId}`)).body, {
      code: 'API_DELETED',
      message: 'API successfully deleted',
    });
    assert.equal((await v1('GET', `/apis/${apiId}`)).status, 404);
  });

  test('organizations: create (handle from the name), get by code or handle, update, delete', async () => {
    const created = await v1('POST', '/organization', {
      name: 'Globex Corp',
      external_id: 'crm-7',
      theme_code: 'dark',
    });
    assert.equal(created.status, 200);
    const code = created.body.organization.code;
    const again = await v1('POST', '/organization', { name: 'Globex Corp' });
    const fetched = await v1('GET', `/organization?code=${code}`);
    assert.deepEqual(
      { ...fetched.body, created_on: 'x' },
      {
        code,
        name: 'Globex Corp',
        handle: 'globex_corp',
        is_default: false,
        external_id: 'crm-7',
        is_auto_membership_enabled: false,
        created_on: 'x',
        is_suspended: false,
      },
    );
    assert.equal((await v1('GET', `/organization?code=globex_corp_2`)).body.code, again.body.organization.code);
    assert.equal((await v1('GET', '/organization')).body.errors[0].code, 'CODE_REQUIRED');
    const taken = await v1('PATCH', `/organization/${again.body.organization.code}`, { handle: 'globex_corp' });
    assert.equal(taken.body.errors[0].code, 'HANDLE_ALREADY_EXISTS');
    await v1('PATCH', `/organization/${code}`, { name: 'Globex', handle: 'globex', external_id: '' });
    const renamed = (await v1('GET', `/organization?code=${code}`)).body;
    assert.deepEqual([renamed.name, renamed.handle, renamed.external_id], ['Globex', 'globex', null]);
    // The same organization on /api/v2, and as a token request names it.
    const auth0 = (await m.api('GET', `/organizations/${code}`)).body;
    assert.deepEqual([auth0.name, auth0.display_name], ['globex', 'Globex']);
    assert.deepEqual((await v1('DELETE', `/organization/${code}`)).body, {
      code: 'OK',
      message: 'Organization successfully deleted',
    });
    const gone = await v1('GET', `/organization?code=${code}`);
    assert.equal(gone.status, 404);
    assert.equal(gone.body.errors[0].code, 'ORGANIZATION_NOT_FOUND');
  });

  test('an organization-scoped application (org_code) gets the organization in every token', async () => {
    const organization = (await v1('POST', '/organization', { name: 'Initech' })).body.organization;
    const api = (await v1('POST', '/apis', { name: 'Reports', audience: 'https://reports.example.com' })).body.api;
    const missing = await v1('POST', '/applications', { name: 'x', type: 'm2m', org_code: 'org_nope' });
    assert.equal(missing.body.errors[0].code, 'ORGANIZATION_NOT_FOUND');
    const { application } = (
      await v1('POST', '/applications', { name: 'Initech agent', type: 'm2m', org_code: organization.code })
    ).body;
    await v1('PATCH', `/apis/${api.id}/applications`, { applications: [{ id: application.id }] });
    const issued = await tokenFor(application, 'https://reports.example.com');
    assert.equal(issued.status, 200, issued.text);
    const claims = claimsOf(issued.body.access_token);
    assert.deepEqual([claims.org_id, claims.org_name], [organization.code, 'initech']);
    const listed = await v1('GET', `/organizations/${organization.code}/applications`);
    assert.deepEqual(
      listed.body.applications.map((a: any) => a.id),
      [application.id],
    );

    // Another application added after the fact (Minter's extension path), then both taken out.
    const { application: other } = (await v1('POST', '/applications', { name: 'Other', type: 'm2m' })).body;
    await v1('PATCH', `/apis/${api.id}/applications`, { applications: [{ id: other.id }] });
    assert.equal(claimsOf((await tokenFor(other, 'https://reports.example.com')).body.access_token).org_id, undefined);
    assert.equal((await v1('POST', `/organizations/${organization.code}/applications/${other.id}`)).status, 200);
    assert.equal(
      claimsOf((await tokenFor(other, 'https://reports.example.com')).body.access_token).org_id,
      organization.code,
    );
    const second = (await v1('POST', '/organization', { name: 'Hooli' })).body.organization;
    const moved = await v1('POST', `/organizations/${second.code}/applications/${other.id}`);
    assert.equal(moved.body.errors[0].code, 'APPLICATION_IN_ANOTHER_ORGANIZATION');
    assert.equal((await v1('DELETE', `/organizations/${organization.code}/applications/${other.id}`)).status, 200);
    assert.equal(claimsOf((await tokenFor(other, 'https://reports.example.com')).body.access_token).org_id, undefined);
    // Deleting the organization takes its applications out of it: their tokens carry none.
    await v1('DELETE', `/organization/${organization.code}`);
    const after = await tokenFor(application, 'https://reports.example.com');
    assert.equal(after.status, 200, after.text);
    assert.equal(claimsOf(after.body.access_token).org_id, undefined);
  });
});
