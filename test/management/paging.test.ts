/**
 * Auth0's list paging on the management API: `page` (from 0), `per_page` (1…100, default 50), and
 * `include_totals`, which wraps the page as `{total, start, limit, <resource>: [...]}`. Paging is applied to the
 * list in memory, so the suite runs on one storage (see `anyStorage`); the lists themselves are covered per
 * resource on both storages.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { anyStorage, assertManagementError, startMinter, type RunningMinter } from '../helpers/minter.js';

describe(`management API paging (${anyStorage})`, () => {
  let m: RunningMinter;
  before(async () => {
    m = await startMinter({ storage: anyStorage });
    for (let i = 0; i < 4; i++) {
      const identifier = `https://paged-${i}.example.com`;
      await m.api('POST', '/resource-servers', { identifier, scopes: [{ value: 'r:x' }] });
      const client = await m.api('POST', '/clients', { name: `paged-${i}` });
      await m.api('POST', '/client-grants', { client_id: client.body.client_id, audience: identifier, scope: ['r:x'] });
    }
  });
  after(() => m?.close());

  for (const [path, key] of [
    ['/clients', 'clients'],
    ['/resource-servers', 'resource_servers'],
    ['/client-grants', 'client_grants'],
  ] as const) {
    test(`${path}: include_totals wraps each page as {total, start, limit, ${key}}; pages partition the list`, async () => {
      const all = (await m.api('GET', path)).body as unknown[];
      assert.ok(Array.isArray(all) && all.length >= 5, 'without include_totals the answer is the bare array');
      const pages: unknown[] = [];
      for (let page = 0; page * 2 < all.length; page++) {
        const response = await m.api('GET', `${path}?page=${page}&per_page=2&include_totals=true`);
        assert.equal(response.status, 200);
        assert.deepEqual(Object.keys(response.body).sort(), ['limit', key, 'start', 'total'].sort());
        assert.deepEqual(
          { total: response.body.total, start: response.body.start, limit: response.body.limit },
          { total: all.length, start: page * 2, limit: 2 },
        );
        pages.push(...response.body[key]);
      }
      assert.deepEqual(pages, all);
      const beyond = await m.api('GET', `${path}?page=100&per_page=2&include_totals=true`);
      assert.deepEqual(beyond.body[key], []);
      assert.deepEqual((await m.api('GET', `${path}?page=1&per_page=2`)).body, all.slice(2, 4));
    });
  }

  test('per_page outside 1…100 and a negative page are 400 naming the query parameter', async () => {
    for (const [query, message] of [
      ['per_page=0', 'querystring.per_page must be >= 1'],
      ['per_page=101', 'querystring.per_page must be <= 100'],
      ['page=-1', 'querystring.page must be >= 0'],
      ['page=first', 'querystring.page must be integer'],
    ]) {
      assertManagementError(
        await m.api('GET', `/clients?${query}`),
        400,
        'Bad Request',
        `Payload validation error: ${message}`,
        'invalid_query_string',
      );
    }
  });
});
