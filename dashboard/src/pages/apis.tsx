/**
 * APIs (resource servers): identifier, signing algorithm, token profile, token lifetime and scopes; created, changed
 * and deleted here. The management API itself is shown read-only.
 */
import { listAll, seg } from '../api';
import { useConsole } from '../context';
import { useLoad, useTask } from '../hooks';
import { href, navigate } from '../router';
import { SIGNING_ALGS, type ResourceServer } from '../types';
import { ConfirmButton, Field, WriteButton } from '../ui/controls';
import { Empty, LoadedView, NeedsScope, TaskStatus } from '../ui/feedback';
import { submitted, wholeNumber } from '../ui/forms';
import { Page, Section } from '../ui/page';

const PROFILES = [
  ['rfc9068', 'RFC 9068 (sub = client ID, typ at+jwt)'],
  ['auth0', "Auth0's (sub = <client ID>@clients, gty, azp)"],
] as const;

/** Scopes as one per line, `value description…`. */
const scopesText = (scopes: ResourceServer['scopes']) =>
  scopes.map((s) => (s.description ? `${s.value} ${s.description}` : s.value)).join('\n');

function parseScopes(text: string): ResourceServer['scopes'] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [value = '', ...rest] = line.split(/\s+/);
      return { value, description: rest.join(' ') };
    });
}

/** The fields an API is created and edited with. */
function ApiFields({ server }: { server?: ResourceServer }) {
  return (
    <>
      <Field label="Name">
        <input name="name" required maxLength={200} defaultValue={server?.name ?? ''} />
      </Field>
      <Field
        label="Signing algorithm"
        hint="ES256 or EdDSA sign several times faster than RS256; RS256 is what most verifiers expect."
      >
        <select name="signing_alg">
          {SIGNING_ALGS.map((alg) => (
            <option key={alg} value={alg} selected={alg === (server?.signing_alg ?? 'RS256')}>
              {alg}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Token profile">
        <select name="token_dialect">
          {PROFILES.map(([value, label]) => (
            <option key={value} value={value} selected={value === (server?.token_dialect ?? 'rfc9068')}>
              {label}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Token lifetime (seconds)" hint="At most 2592000 (30 days).">
        <input
          name="token_lifetime"
          inputMode="numeric"
          required
          defaultValue={String(server?.token_lifetime ?? 86400)}
        />
      </Field>
      <Field
        label="Scopes"
        hint="One a line: the scope, then an optional description, such as “read:things Read things”."
      >
        <textarea name="scopes" rows={4} spellcheck={false} defaultValue={server ? scopesText(server.scopes) : ''} />
      </Field>
    </>
  );
}

const bodyOf = (form: ReturnType<typeof submitted>) => ({
  name: form.get('name'),
  signing_alg: form.get('signing_alg'),
  token_dialect: form.get('token_dialect'),
  token_lifetime: wholeNumber(form.get('token_lifetime'), 'Token lifetime'),
  scopes: parseScopes(form.get('scopes')),
});

function CreateApi({ onCreated }: { onCreated: () => void }) {
  const { api } = useConsole();
  const task = useTask();
  const create = (event: Event) => {
    const form = submitted(event);
    void task.run(async () => {
      const created = await api.send<ResourceServer>('POST', '/resource-servers', {
        identifier: form.get('identifier'),
        ...bodyOf(form),
      });
      form.form.reset();
      onCreated();
      return `Created ${created.name}.`;
    });
  };
  return (
    <Section title="Create an API">
      <form onSubmit={create} class="form">
        <Field
          label="Identifier"
          hint="The audience clients ask tokens for, usually the API's URL, such as https://api.example.com. It cannot change later."
        >
          <input name="identifier" required pattern="\S+" spellcheck={false} />
        </Field>
        <ApiFields />
        <WriteButton type="submit" scope="create:resource_servers" busy={task.busy} class="primary">
          Create API
        </WriteButton>
      </form>
      <TaskStatus task={task} />
    </Section>
  );
}

function ApiDetail({ id }: { id: string }) {
  const { api } = useConsole();
  const server = useLoad(() => api.get<ResourceServer>(`/resource-servers/${seg(id)}`), [id]);
  const task = useTask();
  return (
    <LoadedView loaded={server}>
      {(s) => (
        <Page
          title={s.name}
          intro={
            <>
              Identifier (audience) <code>{s.identifier}</code>
            </>
          }
        >
          <p>
            <a href="#/apis">All APIs</a>
          </p>
          <Section title="Settings">
            {s.is_system && <p class="muted">Minter's own management API: it cannot be changed.</p>}
            <form
              class="form"
              onSubmit={(event) => {
                const form = submitted(event);
                void task.run(async () => {
                  await api.send('PATCH', `/resource-servers/${seg(s.id)}`, bodyOf(form));
                  server.reload();
                  return 'API saved. A scope removed here was also removed from every grant.';
                });
              }}
            >
              <fieldset disabled={s.is_system}>
                <legend class="visually-hidden">{s.name}</legend>
                <ApiFields server={s} />
              </fieldset>
              <WriteButton
                type="submit"
                scope="update:resource_servers"
                busy={task.busy}
                disabled={s.is_system}
                class="primary"
              >
                Save API
              </WriteButton>
            </form>
            <TaskStatus task={task} />
          </Section>
          {!s.is_system && (
            <Section title="Delete">
              <ConfirmButton
                label="Delete API"
                question={`Delete ${s.name}? Every grant for it goes too, and no more tokens are issued for ${s.identifier}.`}
                confirmLabel="Delete"
                scope="delete:resource_servers"
                class="danger"
                onConfirm={() =>
                  void task.run(async () => {
                    await api.send('DELETE', `/resource-servers/${seg(s.id)}`);
                    navigate('apis');
                  })
                }
              />
            </Section>
          )}
        </Page>
      )}
    </LoadedView>
  );
}

function ApiList() {
  const { api, can } = useConsole();
  const servers = useLoad(() => listAll<ResourceServer>(api, '/resource-servers', 'resource_servers'), []);
  return (
    <Page title="APIs" intro="The audiences Minter issues tokens for, and how their tokens look.">
      <CreateApi onCreated={servers.reload} />
      <Section title="All APIs">
        {!can('read:resource_servers') ? (
          <NeedsScope scope="read:resource_servers" />
        ) : (
          <LoadedView loaded={servers}>
            {(list) => (
              <>
                {list.every((s) => s.is_system) && (
                  <Empty title="No API of your own yet.">
                    Create one above: the identifier is the audience your services ask tokens for.
                  </Empty>
                )}
                <table class="wide">
                  <thead>
                    <tr>
                      <th scope="col">Name</th>
                      <th scope="col">Identifier</th>
                      <th scope="col">Algorithm</th>
                      <th scope="col">Profile</th>
                      <th scope="col">Lifetime</th>
                      <th scope="col">Scopes</th>
                    </tr>
                  </thead>
                  <tbody>
                    {list.map((s) => (
                      <tr key={s.id}>
                        <td>
                          <a href={href('apis', s.id)}>{s.name}</a>
                          {s.is_system && <span class="spaced badge">system</span>}
                        </td>
                        <td>
                          <code>{s.identifier}</code>
                        </td>
                        <td>{s.signing_alg}</td>
                        <td>{s.token_dialect}</td>
                        <td>{s.token_lifetime} s</td>
                        <td>{s.scopes.map((x) => x.value).join(' ') || '—'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </>
            )}
          </LoadedView>
        )}
      </Section>
    </Page>
  );
}

export function ApisPage({ params }: { params: string[] }) {
  return params[0] ? <ApiDetail id={params[0]} /> : <ApiList />;
}
