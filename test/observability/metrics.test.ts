/**
 * `GET /metrics`: Prometheus text an outside scraper reads — token outcomes, answer times, trigger actions by status
 * and batch sizes, the log writer, process metrics — moving with real requests; `MINTER_METRICS=false` turns it off,
 * and a value that is neither true nor false stops the server at start with a message naming the variable.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { bind, deployAction, requestToken } from '../helpers/actions.js';
import { anyStorage, postToken, provision, startMinter, type RunningMinter } from '../helpers/minter.js';

/** `name{labels} value` lines → value by series (`name` or `name{labels}` exactly as printed). */
async function scrape(m: RunningMinter): Promise<Map<string, number>> {
  const response = await fetch(`${m.baseUrl}/metrics`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const series = new Map<string, number>();
  for (const line of (await response.text()).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const cut = line.lastIndexOf(' ');
    series.set(line.slice(0, cut), Number(line.slice(cut + 1)));
  }
  return series;
}

describe('Prometheus metrics', () => {
  let m: RunningMinter;
  before(async () => {
    m = await startMinter({ storage: anyStorage });
  });
  after(() => m?.close());

  test('token outcomes, answer times, trigger actions and the log writer move with real requests', async () => {
    const app = await provision(m);
    const code = `exports.onExecuteCredentialsExchange = async (event, api) => { api.accessToken.setCustomClaim('https://example.com/m', 1); };`;
    await bind(m, 'credentials-exchange', [await deployAction(m, { name: 'metrics-claim', code })]);
    const before = await scrape(m);
    const value = (series: Map<string, number>, name: string) => series.get(name) ?? 0;

    assert.equal((await requestToken(m, app)).status, 200);
    assert.equal((await requestToken(m, app)).status, 200);
    const wrong = await postToken(m.baseUrl, {
      grant_type: 'client_credentials',
      client_id: app.clientId,
      client_secret: 'wrong',
      audience: app.identifier,
    });
    assert.equal(wrong.status, 401);
    await bind(m, 'credentials-exchange', []);

    const afterwards = await scrape(m);
    const delta = (name: string) => value(afterwards, name) - value(before, name);
    // The management calls in between are token requests too (the harness's admin token may be renewed): at least.
    assert.ok(delta('minter_tokens_issued_total') >= 2, `issued +${delta('minter_tokens_issued_total')}`);
    assert.equal(delta('minter_token_requests_failed_total{error="invalid_client"}'), 1);
    assert.equal(delta('minter_trigger_actions_total{trigger="credentials-exchange",status="ok"}'), 2);
    // One request at a time: batches of one (the first may run alone while the action's isolate is still starting).
    const batched = delta('minter_trigger_batch_size_sum');
    assert.ok(batched >= 1 && batched <= 2, `${batched} requests ran in batches`);
    assert.equal(delta('minter_trigger_batch_size_count'), batched);
    assert.equal(delta('minter_trigger_batch_size_bucket{le="1"}'), batched);
    assert.ok(delta('minter_token_request_duration_seconds_count') >= 3);
    assert.ok(delta('minter_token_request_duration_seconds_bucket{le="20"}') >= 3);
    assert.ok(afterwards.has('minter_log_records_buffered'));
    assert.ok(
      value(afterwards, 'minter_log_records_written_total') >= value(before, 'minter_log_records_written_total'),
    );
    assert.equal(value(afterwards, 'minter_log_records_dropped_total'), 0);
    assert.ok(value(afterwards, 'process_cpu_seconds_total') > 0);
  });
});

describe('MINTER_METRICS', () => {
  test('false: no /metrics route', async () => {
    const m = await startMinter({ storage: anyStorage, env: { MINTER_METRICS: 'false' } });
    try {
      assert.equal((await fetch(`${m.baseUrl}/metrics`)).status, 404);
    } finally {
      await m.close();
    }
  });

  test('anything but true or false is refused, naming the variable', () => {
    assert.throws(() => loadConfig({ MINTER_METRICS: 'yes' }), /MINTER_METRICS must be true or false, got "yes"/);
    assert.equal(loadConfig({ MINTER_METRICS: 'TRUE' }).metrics, true);
    assert.equal(loadConfig({}).metrics, true);
  });
});
