/** Queries on `logs`: token request records, with the execution record of their trigger chain. Writes arrive in batches. */
import { sql, type Selectable } from 'kysely';
import type { Db } from './database.js';
import type { LogsTable } from './schema.js';
import { replaceUnstorable } from './storable-json.js';

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

/**
 * Every record passes here, and leaves storable: a NUL or an unpaired surrogate anywhere in it (a request field, an
 * action's console output or claim name) is replaced by U+FFFD and the record's `details.replaced_unstorable_characters`
 * says how many were (see storable-json.ts). Ordinary records cost one `includes` on their JSON more.
 */
export function serializeLogRecord(record: LogRecord): SerializedLogRecord {
  return storableLogRecord(JSON.stringify(record));
}

/**
 * {@link serializeLogRecord} for a record already written as JSON text (the token endpoint writes its records that
 * way, oauth/token-log.ts): the same check, the same replacement and the same `details` note.
 */
export function storableLogRecord(json: string): SerializedLogRecord {
  const { json: storable, replaced } = replaceUnstorable(json);
  if (replaced === 0) return json;
  const parsed = JSON.parse(storable) as LogRecord;
  parsed.details = { ...parsed.details, replaced_unstorable_characters: replaced };
  return JSON.stringify(parsed);
}

/**
 * What is written in place of a record the database still refused (see BatchWriter): its id, date, type and client,
 * the description `Record refused by the database`, and why in `details.refused` (SQLSTATE and message) — so the log
 * shows that a request was made and when, though not what it carried. `undefined` when the record cannot be read.
 */
export function refusedLogStandIn(record: SerializedLogRecord, error: unknown): SerializedLogRecord | undefined {
  let original: Partial<Record<keyof LogRecord, unknown>>;
  try {
    original = JSON.parse(record) as typeof original;
  } catch {
    return undefined;
  }
  const { log_id, date, type, client_id } = original;
  if (typeof log_id !== 'string' || typeof date !== 'string' || typeof type !== 'string') return undefined;
  const { code, message } = error as { code?: unknown; message?: unknown };
  const when = new Date(date);
  return serializeLogRecord({
    log_id,
    // The original's date, unless that is what was refused.
    date: Number.isNaN(when.getTime()) ? new Date() : when,
    type,
    description: 'Record refused by the database',
    client_id: typeof client_id === 'string' ? client_id : null,
    client_name: null,
    audience: null,
    scope: null,
    ip: null,
    user_agent: null,
    hostname: null,
    execution_id: null,
    execution: null,
    details: { refused: { code: String(code), message: String(message) } },
  });
}

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
  const row = await filtered(db, q)
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export const findLog = (db: Db, id: string) =>
  db.selectFrom('logs').select(LISTED).where('log_id', '=', id).executeTakeFirst();

/** The execution record with this id, from the log record that carries it. */
export const findExecution = (db: Db, id: string) =>
  db.selectFrom('logs').select(['execution_id', 'execution', 'date']).where('execution_id', '=', id).executeTakeFirst();
