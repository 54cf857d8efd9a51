/** One log record, and its execution: what each action of the chain did — status, time, console, claims. */
import { seg } from '../api';
import { useConsole } from '../context';
import { useLoad } from '../hooks';
import { href } from '../router';
import { When } from '../ui/controls';
import { Empty, LoadedView, NeedsScope } from '../ui/feedback';
import { Page, Section } from '../ui/page';
import type { ActionRun, Execution, LogRecord } from './log-types';

function ActionRunView({ run }: { run: ActionRun }) {
  return (
    <Section title={`${run.action_name}: ${run.status}`}>
      <dl class="facts">
        <dt>Status</dt>
        <dd>
          <span class={`badge ${run.status === 'ok' ? 'ok' : 'bad'}`}>{run.status}</span>
          {run.failure_policy && ` (failure policy: ${run.failure_policy})`}
        </dd>
        <dt>Time</dt>
        <dd>
          {run.duration_ms.toFixed(2)} ms, from <When iso={run.started_at} />
        </dd>
        <dt>Trigger</dt>
        <dd>{run.trigger_id}</dd>
        <dt>Action</dt>
        <dd>
          <a href={href('actions', run.action_id)}>{run.action_name}</a>{' '}
          <span class="muted">version {run.version_id}</span>
        </dd>
        <dt>Claims set</dt>
        <dd>{run.claims_set.length ? run.claims_set.map((c) => <code key={c}>{c} </code>) : 'none'}</dd>
        {run.refused_claims.length > 0 && (
          <>
            <dt>Claims refused</dt>
            <dd>
              <ul>
                {run.refused_claims.map((c) => (
                  <li key={c.name}>
                    <code>{c.name}</code>: {c.reason}
                  </li>
                ))}
              </ul>
            </dd>
          </>
        )}
        {run.denial && (
          <>
            <dt>Denied</dt>
            <dd>
              {run.denial.code}: {run.denial.reason}
            </dd>
          </>
        )}
        {run.error && (
          <>
            <dt>Error</dt>
            <dd class="error">{run.error.msg}</dd>
          </>
        )}
        {run.risk_score !== undefined && (
          <>
            <dt>Risk score</dt>
            <dd>{run.risk_score}</dd>
          </>
        )}
      </dl>
      <h3>Console</h3>
      {run.logs.length === 0 ? (
        <p class="muted">The action printed nothing.</p>
      ) : (
        <pre>
          {run.logs.map((line) => `${line.level === 'log' ? '' : `[${line.level}] `}${line.message}`).join('\n')}
          {run.logs_truncated && '\n… (cut: MINTER_ACTIONS_MAX_LOG_BYTES)'}
        </pre>
      )}
    </Section>
  );
}

function ExecutionView({ id }: { id: string }) {
  const { api, can } = useConsole();
  const execution = useLoad(() => api.get<Execution>(`/actions/executions/${seg(id)}`), [id]);
  if (!can('read:actions')) return <NeedsScope scope="read:actions" />;
  return (
    <LoadedView loaded={execution}>
      {(e) => (
        <>
          <h2>Execution</h2>
          <p>
            Trigger <code>{e.trigger_id}</code>, {e.results.length} action{e.results.length === 1 ? '' : 's'}, id{' '}
            <code>{e.id}</code>
          </p>
          {e.results.map((run) => (
            <ActionRunView key={`${run.action_id}:${run.started_at}`} run={run} />
          ))}
        </>
      )}
    </LoadedView>
  );
}

export function LogRecordPage({ id }: { id: string }) {
  const { api } = useConsole();
  const record = useLoad(() => api.get<LogRecord>(`/logs/${seg(id)}`), [id]);
  return (
    <LoadedView loaded={record}>
      {(r) => (
        <Page
          title={`${r.type === 'seccft' ? 'Token issued' : 'Request failed'}: ${r.client_name ?? r.client_id ?? 'unknown client'}`}
        >
          <p>
            <a href="#/logs">All records</a>
          </p>
          <Section title="Record">
            <dl class="facts">
              <dt>When</dt>
              <dd>
                <When iso={r.date} />
              </dd>
              <dt>Type</dt>
              <dd>{r.type}</dd>
              <dt>Description</dt>
              <dd>{r.description}</dd>
              <dt>Application</dt>
              <dd>
                {r.client_id ? <a href={href('applications', r.client_id)}>{r.client_name ?? r.client_id}</a> : '—'}
              </dd>
              <dt>API</dt>
              <dd>{r.audience ?? '—'}</dd>
              <dt>Scope</dt>
              <dd>{r.scope || '—'}</dd>
              <dt>From</dt>
              <dd>
                {r.ip ?? '—'} <span class="muted">{r.user_agent}</span>
              </dd>
              <dt>Log ID</dt>
              <dd>
                <code>{r.log_id}</code>
              </dd>
            </dl>
            <h3>Details</h3>
            <pre>{JSON.stringify(r.details, null, 2)}</pre>
          </Section>
          {r.execution_id ? <ExecutionView id={r.execution_id} /> : <Empty title="No action ran for this request." />}
        </Page>
      )}
    </LoadedView>
  );
}
