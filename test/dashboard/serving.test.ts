/**
 * The dashboard's files as Minter serves them at /dashboard/: the strict Content-Security-Policy on every answer,
 * caching by name (hashed bundles for a year, index.html revalidated), and MINTER_DASHBOARD=false taking it away.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Fastify from 'fastify';
import { DASHBOARD_CSP, dashboardPlugin } from '../../src/plugins/dashboard.js';
import { anyStorage, startMinter, type RunningMinter } from '../helpers/minter.js';

describe('dashboard serving', () => {
  let m: RunningMinter;
  before(async () => {
    m = await startMinter({ storage: anyStorage });
  });
  after(() => m?.close());

  test('GET /dashboard redirects to /dashboard/ (relative, for path-prefix proxies)', async () => {
    const response = await fetch(`${m.baseUrl}/dashboard`, { redirect: 'manual' });
    assert.equal(response.status, 301);
    assert.equal(response.headers.get('location'), 'dashboard/');
  });

  test('index.html: the CSP allows this origin only, with no inline script or style; revalidated on each load', async () => {
    const response = await fetch(`${m.baseUrl}/dashboard/`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(response.headers.get('cache-control'), 'no-cache');
    const csp = response.headers.get('content-security-policy');
    assert.equal(csp, DASHBOARD_CSP);
    for (const directive of [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data:",
      "connect-src 'self'",
      "frame-ancestors 'none'",
    ])
      assert.ok(csp!.split('; ').includes(directive), directive);
    assert.doesNotMatch(csp!, /unsafe|nonce|\*/);
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(response.headers.get('x-frame-options'), 'DENY');
    const html = await response.text();
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script');
    assert.doesNotMatch(html, /<style|\sstyle=/, 'no inline style');
  });

  test('bundles have hashed names, are cached for a year, and carry the CSP too', async () => {
    const html = await (await fetch(`${m.baseUrl}/dashboard/`)).text();
    const names = [...html.matchAll(/(?:src|href)="([^"]+)"/g)]
      .map((match) => match[1]!)
      .filter((n) => !n.startsWith('data:'));
    assert.ok(
      names.some((n) => /^app-[A-Z0-9]{8}\.js$/.test(n)),
      html,
    );
    assert.ok(
      names.some((n) => /^app-[A-Z0-9]{8}\.css$/.test(n)),
      html,
    );
    for (const name of names) {
      const response = await fetch(`${m.baseUrl}/dashboard/${name}`);
      assert.equal(response.status, 200, name);
      assert.equal(response.headers.get('cache-control'), 'public, max-age=31536000, immutable');
      assert.equal(response.headers.get('content-security-policy'), DASHBOARD_CSP);
      assert.match(response.headers.get('content-type')!, name.endsWith('.css') ? /^text\/css/ : /^text\/javascript/);
    }
  });

  test('an unknown file is a 404, and nothing outside the build is reachable', async () => {
    for (const path of ['/dashboard/nope.js', '/dashboard/..%2Fpackage.json', '/dashboard/index.html']) {
      const response = await fetch(`${m.baseUrl}${path}`);
      assert.equal(response.status, 404, path);
    }
  });

  test('MINTER_DASHBOARD=false removes it', async () => {
    await m.restart({ MINTER_DASHBOARD: 'false' });
    assert.equal((await fetch(`${m.baseUrl}/dashboard/`)).status, 404);
    assert.equal((await fetch(`${m.baseUrl}/dashboard`, { redirect: 'manual' })).status, 404);
    await m.restart();
    assert.equal((await fetch(`${m.baseUrl}/dashboard/`)).status, 200);
  });

  test('not built (tsc alone, no bundle): /dashboard/ answers 503 saying how to build it', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'minter-dashboard-'));
    const app = Fastify({ logger: false });
    await app.register(dashboardPlugin, { dir: join(empty, 'missing') });
    const response = await app.inject({ method: 'GET', url: '/dashboard/' });
    assert.equal(response.statusCode, 503);
    assert.equal(response.body, 'The dashboard is not built: run npm run build.\n');
    assert.equal(response.headers['content-security-policy'], DASHBOARD_CSP);
    await app.close();
    await rm(empty, { recursive: true, force: true });
  });
});
