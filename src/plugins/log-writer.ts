/**
 * The log records written after a response (token logs, execution records), batched off the request path. Its
 * close hook is added after every other part's, so it runs first once the server has stopped taking requests: every
 * buffered record is written while the database is still open.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import { BatchWriter } from '../observability/batch-writer.js';
import type { Metrics } from '../observability/metrics.js';
import { isDataError } from '../store/data-errors.js';
import type { Db } from '../store/database.js';
import { insertSerializedLogs, refusedLogStandIn, type SerializedLogRecord } from '../store/logs.js';

export function openLogWriter(
  app: FastifyInstance,
  db: Db,
  config: Readonly<Config>,
  metrics: Metrics | undefined,
): BatchWriter<SerializedLogRecord> {
  const logs = new BatchWriter<SerializedLogRecord>(
    'logs',
    (batch) => insertSerializedLogs(db, batch),
    {
      batchSize: config.logBatchSize,
      flushMs: config.logFlushMs,
      maxBuffered: config.logBufferMax,
      // A record the database refuses for its content is isolated and stood in for; it never holds back the rest.
      isDataError,
      standIn: refusedLogStandIn,
    },
    app.log,
  );
  app.addHook('onClose', () => logs.close());
  metrics?.watchLogWriter(() => logs.stats);
  return logs;
}
