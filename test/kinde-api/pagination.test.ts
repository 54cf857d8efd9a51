/**
 * Kinde's list paging on `/api/v1` (issue 14): `page_size` (10 by default, at most 500) and `next_token`, null on the
 * last page. A walk returns every item once, in the list's order, even when items are created or deleted between
 * its pages; a token from another order, or not one the server made, is a 400.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { adminKindeApi, type KindeCall } from '../helpers/kinde-api.js';
import { anyStorage, startMinter, type RunningMinter } from '../helpers/minter.js';

/** Follows `next_token` from the first page; the ids of every page, and how many pages there were. */
async function walk(v1: KindeCall, path: string, key: string, id: string, between?: (page: number) => Promise<void>) {
  const pages: string[][] = [];
  let next: string | null = null;
  do {
    const separator = path.includes('?') ? '&' : '?';
    const url: string = next === null ? path : `${path}${separator}next_token=${encodeURIComponent(next)}`;
    const response = await v1('GET', url);
    assert.equal(response.status, 200, response.text);
    pages.push(response.body[key].map((item: any) => item[id]));
    next = response.body.next_token;
    if (between && next !== null) await between(pages.length);
  } while (next !== null);
  return pages;
}

describe(`Kinde API paging (${anyStorage})`, () => {
  let m: RunningMinter;
  let v1: KindeCall;
  const applications: Array<{ id: string; name: string }> = [];

  before(async () => {
    m = await startMinter({ storage: anyStorage });
    v1 = await adminKindeApi(m);
    for (let i = 0; i < 23; i++) {
      const name = `service ${String.fromCharCode(122 - i)}`; // created z, y, x, …: name order is not creation order
      const created = await v1('POST', '/applications', { name, type: 'm2m' });
      assert.equal(created.status, 201, created.text);
      applications.push({ id: created.body.application.id, name });
    }
  });
  after(() => m?.close());

  test('page_size + next_token walks every application once, in creation order; the last token is null', async () => {
    const pages = await walk(v1, '/applications?page_size=5', 'applications', 'id');
    assert.deepEqual(
      pages.map((p) => p.length),
      [5, 5, 5, 5, 3],
    );
    assert.deepEqual(
      pages.flat(),
      applications.map((a) => a.id),
    );
    const first = await v1('GET', '/applications');
    assert.equal(first.body.applications.length, 10, 'Kinde: 10 when page_size is not sent');
  });

  test('sort=name_asc and name_desc walk in name order', async () => {
    const byName = [...applications].sort((a, b) => (a.name < b.name ? -1 : 1)).map((a) => a.id);
    assert.deepEqual((await walk(v1, '/applications?page_size=4&sort=name_asc', 'applications', 'id')).flat(), byName);
    assert.deepEqual(
      (await walk(v1, '/applications?page_size=7&sort=name_desc', 'applications', 'id')).flat(),
      [...byName].reverse(),
    );
  });

  test('creations and deletions between pages: everything present throughout is listed once', async () => {
    const removed = applications[7]!.id; // on the second page of six
    const added: string[] = [];
    const pages = await walk(v1, '/applications?page_size=6', 'applications', 'id', async (page) => {
      if (page === 1) assert.equal((await v1('DELETE', `/applications/${removed}`)).status, 200);
      const created = await v1('POST', '/applications', { name: `late ${page}`, type: 'm2m' });
      added.push(created.body.application.id);
    });
    const seen = pages.flat();
    assert.equal(new Set(seen).size, seen.length, 'no item twice');
    for (const { id } of applications) if (id !== removed) assert.ok(seen.includes(id), id);
    assert.ok(!seen.includes(removed));
    // New applications sort after every existing one (creation order): still ahead of the cursor, so listed too.
    for (const id of added) assert.ok(seen.includes(id), id);
  });

  test('organizations and environment variables page the same way', async () => {
    const codes: string[] = [];
    for (let i = 0; i < 12; i++) {
      const created = await v1('POST', '/organization', { name: `Tenant ${String(i).padStart(2, '0')}` });
      codes.push(created.body.organization.code);
    }
    assert.deepEqual((await walk(v1, '/organizations?page_size=5', 'organizations', 'code')).flat(), codes);
    assert.deepEqual(
      (await walk(v1, '/organizations?page_size=5&sort=name_desc', 'organizations', 'code')).flat(),
      [...codes].reverse(),
    );
    for (let i = 0; i < 7; i++)
      await v1('POST', '/environment_variables', { key: `VAR_${i}`, value: String(i), is_secret: i % 2 === 0 });
    const all = await v1('GET', '/environment_variables');
    assert.equal(all.body.environment_variables.length, 7, 'Kinde answers every variable at once');
    assert.equal(all.body.has_more, false);
    const paged = await v1('GET', '/environment_variables?page_size=3');
    assert.equal(paged.body.has_more, true);
    assert.deepEqual((await walk(v1, '/environment_variables?page_size=3', 'environment_variables', 'key')).flat(), [
      'VAR_0',
      'VAR_1',
      'VAR_2',
      'VAR_3',
      'VAR_4',
      'VAR_5',
      'VAR_6',
    ]);
  });

  test('a next_token not made by the server, or for another order, and a page_size over 500 are 400s', async () => {
    const garbage = await v1('GET', '/applications?next_token=not-a-token');
    assert.equal(garbage.status, 400);
    assert.deepEqual(garbage.body, {
      errors: [{ code: 'INVALID_NEXT_TOKEN', message: 'next_token is not one this server answered with' }],
    });
    const token = (await v1('GET', '/applications?page_size=2&sort=name_asc')).body.next_token;
    const other = await v1('GET', `/applications?sort=name_desc&next_token=${token}`);
    assert.equal(other.status, 400);
    assert.equal(other.body.errors[0].code, 'INVALID_NEXT_TOKEN');
    const big = await v1('GET', '/applications?page_size=501');
    assert.equal(big.status, 400);
    assert.deepEqual(big.body, {
      errors: [{ code: 'INVALID_REQUEST', message: 'Invalid request: querystring.page_size must be <= 500' }],
    });
  });
});
