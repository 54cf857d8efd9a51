/** What operators and orchestrators poll: `GET /health`, and `GET /metrics` when served (MINTER_METRICS). */
import type { FastifyPluginAsync } from 'fastify';
import { registerMetricsRoute, type Metrics, type WorkerMetrics } from '../observability/metrics.js';
import type { OpenedDatabase } from '../store/database.js';

export interface OperationsOptions {
  storage: OpenedDatabase['kind'];
  metrics: Metrics | undefined;
  /** A cluster's primary: its token workers' metrics, merged into its own. */
  workerMetrics?: () => Promise<WorkerMetrics[]>;
  /** A cluster's primary: false until every worker listens and the start is done (`/health` answers 503). */
  ready?: () => boolean;
}

export const operationsPlugin: FastifyPluginAsync<OperationsOptions> = async (
  app,
  { storage, metrics, workerMetrics, ready },
) => {
  app.get('/health', async (_request, reply) => {
    if (ready !== undefined && !ready()) return reply.code(503).send({ status: 'starting', storage });
    return { status: 'ok', storage };
  });
  if (metrics) registerMetricsRoute(app, metrics, workerMetrics);
};
