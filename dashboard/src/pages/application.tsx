/**
 * One application: its settings, secret rotation (the new secret shown once), its access to each API (grants with
 * scope checkboxes), its default organization, properties, private_key_jwt credentials and token quota.
 */
import { useState } from 'preact/hooks';
import { listAll, seg } from '../api';
import { useConsole } from '../context';
import { useLoad, useTask } from '../hooks';
import { navigate } from '../router';
import type { Client, Organization } from '../types';
import { ConfirmButton, Field, WriteButton } from '../ui/controls';
import { LoadedView, TaskStatus } from '../ui/feedback';
import { submitted } from '../ui/forms';
import { Page, Section } from '../ui/page';
import { QuotaEditor } from '../ui/quota';
import { SecretOnce } from '../ui/secret';
import { CredentialsSection, PropertiesSection } from './application-extras';
import { GrantsSection } from './application-grants';
import { AUTH_METHODS } from './applications';

function Settings({ client, reload }: { client: Client; reload: () => void }) {
  const { api } = useConsole();
  const task = useTask();
  const save = (event: Event) => {
    const form = submitted(event);
    void task.run(async () => {
      await api.send('PATCH', `/clients/${seg(client.client_id)}`, {
        name: form.get('name'),
        description: form.get('description'),
        token_endpoint_auth_method: form.get('auth'),
      });
      reload();
      return 'Settings saved.';
    });
  };
  return (
    <Section title="Settings">
      <form onSubmit={save} class="form">
        <Field label="Name">
          <input name="name" required maxLength={255} defaultValue={client.name} />
        </Field>
        <Field label="Description">
          <input name="description" maxLength={140} defaultValue={client.description ?? ''} />
        </Field>
        <Field label="Authentication" hint="private_key_jwt turns the secret off: the client signs assertions instead.">
          <select name="auth">
            {AUTH_METHODS.map(([value, label]) => (
              <option key={value} value={value} selected={value === client.token_endpoint_auth_method}>
                {label}
              </option>
            ))}
          </select>
        </Field>
        <WriteButton type="submit" scope="update:clients" busy={task.busy} class="primary">
          Save settings
        </WriteButton>
      </form>
      <TaskStatus task={task} />
    </Section>
  );
}

function Secret({ client }: { client: Client }) {
  const { api } = useConsole();
  const task = useTask();
  const [secret, setSecret] = useState<string>();
  const rotate = () =>
    void task.run(async () => {
      const rotated = await api.send<Client>('POST', `/clients/${seg(client.client_id)}/rotate-secret`);
      setSecret(rotated.client_secret);
      return 'The secret was rotated: the old one no longer works.';
    });
  return (
    <Section title="Client secret">
      <p>Minter keeps only a digest of the secret. Rotating makes a new one and stops the old one at once.</p>
      <ConfirmButton
        label="Rotate secret"
        question={`Rotate the secret of ${client.name}? Services still using the old secret will be refused from now on.`}
        confirmLabel="Rotate"
        scope="update:client_keys"
        busy={task.busy}
        onConfirm={rotate}
      />
      <TaskStatus task={task} />
      {secret && <SecretOnce clientId={client.client_id} secret={secret} name={client.name} />}
    </Section>
  );
}

function DefaultOrganization({ client, reload }: { client: Client; reload: () => void }) {
  const { api, can } = useConsole();
  const task = useTask();
  const organizations = useLoad(
    () =>
      can('read:organizations') ? listAll<Organization>(api, '/organizations', 'organizations') : Promise.resolve([]),
    [],
  );
  const save = (event: Event) => {
    const form = submitted(event);
    const id = form.get('organization');
    void task.run(async () => {
      await api.send('PATCH', `/clients/${seg(client.client_id)}`, {
        default_organization: id ? { organization_id: id, flows: ['client_credentials'] } : null,
      });
      reload();
      return id ? 'Default organization saved.' : 'No default organization any more.';
    });
  };
  return (
    <Section title="Organization">
      <p>
        A token request that names no organization gets the default one. Which organizations may use each grant is set
        under Organizations, and by each grant's organization use below.
      </p>
      <LoadedView loaded={organizations}>
        {(list) => (
          <form onSubmit={save} class="row">
            <Field label="Default organization">
              <select name="organization">
                <option value="">None</option>
                {list.map((o) => (
                  <option key={o.id} value={o.id} selected={o.id === client.default_organization?.organization_id}>
                    {o.display_name || o.name} ({o.name})
                  </option>
                ))}
              </select>
            </Field>
            <WriteButton type="submit" scope="update:clients" busy={task.busy}>
              Save organization
            </WriteButton>
          </form>
        )}
      </LoadedView>
      <TaskStatus task={task} />
    </Section>
  );
}

function Quota({ client, reload }: { client: Client; reload: () => void }) {
  const { api } = useConsole();
  return (
    <Section title="Token quota">
      <QuotaEditor
        quota={client.token_quota}
        scope="update:clients"
        save={async (token_quota) => {
          await api.send('PATCH', `/clients/${seg(client.client_id)}`, { token_quota });
          reload();
        }}
      />
    </Section>
  );
}

function Delete({ client }: { client: Client }) {
  const { api } = useConsole();
  const task = useTask();
  if (client.is_system)
    return <p class="muted">This is the admin client Minter made at start: it cannot be deleted.</p>;
  return (
    <Section title="Delete">
      <ConfirmButton
        label="Delete application"
        question={`Delete ${client.name}? Its grants go with it and it gets no more tokens.`}
        confirmLabel="Delete"
        scope="delete:clients"
        class="danger"
        busy={task.busy}
        onConfirm={() =>
          void task.run(async () => {
            await api.send('DELETE', `/clients/${seg(client.client_id)}`);
            navigate('applications');
          })
        }
      />
      <TaskStatus task={task} />
    </Section>
  );
}

export function ApplicationPage({ clientId }: { clientId: string }) {
  const { api } = useConsole();
  const client = useLoad(() => api.get<Client>(`/clients/${seg(clientId)}`), [clientId]);
  return (
    <LoadedView loaded={client}>
      {(c) => (
        <Page
          title={c.name}
          intro={
            <>
              Client ID <code>{c.client_id}</code>
              {c.description ? ` · ${c.description}` : ''}
            </>
          }
        >
          <p>
            <a href="#/applications">All applications</a>
          </p>
          <GrantsSection client={c} />
          <div class="grid">
            <Settings client={c} reload={client.reload} />
            <Secret client={c} />
          </div>
          <DefaultOrganization client={c} reload={client.reload} />
          <PropertiesSection client={c} />
          <CredentialsSection client={c} />
          <Quota client={c} reload={client.reload} />
          <Delete client={c} />
        </Page>
      )}
    </LoadedView>
  );
}
