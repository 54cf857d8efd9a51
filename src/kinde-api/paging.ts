/**
 * Kinde's list paging: `page_size` (10 when not sent, at most 500 — Kinde's ceiling) and `next_token`, the opaque
 * cursor the previous page answered with (`null` on the last page). The cursor holds the order and the last item's
 * sort key, not an offset, so a walk returns every item that exists throughout it exactly once, even when others are
 * created or deleted between its pages.
 */
import { KindeError } from '../errors.js';

export const DEFAULT_PAGE_SIZE = 10;
export const MAX_PAGE_SIZE = 500;

export const pagingQuerySchema = {
  page_size: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE },
  next_token: { type: 'string', minLength: 1, maxLength: 2048 },
} as const;

export interface PagingQuery {
  page_size?: number;
  next_token?: string;
}

/** How a list is ordered: a name for the cursor, each item's sort key (ending with a unique id), a direction. */
export interface Order<T> {
  name: string;
  key: (item: T) => string[];
  descending?: boolean;
}

function compareKeys(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? '';
    const y = b[i] ?? '';
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

const encode = (order: string, key: string[]) => Buffer.from(JSON.stringify([order, ...key])).toString('base64url');

function decode(token: string, order: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || parsed.length < 2 || !parsed.every((part) => typeof part === 'string'))
    throw new KindeError(400, 'INVALID_NEXT_TOKEN', 'next_token is not one this server answered with');
  if (parsed[0] !== order)
    throw new KindeError(
      400,
      'INVALID_NEXT_TOKEN',
      `next_token belongs to a list sorted by ${parsed[0]}, not ${order}`,
    );
  return parsed.slice(1) as string[];
}

/** One page of `items` in `order`, and the token for the next one (null when this is the last). */
export function kindePage<T>(
  items: readonly T[],
  query: PagingQuery,
  order: Order<T>,
): { items: T[]; next_token: string | null } {
  const direction = order.descending ? -1 : 1;
  const compare = (a: T, b: T) => direction * compareKeys(order.key(a), order.key(b));
  const sorted = [...items].sort(compare);
  let start = 0;
  if (query.next_token !== undefined) {
    const after = decode(query.next_token, order.name);
    start = sorted.findIndex((item) => direction * compareKeys(order.key(item), after) > 0);
    if (start === -1) start = sorted.length;
  }
  const size = query.page_size ?? DEFAULT_PAGE_SIZE;
  const page = sorted.slice(start, start + size);
  const more = start + size < sorted.length;
  return { items: page, next_token: more ? encode(order.name, order.key(page.at(-1)!)) : null };
}
