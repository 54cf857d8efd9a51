/**
 * Applications: the clients, searchable, and a form that creates one (its secret shown once). `#/applications/<id>`
 * opens one (application.tsx).
 */
import { useState } from 'preact/hooks';
import { listAll } from '../api';
import { useConsole } from '../context';
import { useLoad, useTask } from '../hooks';
import { href } from '../router';
import type { Client } from '../types';
import { Field, When, WriteButton } from '../ui/controls';
import { Empty, LoadedView, NeedsScope, TaskStatus } from '../ui/feedback';
import { submitted } from '../ui/forms';
import { Page, Section } from '../ui/page';
import { SecretOnce } from '../ui/secret';
import { ApplicationPage } from './application';

export const AUTH_METHODS = [
  ['client_secret_post', 'Client secret in the body (client_secret_post)'],
  ['client_secret_basic', 'Client secret by HTTP Basic (client_secret_basic)'],
  ['private_key_jwt', 'Signed assertion (private_key_jwt)'],
] as const;

function CreateApplication({ onCreated }: { onCreated: () => void }) {
  const { api } = useConsole();
  const task = useTask();
  const [created, setCreated] = useState<Client>();
  const create = (event: Event) => {
    const form = submitted(event);
    void task.run(async () => {
      const client = await api.send<Client>('POST', '/clients', {
        name: form.get('name'),
        ...(form.get('description') && { description: form.get('description') }),
        token_endpoint_auth_method: form.get('auth'),
      });
      setCreated(client);
      form.form.reset();
      onCreated();
      return `Created ${client.name}.`;
    });
  };
  return (
    <Section title="Create an application">
      <form onSubmit={create} class="form">
        <Field label="Name">
          <input name="name" required maxLength={255} />
        </Field>
        <Field label="Description">
          <input name="description" maxLength={140} />
        </Field>
        <Field label="Authentication">
          <select name="auth">
            {AUTH_METHODS.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </Field>
        <WriteButton type="submit" scope="create:clients" busy={task.busy} class="primary">
          Create application
        </WriteButton>
      </form>
      <TaskStatus task={task} />
      {created?.client_secret && (
        <>
          <SecretOnce clientId={created.client_id} secret={created.client_secret} name={created.name} />
          <p>
            <a href={href('applications', created.client_id)}>Open {created.name}</a> to grant it access to an API.
          </p>
        </>
      )}
    </Section>
  );
}

function ApplicationList() {
  const { api, can } = useConsole();
  const clients = useLoad(() => listAll<Client>(api, '/clients', 'clients'), []);
  const [search, setSearch] = useState('');
  const needle = search.trim().toLowerCase();
  return (
    <>
      <CreateApplication onCreated={clients.reload} />
      <Section title="All applications">
        {!can('read:clients') ? (
          <NeedsScope scope="read:clients" />
        ) : (
          <LoadedView loaded={clients}>
            {(all) => {
              const shown = all.filter((c) =>
                [c.name, c.client_id, c.description ?? ''].some((text) => text.toLowerCase().includes(needle)),
              );
              return (
                <>
                  <Field label="Search applications">
                    <input type="search" value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
                  </Field>
                  {all.length <= 1 && (
                    <Empty title="No application of your own yet.">
                      Create one above: a service that will ask Minter for tokens. Then grant it access to an API.
                    </Empty>
                  )}
                  {needle && shown.length === 0 && <Empty title={`No application matches “${search}”.`} />}
                  {shown.length > 0 && (
                    <table class="wide">
                      <thead>
                        <tr>
                          <th scope="col">Name</th>
                          <th scope="col">Client ID</th>
                          <th scope="col">Authentication</th>
                          <th scope="col">Created</th>
                        </tr>
                      </thead>
                      <tbody>
                        {shown.map((c) => (
                          <tr key={c.client_id}>
                            <td>
                              <a href={href('applications', c.client_id)}>{c.name}</a>
                              {c.is_system && <span class="spaced badge">admin</span>}
                            </td>
                            <td>
                              <code>{c.client_id}</code>
                            </td>
                            <td>{c.token_endpoint_auth_method}</td>
                            <td>
                              <When iso={c.created_at} />
                            </td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  )}
                </>
              );
            }}
          </LoadedView>
        )}
      </Section>
    </>
  );
}

export function ApplicationsPage({ params }: { params: string[] }) {
  if (params[0]) return <ApplicationPage clientId={params[0]} />;
  return (
    <Page title="Applications" intro="The services that ask Minter for tokens (Auth0's M2M applications).">
      <ApplicationList />
    </Page>
  );
}
