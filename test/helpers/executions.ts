/** Reading back what a client's last token request left: its log record and its execution record. */
import type { RunningMinter } from './minter.js';

/** The newest `seccft` or `feccft` record of a client, as GET /api/v2/logs answers it. */
export async function lastLog(
  m: RunningMinter,
  clientId: string,
  type: 'seccft' | 'feccft',
): Promise<Record<string, any>> {
  const logs = await m.api('GET', `/logs?type=${type}&client_id=${encodeURIComponent(clientId)}&per_page=1`);
  if (logs.status !== 200 || !Array.isArray(logs.body) || logs.body.length === 0) {
    throw new Error(`no ${type} record for ${clientId}: ${JSON.stringify(logs.body)}`);
  }
  return logs.body[0];
}

/** The execution record (GET /api/v2/actions/executions/{id}) of a client's newest `seccft` or `feccft` record. */
export async function lastExecution(
  m: RunningMinter,
  clientId: string,
  type: 'seccft' | 'feccft' = 'seccft',
): Promise<Record<string, any>> {
  const log = await lastLog(m, clientId, type);
  if (typeof log.execution_id !== 'string')
    throw new Error(`the ${type} record of ${clientId} has no execution: ${JSON.stringify(log)}`);
  const execution = await m.api('GET', `/actions/executions/${log.execution_id}`);
  if (execution.status !== 200) throw new Error(`execution ${log.execution_id}: ${JSON.stringify(execution.body)}`);
  return execution.body;
}
