/**
 * An action's secrets (`event.secrets`, Kinde's `kinde.env`): write-only. The API lists their names; a value is sent
 * once and never shown again. They reach the action with its next deploy.
 */
import { seg } from '../api';
import { useConsole } from '../context';
import { useTask } from '../hooks';
import type { Action } from '../types';
import { Field, When, WriteButton } from '../ui/controls';
import { Empty, TaskStatus } from '../ui/feedback';
import { submitted } from '../ui/forms';
import { Section } from '../ui/page';

export function SecretsSection({ action, reload }: { action: Action; reload: () => void }) {
  const { api } = useConsole();
  const task = useTask();
  const path = `/actions/actions/${seg(action.id)}`;
  /** The stored secrets by name (kept as they are), with `change` applied. */
  const update = (change: { set?: { name: string; value: string }; remove?: string }) => [
    ...action.secrets
      .filter((s) => s.name !== change.set?.name && s.name !== change.remove)
      .map((s) => ({ name: s.name })),
    ...(change.set ? [change.set] : []),
  ];
  const save = (event: Event) => {
    const form = submitted(event);
    const name = form.get('name');
    void task.run(async () => {
      await api.send('PATCH', path, { secrets: update({ set: { name, value: form.get('value') } }) });
      form.form.reset();
      reload();
      return `Secret ${name} saved. Deploy to use it.`;
    });
  };
  return (
    <Section title="Secrets">
      <p>
        Values the code reads as <code>event.secrets.NAME</code> (Kinde: <code>kinde.env.get('NAME')</code>). They are
        write-only: stored encrypted, never shown again, and used from the next deploy.
      </p>
      {action.secrets.length === 0 ? (
        <Empty title="No secret.">Add one below instead of writing an API key into the code.</Empty>
      ) : (
        <ul>
          {action.secrets.map((s) => (
            <li key={s.name} class="row">
              <code>{s.name}</code>
              <span class="muted">
                set <When iso={s.updated_at} />
              </span>
              <WriteButton
                scope="update:actions"
                busy={task.busy}
                aria-label={`Remove secret ${s.name}`}
                onClick={() =>
                  void task.run(async () => {
                    await api.send('PATCH', path, { secrets: update({ remove: s.name }) });
                    reload();
                    return `Secret ${s.name} removed. Deploy to stop passing it.`;
                  })
                }
              >
                Remove
              </WriteButton>
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={save} class="row">
        <Field label="Secret name">
          <input name="name" required pattern="[A-Za-z_][A-Za-z0-9_]*" maxLength={128} spellcheck={false} />
        </Field>
        <Field label="Secret value">
          <input name="value" type="password" required maxLength={4096} autocomplete="off" />
        </Field>
        <WriteButton type="submit" scope="update:actions" busy={task.busy}>
          Save secret
        </WriteButton>
      </form>
      <TaskStatus task={task} />
    </Section>
  );
}
