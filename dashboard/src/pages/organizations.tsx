/**
 * Organizations: created and edited here, with the client grants each may use (a token request naming the
 * organization is refused for a grant not listed, unless the grant allows any organization).
 */
import { listAll, seg } from '../api';
import { useConsole } from '../context';
import { useLoad, useTask } from '../hooks';
import { href, navigate } from '../router';
import type { Client, ClientGrant, Organization, ResourceServer } from '../types';
import { ConfirmButton, Field, WriteButton } from '../ui/controls';
import { Empty, LoadedView, NeedsScope, TaskStatus } from '../ui/feedback';
import { submitted } from '../ui/forms';
import { Page, Section } from '../ui/page';
import { QuotaEditor } from '../ui/quota';

const NAME_RULE =
  'Lowercase letters, digits, - and _, starting and ending with a letter or digit (what token requests send).';

function CreateOrganization({ onCreated }: { onCreated: () => void }) {
  const { api } = useConsole();
  const task = useTask();
  const create = (event: Event) => {
    const form = submitted(event);
    void task.run(async () => {
      const created = await api.send<Organization>('POST', '/organizations', {
        name: form.get('name'),
        ...(form.get('display_name') && { display_name: form.get('display_name') }),
      });
      form.form.reset();
      onCreated();
      return `Created ${created.name}.`;
    });
  };
  return (
    <Section title="Create an organization">
      <form onSubmit={create} class="form">
        <Field label="Organization name" hint={NAME_RULE}>
          <input name="name" required maxLength={50} pattern="[a-z0-9]([a-z0-9_\-]*[a-z0-9])?" spellcheck={false} />
        </Field>
        <Field label="Display name">
          <input name="display_name" maxLength={255} />
        </Field>
        <WriteButton type="submit" scope="create:organizations" busy={task.busy} class="primary">
          Create organization
        </WriteButton>
      </form>
      <TaskStatus task={task} />
    </Section>
  );
}

