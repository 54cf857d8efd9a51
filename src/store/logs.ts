/** Queries on `logs`: token request records, with the execution record of their trigger chain. Writes arrive in batches. */
import { sql, type Selectable } from 'kysely';
import type { Db } from './database.js';
import type { LogsTable } from './schema.js';

/** A log record as listed: without its (possibly large) execution record. */
export type LogRow = Omit<Selectable<LogsTable>, 'execution'>;

const LISTED = [
  'log_id',
  'date',
  'type',
  'description',
  'client_id',
  'client_name',
  'audience',
  'scope',
  'ip',
  'user_agent',
  'hostname',
  'execution_id',
  'details',
] as const;

/** A log record as the token endpoint makes it: the row itself, with a Date and plain JSON values. */
export type LogRecord = Selectable<LogsTable>;

/**
 * A log record as the batch writer buffers it: its JSON text. One string instead of a graph of ~20 small objects
 * (the execution record's results, arrays, the Date): records wait in memory until their batch is written, and
 * every young-generation GC on the request thread copied and scanned each graph, twice, before promoting it.
 */
export type SerializedLogRecord = string;

export const serializeLogRecord = (record: LogRecord): SerializedLogRecord => JSON.stringify(record);

/**
 * Writes a batch as one JSON parameter expanded by PostgreSQL (`jsonb_populate_recordset`) rather than a
 * multi-row VALUES with 13 parameters a row: the parameter encoding is what costs, most of all in embedded PGlite
 * (in its worker thread, which shares the CPU with the token endpoint).
 */
export async function insertSerializedLogs(db: Db, rows: SerializedLogRecord[]): Promise<void> {
  if (rows.length === 0) return;
  await sql`insert into logs select * from jsonb_populate_recordset(null::logs, ${`[${rows.join(',')}]`}::jsonb)
    on conflict (log_id) do nothing`.execute(db);
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
  let query = filtered(db, q).select(LISTED);
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

export const findLog = (db: Db, id: string) => db.selectFrom('logs').select(LISTED).where('log_id', '=', id).executeTakeFirst();

/** The execution record with this id, from the log record that carries it. */
export const findExecution = (db: Db, id: string) =>
  db.selectFrom('logs').select(['execution_id', 'execution', 'date']).where('execution_id', '=', id).executeTakeFirst();
