/**
 * Auth0's own SDKs list every item through Minter's paging: the `auth0` package v5 (`auth0-v5`) and v7. Both page
 * client grants, organizations and a grant's organizations by checkpoint (`take`, then `from` = the previous page's `next`) and the other
 * lists by `page`/`per_page` with `include_totals=true`; a list of more than one page must come back whole. (v5 once
 * read `[]`: Minter answered a checkpoint request with a bare array.) The SDKs speak https only: the test serves
 * http and rewrites their URLs (helpers/https-rewrite.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ManagementClient as ManagementClientV7 } from 'auth0';
import { ManagementClient as ManagementClientV5 } from 'auth0-v5';
import { rewriteHttpsTo } from '../helpers/https-rewrite.js';
import { anyStorage, startMinter, type RunningMinter } from '../helpers/minter.js';

/** More than one default page (50) of organizations and of client grants. */
const ORGANIZATIONS = 55;
const CLIENTS = 28;
const APIS = 2;
const ACTIONS = 7;

/** Every item of a Fern SDK page, following its pages. */
async function all<T>(page: AsyncIterable<T> | Promise<AsyncIterable<T>>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of await page) items.push(item);
  return items;
}

const ids = (items: Array<{ id?: string }>) => items.map((i) => i.id!).sort();

describe(`Auth0 SDKs list every item across pages (${anyStorage})`, () => {
  let m: RunningMinter;
  let restoreFetch: () => void;
  const expected = { grants: [] as string[], organizations: [] as string[], clients: [] as string[] };
  let organizationId: string;
  let sharedGrant: string;

  before(async () => {
    m = await startMinter({ storage: anyStorage });
    const must = async (method: string, path: string, body?: unknown) => {
      const response = await m.api(method, path, body);
      assert.ok(response.status < 300, `${method} ${path}: ${response.status} ${JSON.stringify(response.body)}`);
      return response.body;
    };
    for (let i = 0; i < ORGANIZATIONS; i++) {
      expected.organizations.push((await must('POST', '/organizations', { name: `org-${i}` })).id);
    }
    organizationId = expected.organizations[0]!;
    const audiences = [];
    for (let i = 0; i < APIS; i++) {
      audiences.push(`https://paged-${i}.example.com`);
      await must('POST', '/resource-servers', { identifier: audiences[i], scopes: [{ value: 'read:x' }] });
    }
    for (let i = 0; i < CLIENTS; i++) {
      const client = await must('POST', '/clients', { name: `svc-${i}` });
      expected.clients.push(client.client_id);
      for (const audience of audiences) {
        const grant = await must('POST', '/client-grants', {
          client_id: client.client_id,
          audience,
          scope: ['read:x'],
        });
        expected.grants.push(grant.id);
      }
    }
    for (const grant of expected.grants.slice(0, 12)) {
      await must('POST', `/organizations/${organizationId}/client-grants`, { grant_id: grant });
    }
    // One grant in every organization: more than a page of organizations for /client-grants/{id}/organizations.
    sharedGrant = expected.grants[0]!;
    for (const organization of expected.organizations.slice(1)) {
      await must('POST', `/organizations/${organization}/client-grants`, { grant_id: sharedGrant });
    }
    for (let i = 0; i < ACTIONS; i++) {
      await must('POST', '/actions/actions', {
        name: `action-${i}`,
        supported_triggers: [{ id: 'credentials-exchange', version: 'v2' }],
        code: 'exports.onExecuteCredentialsExchange = async () => {};',
      });
    }
    // The admin client and its grants (Auth0's /api/v2 and Kinde's /api) exist from the start.
    expected.clients.push(m.admin.clientId);
    for (const grant of await must('GET', `/client-grants?client_id=${m.admin.clientId}`))
      expected.grants.push(grant.id);
    expected.grants.sort();
    expected.organizations.sort();
    expected.clients.sort();
    restoreFetch = rewriteHttpsTo(m.baseUrl);
  });
  after(async () => {
    restoreFetch?.();
    await m?.close();
  });

  const options = () => ({
    domain: new URL(m.baseUrl).host,
    clientId: m.admin.clientId,
    clientSecret: m.admin.clientSecret,
    audience: `${m.issuer}/api/v2/`,
  });

  test('auth0 v5: clientGrants.list() and organizations.list() (checkpoint, take=50) return every item', async () => {
    const client = new ManagementClientV5(options());
    assert.deepEqual(ids(await all(client.clientGrants.list())), expected.grants);
    assert.deepEqual(ids(await all(client.organizations.list())), expected.organizations);
    assert.deepEqual(ids(await all(client.clientGrants.list({ take: 7 }))), expected.grants);
    assert.deepEqual(ids(await all(client.clientGrants.organizations.list(sharedGrant))), expected.organizations);
  });

  test('auth0 v5: page/per_page lists (clients, APIs, actions, organization grants) return every item', async () => {
    const client = new ManagementClientV5(options());
    const clients = await all(client.clients.list({ per_page: 9 }));
    assert.deepEqual(clients.map((c) => c.client_id).sort(), expected.clients);
    assert.equal((await all(client.resourceServers.list({ per_page: 2 }))).length, APIS + 2); // + the two management APIs
    assert.equal((await all(client.actions.list({ per_page: 3 }))).length, ACTIONS);
    const orgGrants = await all(client.organizations.clientGrants.list(organizationId, { per_page: 5 }));
    assert.deepEqual(ids(orgGrants), expected.grants.filter((g) => orgGrants.some((o) => o.id === g)).sort());
    assert.equal(orgGrants.length, 12);
  });

  test('auth0 v7: the same lists return every item (checkpoint with include_totals=true too)', async () => {
    const client = new ManagementClientV7(options());
    assert.deepEqual(ids(await all(client.clientGrants.list())), expected.grants);
    assert.deepEqual(ids(await all(client.organizations.list())), expected.organizations);
    assert.deepEqual(ids(await all(client.organizations.list({ take: 10 }))), expected.organizations);
    assert.deepEqual(ids(await all(client.clientGrants.organizations.list(sharedGrant))), expected.organizations);
    const clients = await all(client.clients.list({ per_page: 9 }));
    assert.deepEqual(clients.map((c) => c.client_id).sort(), expected.clients);
    assert.equal((await all(client.resourceServers.list({ per_page: 2 }))).length, APIS + 2); // + the two management APIs
    assert.equal((await all(client.actions.list({ per_page: 3 }))).length, ACTIONS);
    assert.equal((await all(client.organizations.clientGrants.list(organizationId, { per_page: 5 }))).length, 12);
  });
});
