/** The log and execution records as `/api/v2/logs` and `/api/v2/actions/executions/{id}` answer them. */

export interface LogRecord {
  log_id: string;
  date: string;
  type: 'seccft' | 'feccft';
  description: string;
  client_id: string | null;
  client_name: string | null;
  audience: string | null;
  scope: string | null;
  ip: string | null;
  user_agent: string | null;
  hostname: string | null;
  execution_id: string | null;
  details: Record<string, unknown> | null;
}

export interface ActionRun {
  action_id: string;
  action_name: string;
  version_id: string;
  trigger_id: string;
  status: string;
  started_at: string;
  ended_at: string;
  duration_ms: number;
  logs: Array<{ level: string; message: string }>;
  logs_truncated: boolean;
  error?: { id: string; msg: string };
  denial?: { code: string; reason: string };
  refused_claims: Array<{ name: string; reason: string }>;
  claims_set: string[];
  failure_policy?: string;
  risk_score?: number;
}

export interface Execution {
  id: string;
  trigger_id: string;
  status: string;
  results: ActionRun[];
  created_at: string;
}
