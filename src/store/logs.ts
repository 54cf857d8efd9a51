/** Queries on `logs` (token request records) and `action_executions`. Writes arrive in batches. */
import type { Selectable } from 'kysely';
import type { Db } from './database.js';
import type { LogsTable } from './schema.js';

export type LogRow = Selectable<LogsTable>;

/** A log record as the writer buffers it. */
export interface LogRecord {
  log_id: string;
  date: Date;
  type: string;
  description: string | null;
  client_id: string | null;
  client_name: string | null;
  audience: string | null;
  scope: string | null;
  ip: string | null;
  user_agent: string | null;
  hostname: string | null;
  execution_id: string | null;
  details: Record<string, unknown>;
}

export async function insertLogs(db: Db, records: LogRecord[]): Promise<void> {
  if (records.length === 0) return;
  await db
    .insertInto('logs')
    .values(records.map((r) => ({ ...r, details: JSON.stringify(r.details) })))
    .onConflict((oc) => oc.column('log_id').doNothing())
    .execute();
}

/** Filters of `GET /api/v2/logs`. */
export interface LogQuery {
  type?: string;
  client_id?: string;
  audience?: string;
  ip?: string;
  execution_id?: string;
  from_date?: Date;
  to_date?: Date;
  /** Checkpoint paging: records after this log id in the chosen order (newer with `ascending`, older without). */
  from?: string;
  ascending: boolean;
  offset: number;
  limit: number;
}

function filtered(db: Db, q: LogQuery) {
  let query = db.selectFrom('logs');
  if (q.type) query = query.where('type', '=', q.type);
  if (q.client_id) query = query.where('client_id', '=', q.client_id);
  if (q.audience) query = query.where('audience', '=', q.audience);
  if (q.ip) query = query.where('ip', '=', q.ip);
  if (q.execution_id) query = query.where('execution_id', '=', q.execution_id);
  if (q.from_date) query = query.where('date', '>=', q.from_date);
  if (q.to_date) query = query.where('date', '<=', q.to_date);
  return query;
}

export async function queryLogs(db: Db, q: LogQuery): Promise<LogRow[]> {
  let query = filtered(db, q).selectAll();
  if (q.from) query = query.where('log_id', q.ascending ? '>' : '<', q.from);
  return query
    .orderBy('log_id', q.ascending ? 'asc' : 'desc')
    .offset(q.offset)
    .limit(q.limit)
    .execute();
}

export async function countLogs(db: Db, q: LogQuery): Promise<number> {
  const row = await filtered(db, q).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

export const findLog = (db: Db, id: string) => db.selectFrom('logs').selectAll().where('log_id', '=', id).executeTakeFirst();

/** An execution record of a trigger chain. */
export interface ExecutionRecord {
  id: string;
  trigger_id: string;
  status: string;
  results: unknown[];
  created_at: Date;
}

export async function insertExecutions(db: Db, records: ExecutionRecord[]): Promise<void> {
  if (records.length === 0) return;
  await db
    .insertInto('action_executions')
    .values(records.map((r) => ({ ...r, results: JSON.stringify(r.results) })))
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

export const findExecution = (db: Db, id: string) =>
  db.selectFrom('action_executions').selectAll().where('id', '=', id).executeTakeFirst();
