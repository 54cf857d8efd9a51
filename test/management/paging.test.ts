/**
 * Auth0's list paging on the management API: `page` (from 0), `per_page` (1…100, default 50), and
 * `include_totals`, which wraps the page as `{total, start, limit, <resource>: [...]}`; checkpoint paging (`take`,
 * `from`) on client grants and organizations, answered `{<resource>: [...], next}`, and on logs (a bare array and a
 * `Link` header, as Auth0's). Paging is applied to the list in memory, so the suite runs on one storage (see
 * `anyStorage`); the lists themselves are covered per resource on both storages.
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
      await m.api('POST', '/organizations', { name: `paged-${i}` });
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
  for (const [path, key] of [
    ['/client-grants', 'client_grants'],
    ['/organizations', 'organizations'],
  ] as const) {
    test(`${path}: checkpoint take/from answers {${key}, next}; next is absent on the last page (Auth0 checkpoint paging)`, async () => {
      const all = (await m.api('GET', path)).body as Array<{ id: string }>;
      assert.ok(all.length >= 4);
      const seen: string[] = [];
      let from: string | undefined;
      for (let pages = 1; ; pages++) {
        const response = await m.api('GET', `${path}?take=3${from ? `&from=${from}` : ''}&include_totals=true`);
        assert.equal(response.status, 200);
        const { [key]: items, next, ...rest } = response.body;
        assert.deepEqual(rest, {}, 'nothing but the page and its next cursor');
        seen.push(...(items as Array<{ id: string }>).map((i) => i.id));
        if (next === undefined) {
          assert.equal(pages, Math.ceil(all.length / 3));
          break;
        }
        assert.match(next, /^[A-Za-z0-9_-]+$/, 'an opaque, URL-safe cursor');
        assert.equal(items.length, 3);
        from = next;
      }
      assert.deepEqual(seen.sort(), all.map((i) => i.id).sort(), 'every item once');
      assert.deepEqual(Object.keys((await m.api('GET', `${path}?take=100`)).body), [key], 'one page: no next');
    });
  }

  test('checkpoint paging: a cursor that is not one, page with take, and from on a list without it are 400', async () => {
    for (const [query, message] of [
      [
        '/organizations?from=not-a-cursor',
        'querystring.from is not a cursor of this list; send the next of the previous page',
      ],
      ['/organizations?take=0', 'querystring.take must be >= 1'],
      ['/client-grants?take=101', 'querystring.take must be <= 100'],
      [
        '/client-grants?take=5&page=1',
        'querystring: page and per_page cannot be combined with from and take; use page/per_page (offset paging) or from/take (checkpoint paging)',
      ],
      ['/clients?take=5', 'querystring: this list pages by page and per_page; it does not take from or take'],
    ]) {
      assertManagementError(
        await m.api('GET', query!),
        400,
        'Bad Request',
        `Payload validation error: ${message}`,
        'invalid_query_string',
      );
    }
  });

  test('actions, versions and bindings answer {<list>, total, page, per_page} (Auth0 actions paging)', async () => {
    const body = (await m.api('GET', '/actions/actions?per_page=2&page=3')).body;
    assert.deepEqual(body, { actions: [], total: 0, page: 3, per_page: 2 });
    assert.deepEqual((await m.api('GET', '/actions/triggers/credentials-exchange/bindings')).body, {
      bindings: [],
      total: 0,
      page: 0,
      per_page: 50,
    });
  });

  test('logs: a checkpoint page is a bare array with Link rel="next"; an empty page links to itself', async () => {
    const page = await m.api('GET', '/logs?take=1'); // the admin's token requests are logged (seccft)
    assert.equal(page.status, 200);
    assert.equal(page.body.length, 1);
    const first = page.body[0].log_id as string;
    assert.equal(page.headers.get('link'), `<${m.issuer}/api/v2/logs?take=1&from=${first}>; rel="next"`);
    const newest = (await m.api('GET', '/logs?per_page=1')).body[0].log_id as string;
    const empty = await m.api('GET', `/logs?from=${newest}&take=5`);
    assert.deepEqual(empty.body, []);
    assert.equal(empty.headers.get('link'), `<${m.issuer}/api/v2/logs?from=${newest}&take=5>; rel="next"`);
  });
});
