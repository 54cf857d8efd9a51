/**
 * `/api/v2/logs`: token request records (`seccft` success, `feccft` failure). Filters as query parameters or as a
 * small `q` (`type:feccft AND client_id:abc`); paging by `page`/`per_page` or by checkpoint (`from` + `take`). As
 * Auth0's, a checkpoint page is a bare array, oldest first, with the next page's URL in a `Link: <…>; rel="next"`
 * header (the same URL again when the page is empty: nothing newer yet).
 */
import type { FastifyInstance } from 'fastify';
import { BadRequest, NotFound } from '../errors.js';
import type { Flushable } from '../observability/batch-writer.js';
import type { Registry } from '../registry/registry.js';
import { countLogs, findLog, queryLogs, type LogQuery, type LogRow } from '../store/logs.js';
import { checkpointPagingSchema, parsePaging } from './paging.js';
import { idParam } from './schemas.js';

export function logView(row: LogRow) {
  return {
    log_id: row.log_id,
    date: row.date.toISOString(),
    type: row.type,
    description: row.description,
    client_id: row.client_id,
    client_name: row.client_name,
    audience: row.audience,
    scope: row.scope,
    ip: row.ip,
    user_agent: row.user_agent,
    hostname: row.hostname,
    execution_id: row.execution_id,
    details: row.execution_id ? { ...row.details, actions: { executions: [row.execution_id] } } : row.details,
  };
}

const FILTERS = ['type', 'client_id', 'audience', 'ip', 'execution_id'] as const;
type Filter = (typeof FILTERS)[number];

/** `field:value` terms joined by spaces or `AND`; values may be double-quoted. */
export function parseLogQ(q: string): Partial<Record<Filter, string>> {
  const out: Partial<Record<Filter, string>> = {};
  const term = /\s*([a-z_]+):("([^"]*)"|\S+)\s*(?:AND\s+)?/gy;
  let match: RegExpExecArray | null;
  let consumed = 0;
  while ((match = term.exec(q)) !== null) {
    const field = match[1] as Filter;
    if (!FILTERS.includes(field))
      throw new BadRequest(`q: unknown field "${match[1]}"; use ${FILTERS.join(', ')}`, {
        errorCode: 'invalid_query_string',
      });
    out[field] = match[3] ?? match[2]!;
    consumed = term.lastIndex;
  }
  if (consumed !== q.length && q.slice(consumed).trim() !== '') {
    throw new BadRequest(`q: cannot read "${q.slice(consumed)}"; write field:value terms joined by AND`, {
      errorCode: 'invalid_query_string',
    });
  }
  return out;
}

interface LogsQuerystring extends Partial<Record<Filter, string>> {
  q?: string;
  page?: number;
  per_page?: number;
  include_totals?: boolean;
  from?: string;
  take?: number;
  sort: 'date:1' | 'date:-1';
  from_date?: string;
  to_date?: string;
}

/** The `Link` header of a checkpoint page: the request's URL with `from` moved past the page's last record. */
function nextLink(issuer: string, requestUrl: string, logs: Array<{ log_id: string }>): string {
  const query = new URL(requestUrl, 'http://localhost').searchParams;
  const last = logs.at(-1);
  if (last) query.set('from', last.log_id);
  return `<${issuer}/api/v2/logs?${query.toString()}>; rel="next"`;
}

export function registerLogRoutes(app: FastifyInstance, registry: Registry, writer: Flushable, issuer: string): void {
  const db = registry.db;

  app.get<{ Querystring: LogsQuerystring }>(
    '/logs',
    {
      config: { scope: 'read:logs' },
      schema: {
        tags: ['logs'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            q: { type: 'string', maxLength: 1000 },
            ...checkpointPagingSchema,
            from: { type: 'string', maxLength: 64 },
            sort: { type: 'string', enum: ['date:1', 'date:-1'], default: 'date:-1' },
            from_date: { type: 'string', format: 'date-time' },
            to_date: { type: 'string', format: 'date-time' },
            ...Object.fromEntries(FILTERS.map((f) => [f, { type: 'string', maxLength: 600 }])),
          },
        },
      },
    },
    async (request, reply) => {
      const qs = request.query;
      const paging = parsePaging(qs, { checkpoint: true, rawFrom: true });
      // Records still in the write buffer are made visible first: a caller reading right after a token request
      // expects to see it.
      await writer.flush();
      const filters = { ...(qs.q ? parseLogQ(qs.q) : {}) };
      for (const f of FILTERS) if (qs[f] !== undefined) filters[f] = qs[f];
      const checkpoint = paging.kind === 'checkpoint';
      const query: LogQuery = {
        ...filters,
        ...(qs.from_date && { from_date: new Date(qs.from_date) }),
        ...(qs.to_date && { to_date: new Date(qs.to_date) }),
        from: checkpoint ? paging.after : undefined,
        // Auth0 checkpoint paging: the records after `from`, oldest first, so an exporter can follow the stream.
        ascending: checkpoint ? true : qs.sort === 'date:1',
        offset: checkpoint ? 0 : paging.page * paging.perPage,
        limit: checkpoint ? paging.take : paging.perPage,
      };
      const logs = (await queryLogs(db, query)).map(logView);
      if (checkpoint) return reply.header('link', nextLink(issuer, request.url, logs)).send(logs);
      if (!paging.totals) return logs;
      return { start: query.offset, limit: query.limit, length: logs.length, total: await countLogs(db, query), logs };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/logs/:id',
    { config: { scope: 'read:logs' }, schema: { tags: ['logs'], params: idParam('id') } },
    async (request) => {
      await writer.flush();
      const row = await findLog(db, request.params.id);
      if (!row) throw new NotFound(`The log ${request.params.id} does not exist`);
      return logView(row);
    },
  );
}
