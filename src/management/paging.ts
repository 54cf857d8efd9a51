/** Auth0's list paging: `page` (from 0), `per_page` (≤ 100, default 50) and `include_totals`. */

/**
 * The last page a list can be asked for: with 100 a page, an offset of at most 10^7 rows, which PostgreSQL's
 * `offset` and a JS array index both take (`page=1e300` is a number too, and was a 500 from the database).
 */
export const MAX_PAGE = 100_000;

export const pageSchema = { type: 'integer', minimum: 0, maximum: MAX_PAGE, default: 0 } as const;
export const perPageSchema = { type: 'integer', minimum: 1, maximum: 100, default: 50 } as const;

export const pagingQuerySchema = {
  page: pageSchema,
  per_page: perPageSchema,
  include_totals: { type: 'boolean', default: false },
} as const;

export interface PagingQuery {
  page: number;
  per_page: number;
  include_totals: boolean;
}

/** One page of `items`: the bare array, or `{total, start, limit, <key>: [...]}` with `include_totals`. */
export function page<T>(items: T[], query: PagingQuery, key: string): T[] | Record<string, unknown> {
  const start = query.page * query.per_page;
  const slice = items.slice(start, start + query.per_page);
  if (!query.include_totals) return slice;
  return { total: items.length, start, limit: query.per_page, [key]: slice };
}