/** The client grants an organization may use: listed, added from every grant, removed. */
function OrganizationGrants({ organization }: { organization: Organization }) {
  const { api, can } = useConsole();
  const task = useTask();
  const base = `/organizations/${seg(organization.id)}/client-grants`;
  const loaded = useLoad(async () => {
    const [linked, all, clients, servers] = await Promise.all([
      listAll<ClientGrant>(api, base, 'client_grants'),
      can('read:client_grants') ? listAll<ClientGrant>(api, '/client-grants', 'client_grants') : Promise.resolve([]),
      can('read:clients') ? listAll<Client>(api, '/clients', 'clients') : Promise.resolve([]),
      can('read:resource_servers')
        ? listAll<ResourceServer>(api, '/resource-servers', 'resource_servers')
        : Promise.resolve([]),
    ]);
    return { linked, all, clients, servers };
  }, [base]);
  if (!can('read:organization_client_grants')) return <NeedsScope scope="read:organization_client_grants" />;
  return (
    <LoadedView loaded={loaded}>
      {({ linked, all, clients, servers }) => {
        const describe = (g: ClientGrant) =>
          `${clients.find((c) => c.client_id === g.client_id)?.name ?? g.client_id} → ${servers.find((s) => s.identifier === g.audience)?.name ?? g.audience}`;
        const addable = all.filter((g) => !g.is_system && !linked.some((l) => l.id === g.id));
        return (
          <>
            {linked.length === 0 ? (
              <Empty title="This organization may use no grant yet.">
                Add one below: an application's access to an API.
              </Empty>
            ) : (
              <ul>
                {linked.map((g) => (
                  <li key={g.id} class="row">
                    <span>
                      {describe(g)} <span class="muted">({g.scope.join(' ') || 'no scope'})</span>
                    </span>
                    <WriteButton
                      scope="delete:organization_client_grants"
                      busy={task.busy}
                      aria-label={`Remove ${describe(g)}`}
                      onClick={() =>
                        void task.run(async () => {
                          await api.send('DELETE', `${base}/${seg(g.id)}`);
                          loaded.reload();
                          return 'Grant removed from the organization.';
                        })
                      }
                    >
                      Remove
                    </WriteButton>
                  </li>
                ))}
              </ul>
            )}
            <form
              class="row"
              onSubmit={(event) => {
                const form = submitted(event);
                void task.run(async () => {
                  await api.send('POST', base, { grant_id: form.get('grant') });
                  loaded.reload();
                  return 'Grant added to the organization.';
                });
              }}
            >
              <Field label="Grant to add">
                <select name="grant" required>
                  {addable.map((g) => (
                    <option key={g.id} value={g.id}>
                      {describe(g)}
                    </option>
                  ))}
                </select>
              </Field>
              <WriteButton
                type="submit"
                scope="create:organization_client_grants"
                busy={task.busy}
                disabled={addable.length === 0}
              >
                Add grant
              </WriteButton>
            </form>
            <p class="hint">A grant must also allow organizations (its organization use, on the application's page).</p>
            <TaskStatus task={task} />
          </>
        );
      }}
    </LoadedView>
  );
}

function OrganizationDetail({ id }: { id: string }) {
  const { api } = useConsole();
  const organization = useLoad(() => api.get<Organization>(`/organizations/${seg(id)}`), [id]);
  const task = useTask();
  return (
    <LoadedView loaded={organization}>
      {(o) => (
        <Page
          title={o.display_name || o.name}
          intro={
            <>
              Name <code>{o.name}</code> · ID <code>{o.id}</code>
            </>
          }
        >
          <p>
            <a href="#/organizations">All organizations</a>
          </p>
          <Section title="Settings">
            <form
              class="form"
              onSubmit={(event) => {
                const form = submitted(event);
                void task.run(async () => {
                  await api.send('PATCH', `/organizations/${seg(o.id)}`, {
                    name: form.get('name'),
                    display_name: form.get('display_name'),
                  });
                  organization.reload();
                  return 'Organization saved.';
                });
              }}
            >
              <Field label="Organization name" hint={NAME_RULE}>
                <input name="name" required maxLength={50} defaultValue={o.name} spellcheck={false} />
              </Field>
              <Field label="Display name">
                <input name="display_name" maxLength={255} defaultValue={o.display_name} />
              </Field>
              <WriteButton type="submit" scope="update:organizations" busy={task.busy} class="primary">
                Save organization
              </WriteButton>
            </form>
            <TaskStatus task={task} />
          </Section>
          <Section title="Grants it may use">
            <OrganizationGrants organization={o} />
          </Section>
          <Section title="Token quota">
            <QuotaEditor
              quota={o.token_quota}
              scope="update:organizations"
              save={async (token_quota) => {
                await api.send('PATCH', `/organizations/${seg(o.id)}`, { token_quota });
                organization.reload();
              }}
            />
          </Section>
          <Section title="Delete">
            <ConfirmButton
              label="Delete organization"
              question={`Delete ${o.name}? Token requests naming it will be refused.`}
              confirmLabel="Delete"
              scope="delete:organizations"
              class="danger"
              onConfirm={() =>
                void task.run(async () => {
                  await api.send('DELETE', `/organizations/${seg(o.id)}`);
                  navigate('organizations');
                })
              }
            />
          </Section>
        </Page>
      )}
    </LoadedView>
  );
}

function OrganizationList() {
  const { api, can } = useConsole();
  const organizations = useLoad(() => listAll<Organization>(api, '/organizations', 'organizations'), []);
  return (
    <Page
      title="Organizations"
      intro="The customers or tenants a token may be issued for (the organization parameter)."
    >
      <CreateOrganization onCreated={organizations.reload} />
      <Section title="All organizations">
        {!can('read:organizations') ? (
          <NeedsScope scope="read:organizations" />
        ) : (
          <LoadedView loaded={organizations}>
            {(list) =>
              list.length === 0 ? (
                <Empty title="No organization yet.">Create one above, then choose the grants it may use.</Empty>
              ) : (
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Display name</th>
                      <th scope="col">Name</th>
                      <th scope="col">ID</th>
                    </tr>
                  </thead>
                  <tbody>
                    {list.map((o) => (
                      <tr key={o.id}>
                        <td>
                          <a href={href('organizations', o.id)}>{o.display_name || o.name}</a>
                        </td>
                        <td>
                          <code>{o.name}</code>
                        </td>
                        <td>
                          <code>{o.id}</code>
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

export function OrganizationsPage({ params }: { params: string[] }) {
  return params[0] ? <OrganizationDetail id={params[0]} /> : <OrganizationList />;
}
