/**
 * Auth0's list paging, the one place the management API reads paging parameters and shapes a list's answer.
 *
 * - Offset paging: `page` (from 0), `per_page` (1…100, default 50), `include_totals`. Without totals the answer is
 *   the bare array; with them `{<collection>: [...], start, limit, total}`. The actions family always answers
 *   `{<collection>: [...], total, page, per_page}`, as Auth0's actions API does.
 * - Checkpoint paging, on the routes Auth0 documents it for (client grants, organizations): `take` (1…100, default
 *   50) and `from`, the opaque `next` of the page before. The answer is `{<collection>: [...], next}`; `next` is
 *   absent on the last page. A request carrying `from` or `take` is a checkpoint request (`include_totals` is then
 *   ignored, as Auth0 does); `page` or `per_page` beside them is refused.
 *
 * Lists are paged in memory: they hold configuration (clients, APIs, grants), not traffic. Logs page in SQL
 * (logs.ts) and use this module's parameters and errors.
 */
import { BadRequest } from '../errors.js';

/**
 * The last page a list can be asked for: with 100 a page, an offset of at most 10^7 rows, which PostgreSQL's
 * `offset` and a JS array index both take (`page=1e300` is a number too, and was a 500 from the database).
 */
export const MAX_PAGE = 100_000;
/** Auth0's page size limits. */
export const MAX_PER_PAGE = 100;
export const DEFAULT_PER_PAGE = 50;

const pageSchema = { type: 'integer', minimum: 0, maximum: MAX_PAGE } as const;
const perPageSchema = { type: 'integer', minimum: 1, maximum: MAX_PER_PAGE } as const;

/** Query properties of offset paging (no defaults: the parser must see what the caller sent). */
export const offsetPagingSchema = {
  page: pageSchema,
  per_page: perPageSchema,
  include_totals: { type: 'boolean' },
} as const;

/** Query properties of a route that also takes checkpoint paging. */
export const checkpointPagingSchema = {
  ...offsetPagingSchema,
  from: { type: 'string', minLength: 1, maxLength: 512 },
  take: perPageSchema,
} as const;

/** Paging parameters as they arrive (after the schema's type checks). */
export interface PagingQuery {
  page?: number;
  per_page?: number;
  include_totals?: boolean;
  from?: string;
  take?: number;
}

/** What a request asks for, parsed once. */
export type Paging =
  | { kind: 'offset'; page: number; perPage: number; totals: boolean }
  | { kind: 'checkpoint'; after: string | undefined; take: number };

const badQuery = (message: string) =>
  new BadRequest(`Payload validation error: ${message}`, { errorCode: 'invalid_query_string' });

/**
 * The paging a request asks for. `checkpoint`: whether the route takes `from`/`take` (on other routes they are
 * refused by name rather than silently ignored); `rawFrom`: `from` is an id the caller knows (logs), not a cursor.
 */
export function parsePaging(query: PagingQuery, options: { checkpoint: boolean; rawFrom?: boolean }): Paging {
  const wantsCheckpoint = query.from !== undefined || query.take !== undefined;
  if (wantsCheckpoint) {
    if (!options.checkpoint) {
      throw badQuery('querystring: this list pages by page and per_page; it does not take from or take');
    }
    if (query.page !== undefined || query.per_page !== undefined) {
      throw badQuery(
        'querystring: page and per_page cannot be combined with from and take; ' +
          'use page/per_page (offset paging) or from/take (checkpoint paging)',
      );
    }
    const after = query.from === undefined || options.rawFrom ? query.from : decodeCursor(query.from);
    return { kind: 'checkpoint', after, take: query.take ?? DEFAULT_PER_PAGE };
  }
  return {
    kind: 'offset',
    page: query.page ?? 0,
    perPage: query.per_page ?? DEFAULT_PER_PAGE,
    totals: query.include_totals ?? false,
  };
}

