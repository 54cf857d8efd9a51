/**
 * The test panel: runs the saved draft (unsaved changes are saved first) on an editable sample event through
 * `POST /actions/actions/{id}/test`, which issues no token, and shows the decision, claims, scopes and console.
 */
import { useState } from 'preact/hooks';
import { seg } from '../api';
import { useConsole } from '../context';
import { useTask } from '../hooks';
import type { Action, TriggerId } from '../types';
import { Field, WriteButton } from '../ui/controls';
import { TaskStatus } from '../ui/feedback';
import { Section } from '../ui/page';
import { SAMPLE_EVENTS } from './action-templates';

interface TestResult {
  status: string;
  denial?: { error: string; description: string };
  claims: Record<string, unknown>;
  scopes: string[];
  logs: Array<{ level: string; message: string }>;
  refused_claims: Array<{ name: string; reason: string }>;
  error?: { msg: string };
  duration_ms: number;
}

function decision(result: TestResult): string {
  if (result.denial) return `Denied: ${result.denial.error} — ${result.denial.description}`;
  if (result.status !== 'ok') return `Failed (${result.status})${result.error ? `: ${result.error.msg}` : ''}`;
  return 'Allowed: the token would be issued';
}

export function TestPanel(props: {
  action: Action;
  saveDraft: () => Promise<void>;
  explain: (error: unknown) => never;
}) {
  const { api } = useConsole();
  const trigger = (props.action.supported_triggers[0]?.id ?? 'credentials-exchange') as TriggerId;
  const [event, setEvent] = useState(() => JSON.stringify(SAMPLE_EVENTS[trigger], null, 2));
  const [result, setResult] = useState<TestResult>();
  const task = useTask();
  const run = () =>
    void task.run(async () => {
      setResult(undefined);
      let payload: unknown;
      try {
        payload = JSON.parse(event);
      } catch (error) {
        throw new Error(`The sample event is not valid JSON: ${(error as Error).message}`, { cause: error });
      }
      if (payload === null || typeof payload !== 'object' || Array.isArray(payload))
        throw new Error('The sample event must be a JSON object.');
      await props.saveDraft();
      const answer = await api
        .send<{ payload: TestResult }>('POST', `/actions/actions/${seg(props.action.id)}/test`, { payload })
        .catch(props.explain);
      setResult(answer.payload);
      return `Ran in ${answer.payload.duration_ms.toFixed(1)} ms.`;
    });
  return (
    <Section title="Test">
      <p class="muted">Runs the draft on this event in the sandbox. No token is issued and no log record is written.</p>
      <Field label="Sample event (JSON)">
        <textarea rows={12} spellcheck={false} value={event} onInput={(e) => setEvent(e.currentTarget.value)} />
      </Field>
      <WriteButton scope="create:actions" busy={task.busy} class="primary" onClick={run}>
        Run test
      </WriteButton>
      <TaskStatus task={task} />
      {result && (
        <section aria-label="Test result">
          <h3>Decision</h3>
          <p class={result.denial || result.status !== 'ok' ? 'error' : 'notice'}>{decision(result)}</p>
          <h3>Claims</h3>
          <pre>{JSON.stringify(result.claims, null, 2)}</pre>
          {result.refused_claims.length > 0 && (
            <>
              <h3>Claims refused</h3>
              <ul>
                {result.refused_claims.map((c) => (
                  <li key={c.name}>
                    <code>{c.name}</code>: {c.reason}
                  </li>
                ))}
              </ul>
            </>
          )}
          <h3>Scopes</h3>
          <p>{result.scopes.length ? result.scopes.join(' ') : 'none'}</p>
          <h3>Console</h3>
          {result.logs.length === 0 ? (
            <p class="muted">Nothing printed.</p>
          ) : (
            <pre>{result.logs.map((l) => `${l.level === 'log' ? '' : `[${l.level}] `}${l.message}`).join('\n')}</pre>
          )}
        </section>
      )}
    </Section>
  );
}
