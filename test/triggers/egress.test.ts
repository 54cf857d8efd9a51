/**
 * Egress guard with real traffic, only ever to a server on 127.0.0.1 (allowed through `allowPrivate`): success,
 * pinning, the whole-request timeout, the body limits and redirects, each hop checked again.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import net from 'node:net';
import zlib from 'node:zlib';
import {
  createEgressFetch,
  EgressNetworkError,
  EgressRefusedError,
  EgressTimeoutError,
  EgressTooLargeError,
  MAX_REDIRECTS,
} from '../../src/triggers/egress/fetch.js';
import {
  fakeLookup,
  guardConnections,
  startLocalServer,
  type ConnectionGuard,
  type LocalServer,
} from './egress-harness.js';

const LOCAL = ['127.0.0.1/32'];

describe('egress: traffic to an allowed local server', () => {
  let server: LocalServer;
  let guard: ConnectionGuard;
  const seen: { method: string; url: string; headers: Record<string, string | string[] | undefined>; body: string }[] =
    [];

  before(async () => {
    guard = guardConnections();
    server = await startLocalServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        const path = new URL(req.url ?? '/', 'http://x').pathname;
        switch (path) {
          case '/json':
            res.writeHead(200, { 'content-type': 'application/json', 'x-multi': ['a', 'b'] });
            res.end(JSON.stringify({ ok: true, method: req.method, body }));
            return;
          case '/hang':
            return; // never answers
          case '/drip':
            res.writeHead(200);
            res.write('first');
            return; // never ends the body
          case '/big-declared':
            res.writeHead(200, { 'content-length': String(2 * 1024 * 1024) });
            res.write('x'.repeat(1024));
            return;
          case '/big-chunked': {
            res.writeHead(200, { 'content-type': 'text/plain' });
            const chunk = 'y'.repeat(16 * 1024);
            for (let i = 0; i < 128; i++) res.write(chunk);
            res.end();
            return;
          }
          case '/gzip':
            res.writeHead(200, { 'content-encoding': 'gzip' });
            res.end(zlib.gzipSync('hello, compressed'));
            return;
          case '/gzip-bomb':
            res.writeHead(200, { 'content-encoding': 'gzip' });
            res.end(zlib.gzipSync(Buffer.alloc(8 * 1024 * 1024)));
            return;
          case '/redirect-relative':
            res.writeHead(302, { location: '/json' });
            res.end();
            return;
          case '/redirect-303':
            res.writeHead(303, { location: '/json' });
            res.end();
            return;
          case '/redirect-loop':
            res.writeHead(307, { location: '/redirect-loop' });
            res.end();
            return;
          case '/redirect-to': {
            const target = new URL(req.url ?? '/', 'http://x').searchParams.get('target') ?? '/';
            res.writeHead(302, { location: target });
            res.end();
            return;
          }
          default:
            res.writeHead(404, 'Nothing Here');
            res.end('missing');
        }
      });
    });
  });
  after(async () => {
    guard.stop();
    await server.close();
    assert.deepEqual(guard.blocked, [], 'no connection ever aimed past loopback');
  });

  it('answers status, status text, flattened headers and the body as text', async () => {
    const fetch = createEgressFetch({ allowPrivate: LOCAL });
    const response = await fetch(`${server.url}/json`);
    assert.equal(response.status, 200);
    assert.equal(response.statusText, 'OK');
    assert.equal(response.headers['content-type'], 'application/json');
    assert.equal(response.headers['x-multi'], 'a, b');
    assert.deepEqual(JSON.parse(response.body), { ok: true, method: 'GET', body: '' });

    const missing = await fetch(`${server.url}/nope`);
    assert.deepEqual([missing.status, missing.statusText, missing.body], [404, 'Nothing Here', 'missing']);
  });

  it('sends method, headers and body; the host sets Host and Content-Length itself', async () => {
    const fetch = createEgressFetch({ allowPrivate: LOCAL });
    const response = await fetch(`${server.url}/json`, {
      method: 'post',
      headers: { 'Content-Type': 'application/json', 'X-Api-Key': 'k1', Host: 'evil.example', 'Content-Length': '1' },
      body: '{"a":1}',
    });
    assert.deepEqual(JSON.parse(response.body), { ok: true, method: 'POST', body: '{"a":1}' });
    const request = seen.at(-1)!;
    assert.equal(request.headers['x-api-key'], 'k1');
    assert.equal(request.headers['content-type'], 'application/json');
    assert.equal(request.headers.host, `127.0.0.1:${server.port}`);
    assert.equal(request.headers['content-length'], '7');
  });

  it('connects to the address it checked, keeping the name in Host (DNS pinning)', async () => {
    const { lookup, calls } = fakeLookup({ 'api.example.test': ['127.0.0.1'] });
    const fetch = createEgressFetch({ allowPrivate: LOCAL, lookup });
    const response = await fetch(`http://api.example.test:${server.port}/json`);
    assert.equal(response.status, 200);
    assert.deepEqual(calls, ['api.example.test'], 'resolved once, by the guard');
    assert.equal(seen.at(-1)!.headers.host, `api.example.test:${server.port}`);
  });

  it('https: connects to the pinned address and sends the name as TLS SNI', async () => {
    const hello = await new Promise<Buffer>((resolve, reject) => {
      const tlsPeer = net.createServer((socket) =>
        socket.once('data', (data: Buffer) => {
          resolve(data);
          socket.destroy();
        }),
      );
      tlsPeer.listen(0, '127.0.0.1', async () => {
        const { port } = tlsPeer.address() as net.AddressInfo;
        const { lookup } = fakeLookup({ 'secure.example.test': ['127.0.0.1'] });
        const fetch = createEgressFetch({ allowPrivate: LOCAL, lookup });
        await assert.rejects(fetch(`https://secure.example.test:${port}/`), EgressNetworkError);
        tlsPeer.close();
      });
      tlsPeer.on('error', reject);
    });
    assert.equal(hello[0], 0x16, 'a TLS handshake record');
    assert.ok(hello.includes('secure.example.test'), 'the ClientHello names the host (SNI)');
  });

  it('turns URL credentials into Basic auth and never echoes them in errors', async () => {
    const fetch = createEgressFetch({ allowPrivate: LOCAL });
    await fetch(`http://user:p%40ss@127.0.0.1:${server.port}/json`);
    assert.equal(seen.at(-1)!.headers.authorization, `Basic ${Buffer.from('user:p@ss').toString('base64')}`);

    const strict = createEgressFetch();
    await assert.rejects(strict(`http://user:secret@127.0.0.1:${server.port}/json`), (error: Error) => {
      assert.ok(error instanceof EgressRefusedError);
      assert.doesNotMatch(error.message, /secret|user/);
      return true;
    });
  });

  it('times out the whole request when the server never answers', async () => {
    const fetch = createEgressFetch({ allowPrivate: LOCAL, timeoutMs: 150 });
    const started = performance.now();
    await assert.rejects(fetch(`${server.url}/hang`), (error: Error) => {
      assert.ok(error instanceof EgressTimeoutError);
      assert.equal(error.code, 'ERR_EGRESS_TIMEOUT');
      assert.equal(error.message, 'fetch timed out after 150 ms');
      return true;
    });
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 140 && elapsed < 1000, `took ${elapsed} ms`);
  });

  it('times out when the body never ends (the budget covers the body)', async () => {
    const fetch = createEgressFetch({ allowPrivate: LOCAL, timeoutMs: 150 });
    await assert.rejects(fetch(`${server.url}/drip`), EgressTimeoutError);
  });

  it('refuses a response whose declared length is over the limit', async () => {
    const fetch = createEgressFetch({ allowPrivate: LOCAL, maxResponseBytes: 1024 });
    await assert.rejects(fetch(`${server.url}/big-declared`), (error: Error) => {
      assert.ok(error instanceof EgressTooLargeError);
      assert.equal(error.message, 'fetch response body larger than 1024 bytes');
      assert.equal(error.direction, 'response');
      return true;
    });
  });

  it('drops a chunked response once it passes the limit', async () => {
    const fetch = createEgressFetch({ allowPrivate: LOCAL, maxResponseBytes: 64 * 1024 });
    await assert.rejects(fetch(`${server.url}/big-chunked`), EgressTooLargeError);
    const roomy = createEgressFetch({ allowPrivate: LOCAL, maxResponseBytes: 4 * 1024 * 1024 });
    assert.equal((await roomy(`${server.url}/big-chunked`)).body.length, 128 * 16 * 1024);
  });

  it('decompresses gzip and applies the limit to the decompressed size', async () => {
    const fetch = createEgressFetch({ allowPrivate: LOCAL, maxResponseBytes: 1024 * 1024 });
    assert.equal((await fetch(`${server.url}/gzip`)).body, 'hello, compressed');
    await assert.rejects(fetch(`${server.url}/gzip-bomb`), EgressTooLargeError);
  });

  it('refuses a request body over maxRequestBytes before connecting', async () => {
    const fetch = createEgressFetch({ allowPrivate: LOCAL, maxRequestBytes: 4 });
    const before = server.connections();
    await assert.rejects(fetch(`${server.url}/json`, { method: 'POST', body: 'hello' }), (error: Error) => {
      assert.ok(error instanceof EgressTooLargeError);
      assert.equal(error.direction, 'request');
      return true;
    });
    assert.equal(server.connections(), before);
  });

  it('follows a relative redirect', async () => {
    const fetch = createEgressFetch({ allowPrivate: LOCAL });
    const response = await fetch(`${server.url}/redirect-relative`);
    assert.equal(response.status, 200);
    assert.equal(JSON.parse(response.body).ok, true);
  });

  it('Fetch §4.4: a 303 after POST becomes a GET without body', async () => {
    const fetch = createEgressFetch({ allowPrivate: LOCAL });
    const response = await fetch(`${server.url}/redirect-303`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'payload',
    });
    assert.deepEqual(JSON.parse(response.body), { ok: true, method: 'GET', body: '' });
    assert.equal(seen.at(-1)!.headers['content-type'], undefined);
  });

  it('drops Authorization on a redirect to another origin', async () => {
    const { lookup } = fakeLookup({ 'other.test': ['127.0.0.1'] });
    const fetch = createEgressFetch({ allowPrivate: LOCAL, lookup });
    const target = encodeURIComponent(`http://other.test:${server.port}/json`);
    await fetch(`${server.url}/redirect-to?target=${target}`, {
      headers: { authorization: 'Bearer t', 'x-keep': '1' },
    });
    const last = seen.at(-1)!;
    assert.equal(last.headers.host, `other.test:${server.port}`);
    assert.equal(last.headers.authorization, undefined);
    assert.equal(last.headers['x-keep'], '1');
  });

  it(`refuses after ${MAX_REDIRECTS} redirects`, async () => {
    const fetch = createEgressFetch({ allowPrivate: LOCAL });
    const before = server.connections();
    await assert.rejects(fetch(`${server.url}/redirect-loop`), (error: Error) => {
      assert.ok(error instanceof EgressRefusedError);
      assert.equal(error.message, `fetch refused: more than ${MAX_REDIRECTS} redirects`);
      return true;
    });
    assert.equal(server.connections() - before, MAX_REDIRECTS + 1);
  });

  for (const [label, target, table, address, reason] of [
    [
      'a name resolving to 10.0.0.5',
      'http://internal.test/admin',
      { 'internal.test': ['10.0.0.5'] },
      '10.0.0.5',
      'a private address (RFC 1918)',
    ],
    [
      'the metadata address',
      'http://169.254.169.254/latest/meta-data/',
      {},
      '169.254.169.254',
      'a cloud metadata address',
    ],
    ['an IPv4-mapped loopback literal', 'http://[::ffff:127.0.0.2]:8080/', {}, '127.0.0.2', 'a loopback address'],
  ] as const) {
    it(`refuses a redirect to ${label}, before connecting to it`, async () => {
      const { lookup, calls } = fakeLookup(table as Record<string, string[]>);
      const fetch = createEgressFetch({ allowPrivate: LOCAL, lookup });
      const attempts = guard.attempts.length;
      await assert.rejects(fetch(`${server.url}/redirect-to?target=${encodeURIComponent(target)}`), (error: Error) => {
        assert.ok(error instanceof EgressRefusedError);
        assert.equal(error.address, address);
        assert.equal(error.reason, reason);
        return true;
      });
      assert.deepEqual(guard.attempts.slice(attempts), ['127.0.0.1'], 'only the first hop connected');
      assert.deepEqual(calls, Object.keys(table));
    });
  }

  it('refuses loopback itself when the operator allowed nothing', async () => {
    const fetch = createEgressFetch();
    const before = server.connections();
    await assert.rejects(fetch(`${server.url}/json`), {
      name: 'EgressRefusedError',
      message: 'fetch refused: 127.0.0.1 is a loopback address',
    });
    assert.equal(server.connections(), before);
  });
});