/**
 * A checkpoint cursor: base64url of the last item's sort key. Keys sort as the list does (see {@link creationKey}),
 * so the next page is "every item after the cursor" however many items were added or deleted meanwhile.
 */
export function encodeCursor(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

function decodeCursor(from: string): string {
  const key = /^[A-Za-z0-9_-]+$/.test(from) ? Buffer.from(from, 'base64url').toString('utf8') : '';
  if (!CREATION_KEY.test(key)) {
    throw badQuery('querystring.from is not a cursor of this list; send the next of the previous page');
  }
  return key;
}

/** `created_at` (ISO 8601, fixed width) then id: creation order, ties broken by id, comparable as one string. */
const CREATION_KEY = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z./s;

/** The sort key of a row in creation order: what the cursor of a checkpoint page holds. */
export function creationKey(row: { created_at: Date; id: string }): string {
  return row.created_at.toISOString() + row.id;
}

/** One page of `items` by offset: the bare array, or `{<key>: [...], start, limit, total}` with `include_totals`. */
export function offsetPage<T>(
  items: readonly T[],
  paging: Extract<Paging, { kind: 'offset' }>,
  key: string,
): T[] | Record<string, unknown> {
  const start = paging.page * paging.perPage;
  const slice = items.slice(start, start + paging.perPage);
  if (!paging.totals) return slice;
  return { [key]: slice, start, limit: paging.perPage, total: items.length };
}

/** One page by checkpoint: the rows after the cursor in key order, `{<key>: [...], next?}`. */
export function checkpointPage<R, V>(
  rows: readonly R[],
  paging: Extract<Paging, { kind: 'checkpoint' }>,
  key: string,
  sortKey: (row: R) => string,
  view: (row: R) => V,
): { next?: string } & Record<string, unknown> {
  const keyed = rows.map((row) => ({ row, sort: sortKey(row) }));
  keyed.sort((a, b) => (a.sort < b.sort ? -1 : a.sort > b.sort ? 1 : 0));
  const after = paging.after;
  const rest = after === undefined ? keyed : keyed.filter((k) => k.sort > after);
  const page = rest.slice(0, paging.take);
  const more = rest.length > page.length;
  return { [key]: page.map((k) => view(k.row)), ...(more && { next: encodeCursor(page.at(-1)!.sort) }) };
}

/**
 * A list route's answer: offset or checkpoint paging as the request asks. `sortKey` makes the route take
 * checkpoint paging (Auth0 documents it for client grants and organizations).
 */
export function pagedList<R, V>(
  rows: readonly R[],
  query: PagingQuery,
  key: string,
  view: (row: R) => V,
  sortKey?: (row: R) => string,
): V[] | Record<string, unknown> {
  const paging = parsePaging(query, { checkpoint: sortKey !== undefined });
  if (paging.kind === 'checkpoint') return checkpointPage(rows, paging, key, sortKey!, view);
  return offsetPage(rows.map(view), paging, key);
}

/** Query properties of the actions family's paging (`page`, `per_page`; Auth0 always counts these lists). */
export const actionsPagingSchema = { page: pageSchema, per_page: perPageSchema } as const;

/** The page of the actions family's list that `query` asks for, with the counts Auth0 answers beside it. */
export function countedSlice<T>(items: readonly T[], query: { page?: number; per_page?: number }) {
  const page = query.page ?? 0;
  const perPage = query.per_page ?? DEFAULT_PER_PAGE;
  return { slice: items.slice(page * perPage, (page + 1) * perPage), total: items.length, page, per_page: perPage };
}

/** The actions family's answer, Auth0's `{<key>: [...], total, page, per_page}`. */
export function countedPage<T>(
  items: readonly T[],
  query: { page?: number; per_page?: number },
  key: string,
): Record<string, unknown> {
  const { slice, ...counts } = countedSlice(items, query);
  return { [key]: slice, ...counts };
}
