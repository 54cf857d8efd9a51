/**
 * Overview: tokens issued and failed per minute, answer time p50/p99 over the last minute, failures by error since
 * Minter started (all from `/metrics`, read every 5 s since sign-in), and the last failed requests, each opening its
 * log record.
 */
import type { ComponentProps } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { query } from '../api';
import { useConsole } from '../context';
import { useInterval, useLoad } from '../hooks';
import { failedTotal, perMinute, quantileMs, type Reading } from '../metrics';
import { SAMPLE_EVERY_MS, subscribe, type SamplerState } from '../metrics-sampler';
import { href } from '../router';
import { BarChart } from '../ui/bar-chart';
import { When } from '../ui/controls';
import { Empty, ErrorText, LoadedView, NeedsScope } from '../ui/feedback';
import { lazy } from '../ui/lazy';
import { Page, Section } from '../ui/page';
import type { LogRecord } from './log-types';

const LineChart = lazy(() => import('../ui/line-chart'));
const WINDOW = 60_000 / SAMPLE_EVERY_MS;
const round = (n: number | undefined) => (n === undefined ? '—' : n < 10 ? n.toFixed(2) : n.toFixed(0));

function series(readings: Reading[]) {
  const times: number[] = [];
  const issued: number[] = [];
  const failed: number[] = [];
  const p50: Array<number | null> = [];
  const p99: Array<number | null> = [];
  for (let i = 1; i < readings.length; i++) {
    const now = readings[i]!;
    const before = readings[i - 1]!;
    const from = readings[Math.max(0, i - WINDOW)];
    times.push(now.at / 1000);
    issued.push(Math.max(0, perMinute(now.issued, before.issued, now.at - before.at)));
    failed.push(Math.max(0, perMinute(failedTotal(now), failedTotal(before), now.at - before.at)));
    p50.push(quantileMs(now, from, 0.5) ?? null);
    p99.push(quantileMs(now, from, 0.99) ?? null);
  }
  return { times, issued, failed, p50, p99 };
}

function Charts({ state }: { state: SamplerState }) {
  const { readings } = state;
  const latest = readings.at(-1);
  if (!latest) return state.error ? <ErrorText error={state.error} /> : <p class="muted">Reading /metrics…</p>;
  const s = series(readings);
  const since = readings[Math.max(0, readings.length - 1 - WINDOW)];
  const failures = Object.entries(latest.failed)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([label, value]) => ({ label, value }));
  const p50 = quantileMs(latest, since, 0.5);
  const p99 = quantileMs(latest, since, 0.99);
  const collecting = s.times.length < 2 && (
    <p class="muted">Collecting: the charts fill in as Minter is read every {SAMPLE_EVERY_MS / 1000} s.</p>
  );
  const chart = (props: ComponentProps<typeof LineChart>) => (s.times.length === 0 ? null : <LineChart {...props} />);
  return (
    <>
      <ErrorText error={state.error} />
      <div class="grid">
        <Section title="Tokens per minute">
          <p>
            Since Minter started: <strong>{latest.issued}</strong> issued, <strong>{failedTotal(latest)}</strong>{' '}
            failed.
          </p>
          {collecting}
          {chart({
            times: s.times,
            unit: 'per minute',
            summary: `Tokens per minute: ${round(s.issued.at(-1))} issued and ${round(s.failed.at(-1))} failed in the latest reading.`,
            series: [
              { label: 'Issued', values: s.issued, color: '#1a6b3c' },
              { label: 'Failed', values: s.failed, color: '#b00020' },
            ],
          })}
        </Section>
        <Section title="Answer time">
          <p>
            Last minute: p50 <strong>{round(p50)} ms</strong>, p99 <strong>{round(p99)} ms</strong>.
          </p>
          {collecting}
          {chart({
            times: s.times,
            unit: 'ms',
            summary: `Answer time over the last minute: p50 ${round(p50)} ms, p99 ${round(p99)} ms.`,
            series: [
              { label: 'p50', values: s.p50, color: '#1f4e9c' },
              { label: 'p99', values: s.p99, color: '#8a4b00' },
            ],
          })}
        </Section>
      </div>
      <Section title="Failures by error">
        {failures.length === 0 ? (
          <Empty title="No failed token request since Minter started." />
        ) : (
          <BarChart
            bars={failures}
            summary={`Failed token requests since Minter started, by error: ${failures.map((f) => `${f.label} ${f.value}`).join(', ')}.`}
          />
        )}
      </Section>
    </>
  );
}

function LastFailures() {
  const { api, can } = useConsole();
  const failures = useLoad(
    () =>
      can('read:logs') ? api.get<LogRecord[]>(`/logs${query({ type: 'feccft', per_page: 10 })}`) : Promise.resolve([]),
    [],
  );
  useInterval(failures.reload, SAMPLE_EVERY_MS);
  if (!can('read:logs')) return <NeedsScope scope="read:logs" />;
  return (
    <LoadedView loaded={failures}>
      {(records) =>
        records.length === 0 ? (
          <Empty title="No failed token request recorded.">Failed requests appear here, each opening its record.</Empty>
        ) : (
          <table>
            <caption class="visually-hidden">The ten newest failed token requests</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Error</th>
                <th scope="col">Client</th>
                <th scope="col">What the client was told</th>
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
                  <td>{String(r.details?.error ?? '')}</td>
                  <td>{r.client_name ?? r.client_id ?? '—'}</td>
                  <td>{r.description}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      }
    </LoadedView>
  );
}

export function OverviewPage(_props: { params: string[] }) {
  const [state, setState] = useState<SamplerState>({ readings: [] });
  useEffect(() => subscribe(setState), []);
  return (
    <Page
      title="Overview"
      intro="Token traffic as Minter counts it (/metrics, read every 5 seconds while you are signed in)."
    >
      <Charts state={state} />
      <Section title="Last failed requests">
        <LastFailures />
      </Section>
    </Page>
  );
}
