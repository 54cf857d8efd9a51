/**
 * Actions: the Auth0 actions (credentials-exchange) and Kinde workflows (m2m:token_generation), and a form that
 * starts a new one from a template. `#/actions/<id>` opens the editor (action-editor.tsx).
 */
import { listAll } from '../api';
import { useConsole } from '../context';
import { useLoad, useTask } from '../hooks';
import { href, navigate } from '../router';
import { TRIGGERS, type Action, type TriggerId } from '../types';
import { Field, When, WriteButton } from '../ui/controls';
import { Empty, LoadedView, NeedsScope, TaskStatus } from '../ui/feedback';
import { submitted } from '../ui/forms';
import { Page, Section } from '../ui/page';
import { ActionEditorPage } from './action-editor';
import { TEMPLATES } from './action-templates';

export const kindOf = (action: Action) =>
  TRIGGERS.find((t) => t.id === action.supported_triggers[0]?.id)?.kind ?? 'action';

function CreateAction() {
  const { api } = useConsole();
  const task = useTask();
  const create = (event: Event) => {
    const form = submitted(event);
    const trigger = form.get('trigger') as TriggerId;
    void task.run(async () => {
      const created = await api.send<Action>('POST', '/actions/actions', {
        name: form.get('name'),
        supported_triggers: [{ id: trigger, version: trigger === 'credentials-exchange' ? 'v2' : 'v1' }],
        code: TEMPLATES[trigger],
      });
      navigate('actions', created.id);
    });
  };
  return (
    <Section title="Create an action">
      <form onSubmit={create} class="form">
        <Field label="Action name">
          <input name="name" required maxLength={100} />
        </Field>
        <Field label="Trigger">
          <select name="trigger">
            {TRIGGERS.map((t) => (
              <option key={t.id} value={t.id}>
                {t.kind}: {t.id}
              </option>
            ))}
          </select>
        </Field>
        <WriteButton type="submit" scope="create:actions" busy={task.busy} class="primary">
          Create action
        </WriteButton>
      </form>
      <TaskStatus task={task} />
    </Section>
  );
}

function ActionList() {
  const { api, can } = useConsole();
  const actions = useLoad(() => listAll<Action>(api, '/actions/actions', 'actions'), []);
  return (
    <Page
      title="Actions"
      intro="Your code that runs before each token is signed: Auth0 actions and Kinde workflows, unchanged."
    >
      <CreateAction />
      <Section title="All actions">
        {!can('read:actions') ? (
          <NeedsScope scope="read:actions" />
        ) : (
          <LoadedView loaded={actions}>
            {(list) =>
              list.length === 0 ? (
                <Empty title="No action yet.">
                  Create one above, test it on a sample event, deploy it, then add it to a flow under Triggers.
                </Empty>
              ) : (
                <table class="wide">
                  <thead>
                    <tr>
                      <th scope="col">Name</th>
                      <th scope="col">Kind</th>
                      <th scope="col">Deployed</th>
                      <th scope="col">Changed</th>
                    </tr>
                  </thead>
                  <tbody>
                    {list.map((a) => (
                      <tr key={a.id}>
                        <td>
                          <a href={href('actions', a.id)}>{a.name}</a>
                        </td>
                        <td>
                          {kindOf(a)} <span class="muted">({a.supported_triggers[0]?.id})</span>
                        </td>
                        <td>
                          {a.deployed_version ? (
                            `version ${a.deployed_version.number}`
                          ) : (
                            <span class="muted">not deployed</span>
                          )}
                          {a.deployed_version && a.deployed_version.code !== a.code && (
                            <span class="spaced badge">draft differs</span>
                          )}
                        </td>
                        <td>
                          <When iso={a.updated_at} />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )
            }
          </LoadedView>
        )}
      </Section>
    </Page>
  );
}

export function ActionsPage({ params }: { params: string[] }) {
  return params[0] ? <ActionEditorPage id={params[0]} /> : <ActionList />;
}
