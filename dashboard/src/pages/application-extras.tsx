/** An application's properties (Kinde's key/value pairs, read by workflows) and its private_key_jwt credentials. */
import { seg } from '../api';
import { useConsole } from '../context';
import { useLoad, useTask } from '../hooks';
import type { Client, Credential } from '../types';
import { ConfirmButton, Field, When, WriteButton } from '../ui/controls';
import { Empty, LoadedView, NeedsScope, TaskStatus } from '../ui/feedback';
import { submitted } from '../ui/forms';
import { Section } from '../ui/page';

export function PropertiesSection({ client }: { client: Client }) {
  const { api, can } = useConsole();
  const task = useTask();
  const base = `/clients/${seg(client.client_id)}/properties`;
  const properties = useLoad(() => api.get<{ properties: Array<{ key: string; value: string }> }>(base), [base]);
  const add = (event: Event) => {
    const form = submitted(event);
    void task.run(async () => {
      await api.send('PUT', `${base}/${seg(form.get('key'))}`, { value: form.get('value') });
      form.form.reset();
      properties.reload();
      return `Property ${form.get('key')} saved.`;
    });
  };
  if (!can('read:clients')) return null;
  return (
    <Section title="Properties">
      <p>Key/value pairs a Kinde workflow reads for this application.</p>
      <LoadedView loaded={properties}>
        {({ properties: list }) =>
          list.length === 0 ? (
            <Empty title="No property.">Add one below, such as a tier or a region.</Empty>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">Key</th>
                  <th scope="col">Value</th>
                  <th scope="col">
                    <span class="visually-hidden">Remove</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.map((p) => (
                  <tr key={p.key}>
                    <td>
                      <code>{p.key}</code>
                    </td>
                    <td>{p.value}</td>
                    <td>
                      <WriteButton
                        scope="update:clients"
                        busy={task.busy}
                        aria-label={`Remove property ${p.key}`}
                        onClick={() =>
                          void task.run(async () => {
                            await api.send('DELETE', `${base}/${seg(p.key)}`);
                            properties.reload();
                            return `Property ${p.key} removed.`;
                          })
                        }
                      >
                        Remove
                      </WriteButton>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </LoadedView>
      <form onSubmit={add} class="row">
        <Field label="Property key">
          <input name="key" required pattern="[A-Za-z0-9_.:\-]+" maxLength={128} />
        </Field>
        <Field label="Property value">
          <input name="value" maxLength={2048} />
        </Field>
        <WriteButton type="submit" scope="update:clients" busy={task.busy}>
          Save property
        </WriteButton>
      </form>
      <TaskStatus task={task} />
    </Section>
  );
}

export function CredentialsSection({ client }: { client: Client }) {
  const { api, can } = useConsole();
  const task = useTask();
  const base = `/clients/${seg(client.client_id)}/credentials`;
  const credentials = useLoad(
    () => (can('read:client_credentials') ? api.get<Credential[]>(base) : Promise.resolve([])),
    [base],
  );
  const add = (event: Event) => {
    const form = submitted(event);
    void task.run(async () => {
      await api.send('POST', base, {
        credential_type: 'public_key',
        name: form.get('name'),
        alg: form.get('alg'),
        pem: form.get('pem'),
      });
      form.form.reset();
      credentials.reload();
      return 'Public key added.';
    });
  };
  return (
    <Section title="Public keys (private_key_jwt)">
      <p>
        The RSA public keys this application signs its token requests with, instead of a secret (at most two, to roll
        one over). Set its authentication to private_key_jwt above to turn the secret off.
      </p>
      {!can('read:client_credentials') ? (
        <NeedsScope scope="read:client_credentials" />
      ) : (
        <LoadedView loaded={credentials}>
          {(list) =>
            list.length === 0 ? (
              <Empty title="No public key.">Paste a PEM public key or certificate below to use private_key_jwt.</Empty>
            ) : (
              <table class="wide">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Key ID (kid)</th>
                    <th scope="col">Algorithm</th>
                    <th scope="col">Expires</th>
                    <th scope="col">
                      <span class="visually-hidden">Delete</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((c) => (
                    <tr key={c.id}>
                      <td>{c.name || '—'}</td>
                      <td>
                        <code>{c.kid}</code>
                      </td>
                      <td>{c.alg}</td>
                      <td>
                        <When iso={c.expires_at} />
                      </td>
                      <td>
                        <ConfirmButton
                          label={`Delete key ${c.name || c.kid.slice(0, 8)}`}
                          question="Delete this public key? Assertions signed with its private key will be refused."
                          confirmLabel="Delete"
                          scope="delete:client_credentials"
                          onConfirm={() =>
                            void task.run(async () => {
                              await api.send('DELETE', `${base}/${seg(c.id)}`);
                              credentials.reload();
                              return 'Public key deleted.';
                            })
                          }
                        />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )
          }
        </LoadedView>
      )}
      <form onSubmit={add} class="form">
        <Field label="Key name">
          <input name="name" maxLength={128} />
        </Field>
        <Field label="Signing algorithm">
          <select name="alg">
            <option value="RS256">RS256</option>
            <option value="RS384">RS384</option>
            <option value="PS256">PS256</option>
          </select>
        </Field>
        <Field
          label="Public key (PEM)"
          hint="A PEM public key or X.509 certificate, RSA, 2048 bits or more. Never the private key."
        >
          <textarea name="pem" rows={5} required spellcheck={false} />
        </Field>
        <WriteButton type="submit" scope="create:client_credentials" busy={task.busy}>
          Add public key
        </WriteButton>
      </form>
      <TaskStatus task={task} />
    </Section>
  );
}
