/**
 * Logs: the token request records, newest first, read again every 2 s while "Live" is on (new records appear without
 * a reload), filtered by type, application, organization and date. `#/logs/<id>` opens one record and its execution
 * (log-record.tsx).
 */
import { useState } from 'preact/hooks';
import { listAll, query } from '../api';
import { useConsole } from '../context';
import { useInterval, useLoad } from '../hooks';
import { href } from '../router';
import type { Client, Organization } from '../types';
import { Field, When } from '../ui/controls';
import { Empty, ErrorText, NeedsScope } from '../ui/feedback';
import { Page, Section } from '../ui/page';
import { LogRecordPage } from './log-record';
import type { LogRecord } from './log-types';

export const TAIL_EVERY_MS = 2000;
const PAGE = 100;

interface Filters {
  type: string;
  client: string;
  organization: string;
  from: string;
  to: string;
}

/** A `datetime-local` value (the reader's time zone) as RFC 3339, or undefined. */
const isoOf = (local: string) => (local ? new Date(local).toISOString() : undefined);

function FilterForm({ filters, set }: { filters: Filters; set: (f: Filters) => void }) {
  const { api, can } = useConsole();
  const choices = useLoad(
    async () => ({
      clients: can('read:clients') ? await listAll<Client>(api, '/clients', 'clients') : [],
      organizations: can('read:organizations')
        ? await listAll<Organization>(api, '/organizations', 'organizations')
        : [],
    }),
    [],
  );
  const change = (key: keyof Filters) => (event: Event) =>
    set({ ...filters, [key]: (event.currentTarget as HTMLInputElement).value });
  return (
    <form class="row" onSubmit={(e) => e.preventDefault()} aria-label="Filters">
      <Field label="Type">
        <select value={filters.type} onChange={change('type')}>
          <option value="">All</option>
          <option value="seccft">Token issued (seccft)</option>
          <option value="feccft">Request failed (feccft)</option>
        </select>
      </Field>
      <Field label="Application">
        <select value={filters.client} onChange={change('client')}>
          <option value="">All</option>
          {choices.data?.clients.map((c) => (
            <option key={c.client_id} value={c.client_id}>
              {c.name}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Organization">
        <select value={filters.organization} onChange={change('organization')}>
          <option value="">All</option>
          {choices.data?.organizations.map((o) => (
            <option key={o.id} value={o.id}>
              {o.display_name || o.name}
            </option>
          ))}
        </select>
      </Field>
      <Field label="From">
        <input type="datetime-local" value={filters.from} onChange={change('from')} />
      </Field>
      <Field label="To">
        <input type="datetime-local" value={filters.to} onChange={change('to')} />
      </Field>
      <ErrorText error={choices.error} />
    </form>
  );
}

function LogTable({ records }: { records: LogRecord[] }) {
  return (
    <table class="wide">
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Type</th>
          <th scope="col">Application</th>
          <th scope="col">API</th>
          <th scope="col">Description</th>
          <th scope="col">Actions ran</th>
        </tr>
      </thead>
      <tbody>
        {records.map((r) => (
          <tr key={r.log_id}>
            <td>
              <a href={href('logs', r.log_id)}>
                <When iso={r.date} />
              </a>
            </td>
            <td>
              <span class={`badge ${r.type === 'seccft' ? 'ok' : 'bad'}`}>
                {r.type === 'seccft' ? 'issued' : 'failed'}
              </span>
            </td>
            <td>{r.client_name ?? r.client_id ?? '—'}</td>
            <td>{r.audience ?? '—'}</td>
            <td>
              {r.description}
              {r.details?.organization_name ? (
                <span class="muted"> · org {String(r.details.organization_name)}</span>
              ) : null}
            </td>
            <td>{r.execution_id ? 'yes' : '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function LogList() {
  const { api, can } = useConsole();
  const [filters, setFilters] = useState<Filters>({ type: '', client: '', organization: '', from: '', to: '' });
  const [live, setLive] = useState(true);
  const records = useLoad(async () => {
    if (!can('read:logs')) return [];
    const list = await api.get<LogRecord[]>(
      `/logs${query({ type: filters.type, client_id: filters.client, from_date: isoOf(filters.from), to_date: isoOf(filters.to), per_page: PAGE })}`,
    );
    // The API has no organization filter: it applies to the newest records read here.
    return filters.organization ? list.filter((r) => r.details?.organization_id === filters.organization) : list;
  }, [filters.type, filters.client, filters.organization, filters.from, filters.to]);
  useInterval(records.reload, TAIL_EVERY_MS, live && can('read:logs'));
  if (!can('read:logs')) return <NeedsScope scope="read:logs" />;
  return (
    <>
      <Section title="Filters">
        <FilterForm filters={filters} set={setFilters} />
        <label class="check">
          <input type="checkbox" checked={live} onChange={(e) => setLive(e.currentTarget.checked)} />
          Live: read new records every {TAIL_EVERY_MS / 1000} s
        </label>
        {filters.organization && (
          <p class="hint">The organization filter applies to the newest {PAGE} records that match the others.</p>
        )}
      </Section>
      <Section title="Records">
        <ErrorText error={records.error} />
        {records.data === undefined ? (
          <p class="muted">Loading…</p>
        ) : records.data.length === 0 ? (
          <Empty title="No record matches.">
            Every token request leaves one: ask for a token (or loosen the filters) and it appears here within{' '}
            {TAIL_EVERY_MS / 1000} s.
          </Empty>
        ) : (
          <LogTable records={records.data} />
        )}
      </Section>
    </>
  );
}

export function LogsPage({ params }: { params: string[] }) {
  if (params[0]) return <LogRecordPage id={params[0]} />;
  return (
    <Page title="Logs" intro="Every token request: seccft when a token was issued, feccft when the request failed.">
      <LogList />
    </Page>
  );
}
