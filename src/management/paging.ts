/** Auth0's list paging: `page` (from 0), `per_page` (≤ 100, default 50) and `include_totals`. */

export const pagingQuerySchema = {
  page: { type: 'integer', minimum: 0, default: 0 },
  per_page: { type: 'integer', minimum: 1, maximum: 100, default: 50 },
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
