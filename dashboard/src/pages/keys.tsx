/**
 * Keys: the signing keys per algorithm — the current one, the next one (published before it signs), the previous ones
 * still published until their last token expires — rotated and revoked (with a confirmation) here.
 */
import { query, seg } from '../api';
import { useConsole } from '../context';
import { useLoad, useTask } from '../hooks';
import { SIGNING_ALGS, type SigningKey } from '../types';
import { ConfirmButton, Field, When, WriteButton } from '../ui/controls';
import { Empty, LoadedView, NeedsScope, TaskStatus } from '../ui/feedback';
import { submitted } from '../ui/forms';
import { Page, Section } from '../ui/page';

const ORDER: Record<SigningKey['status'], number> = { current: 0, next: 1, previous: 2, revoked: 3, expired: 4 };

function KeyTable({
  keys,
  onRevoke,
  busy,
}: {
  keys: SigningKey[];
  onRevoke: (key: SigningKey) => void;
  busy: boolean;
}) {
  return (
    <table class="wide">
      <thead>
        <tr>
          <th scope="col">Status</th>
          <th scope="col">Key ID (kid)</th>
          <th scope="col">Created</th>
          <th scope="col">Signs / signed</th>
          <th scope="col">Published until</th>
          <th scope="col">
            <span class="visually-hidden">Revoke</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {keys.map((k) => (
          <tr key={k.kid}>
            <td>
              <span class={`badge ${k.status === 'current' ? 'ok' : k.status === 'revoked' ? 'bad' : ''}`}>
                {k.status}
              </span>
            </td>
            <td>
              <code>{k.kid}</code>
            </td>
            <td>
              <When iso={k.created_at} />
            </td>
            <td>
              {k.status === 'next' ? 'not yet' : <When iso={k.current_since} />}
              {k.current_until && (
                <>
                  {' '}
                  to <When iso={k.current_until} />
                </>
              )}
            </td>
            <td>{k.status === 'revoked' ? <When iso={k.revoked_at} /> : <When iso={k.published_until} />}</td>
            <td>
              {k.status !== 'revoked' && (
                <ConfirmButton
                  label="Revoke"
                  detail={`key ${k.kid}`}
                  question={`Revoke the ${k.alg} key ${k.kid}? It leaves the JWKS at once: every token it signed stops verifying now.${k.status === 'current' ? ' The next key starts signing.' : ''}`}
                  confirmLabel="Revoke key"
                  scope="update:signing_keys"
                  class="danger"
                  busy={busy}
                  onConfirm={() => onRevoke(k)}
                />
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function KeysPage(_props: { params: string[] }) {
  const { api, can } = useConsole();
  const keys = useLoad(() => api.get<SigningKey[]>('/keys/signing'), []);
  const task = useTask();
  const rotate = (event: Event) => {
    const form = submitted(event);
    const alg = form.get('alg');
    void task.run(async () => {
      await api.send(
        'POST',
        `/keys/signing/rotate${query({ alg: alg || undefined, force: form.checked('force') || undefined })}`,
      );
      keys.reload();
      return `Rotated${alg ? ` the ${alg} key` : ' every algorithm'}: the next key signs now, and a new next key is published.`;
    });
  };
  const revoke = (key: SigningKey) =>
    void task.run(async () => {
      await api.send('PUT', `/keys/signing/${seg(key.kid)}/revoke`);
      keys.reload();
      return `Revoked ${key.kid}.`;
    });
  return (
    <Page
      title="Keys"
      intro="The keys tokens are signed with, one set per algorithm, published at /.well-known/jwks.json."
    >
      <Section title="Rotate">
        <form onSubmit={rotate} class="row">
          <Field label="Algorithm">
            <select name="alg">
              <option value="">Every algorithm</option>
              {SIGNING_ALGS.map((alg) => (
                <option key={alg} value={alg}>
                  {alg}
                </option>
              ))}
            </select>
          </Field>
          <label class="check">
            <input type="checkbox" name="force" />
            Even if the next key was published only moments ago (verifiers may not have fetched it yet)
          </label>
          <WriteButton type="submit" scope="create:signing_keys" busy={task.busy} class="primary">
            Rotate keys
          </WriteButton>
        </form>
        <TaskStatus task={task} />
      </Section>
      {!can('read:signing_keys') ? (
        <NeedsScope scope="read:signing_keys" />
      ) : (
        <LoadedView loaded={keys}>
          {(list) => {
            const algs = [...new Set(list.map((k) => k.alg))].sort();
            if (algs.length === 0)
              return (
                <Empty title="No signing key yet.">Minter makes one per algorithm when it first signs with it.</Empty>
              );
            return algs.map((alg) => (
              <Section key={alg} title={`${alg} keys`}>
                <KeyTable
                  keys={list.filter((k) => k.alg === alg).sort((a, b) => ORDER[a.status] - ORDER[b.status])}
                  onRevoke={revoke}
                  busy={task.busy}
                />
              </Section>
            ));
          }}
        </LoadedView>
      )}
    </Page>
  );
}
