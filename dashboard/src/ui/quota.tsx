/** Auth0's `token_quota` (an application's or an organization's): tokens per hour and per day, and whether it is enforced. */
import { useTask } from '../hooks';
import type { TokenQuota } from '../types';
import { Field, WriteButton } from './controls';
import { TaskStatus } from './feedback';
import { submitted, wholeNumber } from './forms';

export function QuotaEditor(props: {
  quota: TokenQuota | undefined;
  scope: string;
  save: (quota: TokenQuota | null) => Promise<void>;
}) {
  const task = useTask();
  const current = props.quota?.client_credentials;
  const save = (event: Event) => {
    const form = submitted(event);
    void task.run(async () => {
      const per_hour = wholeNumber(form.get('per_hour'), 'Tokens per hour');
      const per_day = wholeNumber(form.get('per_day'), 'Tokens per day');
      if (per_hour === undefined && per_day === undefined)
        throw new Error('Give tokens per hour, per day or both; or remove the quota.');
      await props.save({
        client_credentials: {
          ...(per_hour !== undefined && { per_hour }),
          ...(per_day !== undefined && { per_day }),
          enforce: form.checked('enforce'),
        },
      });
      return 'Quota saved.';
    });
  };
  return (
    <>
      <p>
        {current
          ? `Now: ${current.per_hour ?? '—'} an hour, ${current.per_day ?? '—'} a day, ${current.enforce === false ? 'counted only' : 'enforced'}.`
          : 'No quota: tokens are not counted.'}
      </p>
      <form onSubmit={save} class="row">
        <Field label="Tokens per hour">
          <input name="per_hour" inputMode="numeric" defaultValue={current?.per_hour?.toString() ?? ''} size={10} />
        </Field>
        <Field label="Tokens per day">
          <input name="per_day" inputMode="numeric" defaultValue={current?.per_day?.toString() ?? ''} size={10} />
        </Field>
        <label class="check">
          <input type="checkbox" name="enforce" defaultChecked={current?.enforce !== false} />
          Enforce (refuse past it, 429)
        </label>
        <WriteButton type="submit" scope={props.scope} busy={task.busy}>
          Save quota
        </WriteButton>
        {current && (
          <WriteButton
            scope={props.scope}
            busy={task.busy}
            onClick={() =>
              void task.run(async () => {
                await props.save(null);
                return 'Quota removed.';
              })
            }
          >
            Remove quota
          </WriteButton>
        )}
      </form>
      <TaskStatus task={task} />
    </>
  );
}
