/**
 * An action's deployed versions, newest first: each compared with the draft (a diff), and rolled back to (deployed
 * again as it was built, its code optionally made the draft).
 */
import { useState } from 'preact/hooks';
import { seg } from '../api';
import { useConsole } from '../context';
import { useLoad, useTask } from '../hooks';
import type { Action, ActionVersion } from '../types';
import type { DiffProps } from '../ui/code-editor';
import { ConfirmButton, When, WriteButton } from '../ui/controls';
import { Empty, LoadedView, TaskStatus } from '../ui/feedback';
import { lazy } from '../ui/lazy';
import { Section } from '../ui/page';

const DiffView = lazy<DiffProps>(() => import('../ui/code-editor').then((m) => ({ default: m.DiffView })));

export function VersionsSection(props: {
  action: Action;
  draft: string;
  refresh: number;
  onRolledBack: (version: ActionVersion) => void;
}) {
  const { api } = useConsole();
  const path = `/actions/actions/${seg(props.action.id)}/versions`;
  const versions = useLoad(() => api.get<{ versions: ActionVersion[] }>(`${path}?per_page=100`), [path, props.refresh]);
  const [compared, setCompared] = useState<ActionVersion>();
  const [replaceDraft, setReplaceDraft] = useState(true);
  const task = useTask();
  const rollBack = (version: ActionVersion) =>
    void task.run(async () => {
      await api.send('POST', `${path}/${seg(version.id)}/deploy`, { update_draft: replaceDraft });
      versions.reload();
      if (replaceDraft) props.onRolledBack(version);
      return `Rolled back: version ${version.number} runs again${replaceDraft ? ' and is the draft' : ''}.`;
    });
  const typescript = props.action.supported_triggers[0]?.id === 'm2m:token_generation';
  return (
    <Section title="Versions">
      <LoadedView loaded={versions}>
        {({ versions: list }) =>
          list.length === 0 ? (
            <Empty title="No version yet.">Deploy the code to make version 1.</Empty>
          ) : (
            <>
              <label class="check">
                <input
                  type="checkbox"
                  checked={replaceDraft}
                  onChange={(e) => setReplaceDraft(e.currentTarget.checked)}
                />
                A roll back also makes that version's code the draft
              </label>
              <table class="wide">
                <thead>
                  <tr>
                    <th scope="col">Version</th>
                    <th scope="col">Deployed</th>
                    <th scope="col">Built</th>
                    <th scope="col">
                      <span class="visually-hidden">Compare and roll back</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((v) => (
                    <tr key={v.id}>
                      <td>Version {v.number}</td>
                      <td>
                        {v.deployed ? <span class="badge ok">running</span> : '—'}
                        {v.quarantine && <span class="spaced badge bad">quarantined: {v.quarantine.reason}</span>}
                      </td>
                      <td>
                        <When iso={v.built_at} />
                      </td>
                      <td class="row">
                        <button
                          type="button"
                          aria-pressed={compared?.id === v.id}
                          onClick={() => setCompared(compared?.id === v.id ? undefined : v)}
                        >
                          Compare version {v.number} with the draft
                        </button>
                        {!v.deployed && (
                          <ConfirmButton
                            label={`Roll back to version ${v.number}`}
                            question={`Deploy version ${v.number} again? It replaces the running version on the next token request.`}
                            confirmLabel="Roll back"
                            scope="create:actions"
                            busy={task.busy}
                            onConfirm={() => rollBack(v)}
                          />
                        )}
                        {v.quarantine && (
                          <WriteButton
                            scope="update:actions"
                            busy={task.busy}
                            onClick={() =>
                              void task.run(async () => {
                                await api.send('DELETE', `${path}/${seg(v.id)}/quarantine`);
                                versions.reload();
                                return `Version ${v.number} runs again.`;
                              })
                            }
                          >
                            Lift quarantine of version {v.number}
                          </WriteButton>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )
        }
      </LoadedView>
      <TaskStatus task={task} />
      {compared && (
        <>
          <h3>Version {compared.number} → draft</h3>
          {compared.code === props.draft ? (
            <p>The draft is the same as version {compared.number}.</p>
          ) : (
            <DiffView
              original={compared.code}
              draft={props.draft}
              typescript={typescript}
              label={`Changes from version ${compared.number} to the draft`}
            />
          )}
        </>
      )}
    </Section>
  );
}
