/**
 * One action: its code in an editor with highlighting, saved as the draft and deployed as a numbered version (a build
 * error is shown in words and marked at its line), tested on a sample event, its write-only secrets, its versions
 * with a diff against the draft and a roll back, and its deletion.
 */
import { useState } from 'preact/hooks';
import { ApiError, seg } from '../api';
import { useConsole } from '../context';
import { useLoad, useTask } from '../hooks';
import { navigate } from '../router';
import type { Action, ActionVersion } from '../types';
import type { Problem } from '../ui/code-editor';
import { ConfirmButton, WriteButton } from '../ui/controls';
import { LoadedView, TaskStatus } from '../ui/feedback';
import { lazy } from '../ui/lazy';
import { Page, Section } from '../ui/page';
import { SecretsSection } from './action-secrets';
import { TestPanel } from './action-test';
import { VersionsSection } from './action-versions';
import { kindOf } from './actions';

const CodeEditor = lazy(() => import('../ui/code-editor'));

/** `Build failed at action.js:2:13: SyntaxError: …` as the file, line and column it names. */
export function parseBuildError(
  message: string,
): { file: string; line: number; column: number; text: string } | undefined {
  const match = /^Build failed at (.+?):(\d+):(\d+): ([\s\S]*)$/.exec(message);
  if (!match) return undefined;
  return { file: match[1]!, line: Number(match[2]), column: Number(match[3]), text: match[4]! };
}

const entryFile = (action: Action) =>
  action.supported_triggers[0]?.id === 'credentials-exchange'
    ? 'action.js'
    : ((action as { entry_path?: string }).entry_path ?? 'workflow.ts');

function Editor({ action, reload }: { action: Action; reload: () => void }) {
  const { api, can } = useConsole();
  const [draft, setDraft] = useState(action.code);
  const [generation, setGeneration] = useState(0);
  const [problem, setProblem] = useState<Problem>();
  const [deployed, setDeployed] = useState(0);
  const task = useTask();
  const dirty = draft !== action.code;
  const path = `/actions/actions/${seg(action.id)}`;
  const typescript = action.supported_triggers[0]?.id === 'm2m:token_generation';

  const saveDraft = async () => {
    if (draft === action.code) return;
    await api.send('PATCH', path, { code: draft });
    reload();
  };
  /** A build failure in words: at a line of this file, marked in the editor too. */
  const explain = (error: unknown): never => {
    if (error instanceof ApiError && error.code === 'build_failed') {
      const where = parseBuildError(error.message);
      if (where && where.file === entryFile(action) && where.line > 0) {
        setProblem({ line: where.line, message: where.text });
        throw new Error(`Build failed at line ${where.line}, column ${where.column}: ${where.text}`);
      }
    }
    throw error;
  };
  const deploy = () =>
    void task.run(async () => {
      setProblem(undefined);
      await saveDraft();
      const version = await api.send<ActionVersion>('POST', `${path}/deploy`).catch(explain);
      reload();
      setDeployed((n) => n + 1);
      return `Deployed version ${version.number}.${action.deployed_version ? '' : ' Add it to a flow under Triggers to run it on token requests.'}`;
    });

  return (
    <>
      <div class="split">
        <Section title="Code">
          <p class="muted">
            {typescript
              ? 'TypeScript, bundled with @kinde/infrastructure at deploy.'
              : 'JavaScript (CommonJS), as on Auth0.'}{' '}
            {dirty
              ? 'Unsaved changes.'
              : action.deployed_version?.code === action.code
                ? 'Deployed as it is.'
                : 'Saved, not deployed.'}
          </p>
          <CodeEditor
            docKey={`${action.id}:${generation}`}
            initial={draft}
            label={`Code of ${action.name}`}
            typescript={typescript}
            readOnly={!can('update:actions')}
            problem={problem}
            onChange={(text) => {
              setDraft(text);
              setProblem(undefined);
            }}
          />
          <div class="row">
            <WriteButton
              scope="update:actions"
              busy={task.busy}
              disabled={!dirty}
              onClick={() =>
                void task.run(async () => {
                  await saveDraft();
                  return 'Draft saved (not deployed).';
                })
              }
            >
              Save draft
            </WriteButton>
            <WriteButton scope="create:actions" busy={task.busy} class="primary" onClick={deploy}>
              Deploy
            </WriteButton>
          </div>
          <TaskStatus task={task} />
        </Section>
        <TestPanel action={action} saveDraft={saveDraft} explain={explain} />
      </div>
      <SecretsSection action={action} reload={reload} />
      <VersionsSection
        action={action}
        draft={draft}
        refresh={deployed}
        onRolledBack={(version) => {
          setDraft(version.code);
          setGeneration((g) => g + 1);
          reload();
        }}
      />
      <Section title="Delete">
        <ConfirmButton
          label="Delete action"
          question={`Delete ${action.name} and all its versions? If it is in a flow, it is taken out of it first.`}
          confirmLabel="Delete"
          scope="delete:actions"
          class="danger"
          busy={task.busy}
          onConfirm={() =>
            void task.run(async () => {
              await api.send('DELETE', `${path}?force=true`);
              navigate('actions');
            })
          }
        />
      </Section>
    </>
  );
}

export function ActionEditorPage({ id }: { id: string }) {
  const { api } = useConsole();
  const action = useLoad(() => api.get<Action>(`/actions/actions/${seg(id)}`), [id]);
  return (
    <LoadedView loaded={action}>
      {(a) => (
        <Page
          title={a.name}
          intro={
            <>
              {kindOf(a)} on <code>{a.supported_triggers[0]?.id}</code> ·{' '}
              {a.deployed_version ? `version ${a.deployed_version.number} deployed` : 'not deployed yet'}
            </>
          }
        >
          <p>
            <a href="#/actions">All actions</a>
          </p>
          <Editor key={a.id} action={a} reload={action.reload} />
        </Page>
      )}
    </LoadedView>
  );
}
