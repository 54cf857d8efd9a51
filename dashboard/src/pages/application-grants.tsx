/**
 * An application's access to each API: a client grant per API with its scopes as checkboxes, how it may be used with
 * organizations, granted, changed or revoked in place.
 */
import { useState } from 'preact/hooks';
import { listAll, query, seg } from '../api';
import { useConsole } from '../context';
import { useLoad, useTask } from '../hooks';
import type { Client, ClientGrant, ResourceServer } from '../types';
import { ConfirmButton, Field, WriteButton } from '../ui/controls';
import { Empty, LoadedView, NeedsScope, TaskStatus } from '../ui/feedback';
import { Section } from '../ui/page';

function GrantEditor({
  client,
  api: server,
  grant,
  reload,
}: {
  client: Client;
  api: ResourceServer;
  grant?: ClientGrant;
  reload: () => void;
}) {
  const { api, can } = useConsole();
  const task = useTask();
  const [scopes, setScopes] = useState(() => new Set(grant?.scope ?? []));
  const [usage, setUsage] = useState(grant?.organization_usage ?? 'deny');
  const [anyOrganization, setAnyOrganization] = useState(grant?.allow_any_organization ?? false);
  const locked = grant?.is_system === true;
  const writeScope = grant ? 'update:client_grants' : 'create:client_grants';
  const editable = can(writeScope) && !locked;
  const toggle = (value: string, on: boolean) => {
    const next = new Set(scopes);
    if (on) next.add(value);
    else next.delete(value);
    setScopes(next);
  };
  const body = {
    scope: server.scopes.map((s) => s.value).filter((s) => scopes.has(s)),
    organization_usage: usage,
    allow_any_organization: anyOrganization,
  };
  const save = () =>
    void task.run(async () => {
      if (grant) await api.send('PATCH', `/client-grants/${seg(grant.id)}`, body);
      else
        await api.send('POST', '/client-grants', { client_id: client.client_id, audience: server.identifier, ...body });
      reload();
      return grant ? `Access to ${server.name} saved.` : `${client.name} may now get tokens for ${server.name}.`;
    });
  return (
    <fieldset>
      <legend>
        {server.name} <code>{server.identifier}</code>
      </legend>
      <p>
        {grant ? <span class="badge ok">Granted</span> : <span class="badge">No access</span>}
        {locked && ' The admin client keeps every scope of the management API.'}
      </p>
      {server.scopes.length === 0 ? (
        <p class="muted">This API defines no scopes: a grant gives tokens with an empty scope.</p>
      ) : (
        <div class="row" role="group" aria-label={`Scopes of ${server.name}`}>
          {server.scopes.map((s) => (
            <label class="check" key={s.value} title={s.description || undefined}>
              <input
                type="checkbox"
                checked={scopes.has(s.value)}
                disabled={!editable}
                onChange={(e) => toggle(s.value, e.currentTarget.checked)}
              />
              {s.value}
            </label>
          ))}
        </div>
      )}
      <div class="row">
        <Field label="Organization use">
          <select value={usage} disabled={!editable} onChange={(e) => setUsage(e.currentTarget.value as typeof usage)}>
            <option value="deny">Deny: no organization</option>
            <option value="allow">Allow: with or without one</option>
            <option value="require">Require: always one</option>
          </select>
        </Field>
        <label class="check">
          <input
            type="checkbox"
            checked={anyOrganization}
            disabled={!editable}
            onChange={(e) => setAnyOrganization(e.currentTarget.checked)}
          />
          Any organization
        </label>
      </div>
      {!locked && (
        <div class="row">
          <WriteButton scope={writeScope} busy={task.busy} class="primary" onClick={save}>
            {grant ? `Save access to ${server.name}` : `Grant access to ${server.name}`}
          </WriteButton>
          {grant && (
            <ConfirmButton
              label={`Revoke access to ${server.name}`}
              question={`Revoke ${client.name}'s access to ${server.name}? Its token requests for this API will be refused.`}
              confirmLabel="Revoke"
              scope="delete:client_grants"
              busy={task.busy}
              onConfirm={() =>
                void task.run(async () => {
                  await api.send('DELETE', `/client-grants/${seg(grant.id)}`);
                  setScopes(new Set());
                  reload();
                  return `Access to ${server.name} revoked.`;
                })
              }
            />
          )}
        </div>
      )}
      <TaskStatus task={task} />
    </fieldset>
  );
}

export function GrantsSection({ client }: { client: Client }) {
  const { api, can } = useConsole();
  const loaded = useLoad(async () => {
    const [servers, grants] = await Promise.all([
      listAll<ResourceServer>(api, '/resource-servers', 'resource_servers'),
      listAll<ClientGrant>(api, `/client-grants${query({ client_id: client.client_id })}`, 'client_grants'),
    ]);
    return { servers, grants };
  }, [client.client_id]);
  if (!can('read:resource_servers') || !can('read:client_grants'))
    return (
      <Section title="API access">
        <NeedsScope scope={can('read:resource_servers') ? 'read:client_grants' : 'read:resource_servers'} />
      </Section>
    );
  return (
    <Section title="API access">
      <p>Each API this application may get tokens for, with the scopes it may ask for.</p>
      <LoadedView loaded={loaded}>
        {({ servers, grants }) => {
          const own = servers.filter((s) => !s.is_system || grants.some((g) => g.audience === s.identifier));
          const others = servers.filter((s) => !own.includes(s));
          return (
            <>
              {own.length === 0 && (
                <Empty title="No API yet.">
                  Create an API under APIs first, then grant this application access here.
                </Empty>
              )}
              {own.map((server) => (
                <GrantEditor
                  key={server.id}
                  client={client}
                  api={server}
                  grant={grants.find((g) => g.audience === server.identifier)}
                  reload={loaded.reload}
                />
              ))}
              {others.length > 0 && (
                <details>
                  <summary>Management API access (makes this application an administrator of Minter)</summary>
                  {others.map((server) => (
                    <GrantEditor
                      key={server.id}
                      client={client}
                      api={server}
                      grant={undefined}
                      reload={loaded.reload}
                    />
                  ))}
                </details>
              )}
            </>
          );
        }}
      </LoadedView>
    </Section>
  );
}
