/** fetch and kinde.fetch against a real HTTP server on 127.0.0.1 (no other network). */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { HostServices } from '../../src/triggers/contract.js';
import {
  assertStillServes,
  auth0Action,
  fakeHost,
  kindeAction,
  loopbackFetch,
  only,
  request,
  withEngine,
} from './engine-helpers.js';

let server: Server;
let origin = '';

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) body += chunk;
  return body;
}

before(async () => {
  server = createServer(async (req, res) => {
    if (req.url === '/hang') return; // never answers
    const body = await readBody(req);
    if (req.url === '/text') {
      res.writeHead(201, { 'content-type': 'text/plain', 'x-trace': 'abc' }).end('plain text');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        method: req.method,
        url: req.url,
        contentType: req.headers['content-type'] ?? null,
        auth: req.headers.authorization ?? null,
        body,
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
  server.closeAllConnections();
  server.close();
});

const host = (overrides: Partial<HostServices> = {}) => fakeHost({ fetch: loopbackFetch, ...overrides });
const handler = (body: string) => `exports.onExecuteCredentialsExchange = async (event, api) => { ${body} };`;

describe('Auth0: global fetch backed by HostServices.fetch', () => {
  test('GET: Response-like ok, status, statusText, headers.get(), json()', async () => {
    const code = handler(`const res = await fetch(event.secrets.ORIGIN + '/things?x=1');
  api.accessToken.setCustomClaim('https://t/res', { ok: res.ok, status: res.status, statusText: res.statusText,
    type: res.headers.get('Content-Type'), body: await res.json() });`);
    await withEngine({ host: host() }, async (engine) => {
      engine.setBindings([auth0Action(code, { secrets: { ORIGIN: origin } })]);
      assert.deepEqual((await engine.run(request())).claims, {
        'https://t/res': {
          ok: true,
          status: 200,
          statusText: 'OK',
          type: 'application/json',
          body: { method: 'GET', url: '/things?x=1', contentType: null, auth: null, body: '' },
        },
      });
    });
  });

  test('POST with headers and a body; text(); a body read twice throws', async () => {
    const code =
      handler(`const res = await fetch(new URL('/text', event.secrets.ORIGIN), { method: 'post', headers: { Authorization: 'Bearer t' }, body: 'hi' });
  const text = await res.text();
  let again; try { await res.text(); } catch (e) { again = e.message; }
  api.accessToken.setCustomClaim('https://t/res', [res.status, res.ok, res.headers.get('x-trace'), text, again]);`);
    await withEngine({ host: host() }, async (engine) => {
      engine.setBindings([auth0Action(code, { secrets: { ORIGIN: origin } })]);
      assert.deepEqual((await engine.run(request())).claims, {
        'https://t/res': [201, true, 'abc', 'plain text', 'Body is unusable: Body has already been read'],
      });
    });
  });

  test('FormData: the API as in Node, and a fetch body sent as multipart/form-data', async () => {
    const code = handler(`const form = new FormData();
  form.append('a', '1'); form.append('a', 2); form.set('b', 'x\\ny'); form.append('c"d', 'z');
  const api1 = [form.get('a'), form.getAll('a'), form.has('b'), form.get('none'), [...form.keys()], String(form)];
  form.delete('c"d');
  let file; try { form.append('f', 'v', 'name.txt'); } catch (e) { file = e.name; }
  const res = await fetch(event.secrets.ORIGIN + '/form', { method: 'POST', body: form });
  api.accessToken.setCustomClaim('https://t/form', { api: api1, file, sent: await res.json() });`);
    await withEngine({ host: host() }, async (engine) => {
      engine.setBindings([auth0Action(code, { secrets: { ORIGIN: origin } })]);
      const claim = (await engine.run(request())).claims['https://t/form'] as any;
      assert.deepEqual(claim.api, ['1', ['1', '2'], true, null, ['a', 'a', 'b', 'c"d'], '[object FormData]']);
      assert.equal(claim.file, 'TypeError');
      const boundary = /^multipart\/form-data; boundary=(.+)$/.exec(claim.sent.contentType)?.[1];
      assert.ok(boundary, claim.sent.contentType);
      assert.equal(
        claim.sent.body,
        `--${boundary}\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="a"\r\n\r\n2\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="b"\r\n\r\nx\r\ny\r\n--${boundary}--\r\n`,
      );
    });
  });

  test('a refused request rejects with TypeError "fetch failed: …" the action can catch', async () => {
    const code = handler(
      `try { await fetch('http://10.0.0.1/'); } catch (e) { api.accessToken.setCustomClaim('https://t/err', e.name + ': ' + e.message); }`,
    );
    await withEngine({ host: host() }, async (engine) => {
      engine.setBindings([auth0Action(code)]);
      assert.deepEqual((await engine.run(request())).claims, {
        'https://t/err': 'TypeError: fetch failed: refused: http://10.0.0.1/ is not 127.0.0.1',
      });
    });
  });
});

describe('Kinde: kinde.fetch (notes §2.1–2.2)', () => {
  test("the result is usable synchronously (.json without await, as Kinde's helper reads it) and with await", async () => {
    const code = `module.exports.default = async (event) => {
  const origin = kinde.env.get('ORIGIN').value;
  const sync = kinde.fetch(origin + '/sync', { method: 'GET', headers: {} });
  const awaited = await kinde.fetch(origin + '/awaited', { method: 'GET', headers: {}, responseFormat: 'text' });
  kinde.m2mToken.setCustomClaim('r', { syncUrl: sync.json.url, syncData: sync.data.url, status: sync.status,
    awaitedText: JSON.parse(awaited.text).url, awaitedData: typeof awaited.data, thenable: typeof awaited.then });
};`;
    await withEngine({ host: host() }, async (engine) => {
      engine.setBindings([
        kindeAction(code, ['kinde.fetch', 'kinde.env', 'kinde.m2mToken'], undefined, { secrets: { ORIGIN: origin } }),
      ]);
      assert.deepEqual((await engine.run(request())).claims, {
        r: {
          syncUrl: '/sync',
          syncData: '/sync',
          status: 200,
          awaitedText: '/awaited',
          awaitedData: 'string',
          thenable: 'undefined',
        },
      });
    });
  });

  test('a URLSearchParams body is sent form-encoded, an object body as JSON', async () => {
    const code = `module.exports.default = async () => {
  const origin = kinde.env.get('ORIGIN').value;
  const form = kinde.fetch(origin + '/form', { method: 'POST', headers: {}, body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'a b' }) });
  const json = kinde.fetch(origin + '/json', { method: 'PUT', headers: { authorization: 'Bearer x' }, body: { value: true } });
  kinde.m2mToken.setCustomClaim('sent', [form.json, json.json]);
};`;
    await withEngine({ host: host() }, async (engine) => {
      engine.setBindings([
        kindeAction(code, ['kinde.fetch', 'kinde.env', 'kinde.m2mToken', 'url'], undefined, {
          secrets: { ORIGIN: origin },
        }),
      ]);
      assert.deepEqual((await engine.run(request())).claims, {
        sent: [
          {
            method: 'POST',
            url: '/form',
            contentType: 'application/x-www-form-urlencoded;charset=UTF-8',
            auth: null,
            body: 'grant_type=client_credentials&scope=a+b',
          },
          { method: 'PUT', url: '/json', contentType: 'application/json', auth: 'Bearer x', body: '{"value":true}' },
        ],
      });
    });
  });

  test('kinde.secureFetch, when declared, sends like kinde.fetch (unencrypted) and returns a promise', async () => {
    const code = `module.exports.default = async () => {
  const pending = kinde.secureFetch(kinde.env.get('ORIGIN').value + '/secure', { method: 'POST', headers: {}, body: { a: 1 } });
  const res = await pending;
  kinde.m2mToken.setCustomClaim('secure', [pending instanceof Promise, res.json.url, res.json.body]);
};`;
    await withEngine({ host: host() }, async (engine) => {
      engine.setBindings([
        kindeAction(code, ['kinde.secureFetch', 'kinde.env', 'kinde.m2mToken'], undefined, {
          secrets: { ORIGIN: origin },
        }),
      ]);
      assert.deepEqual((await engine.run(request())).claims, { secure: [true, '/secure', '{"a":1}'] });
    });
  });

  test('management API calls to <issuer>/api/v1/… are answered in process by kindeManagementGet, never sent', async () => {
    const asked: string[] = [];
    const kindeHost = fakeHost({
      kindeManagementGet: async (endpoint) => {
        asked.push(endpoint);
        return { status: 200, body: { code: 'OK', properties: [{ key: 'org_code', value: 'org_acme' }] } };
      },
    });
    // What createKindeAPI does: a token for <domain>/api, then GET with a Bearer token.
    const code = `module.exports.default = async (event) => {
  const domain = event.context.domains.kindeDomain;
  const token = kinde.fetch(domain + '/oauth2/token', { method: 'POST', headers: {}, body: new URLSearchParams({
    audience: domain + '/api', grant_type: 'client_credentials', client_id: 'x', client_secret: 'y' }) }).json.access_token;
  const { data } = await kinde.fetch(domain + '/api/v1/applications/' + event.context.application.clientId + '/properties',
    { method: 'GET', headers: { Authorization: 'Bearer ' + token } }).then((r) => ({ data: r.json }));
  kinde.m2mToken.setCustomClaim('orgCode', data.properties.find((p) => p.key === 'org_code').value);
};`;
    await withEngine({ host: kindeHost }, async (engine) => {
      engine.setBindings([kindeAction(code, ['kinde.fetch', 'kinde.m2mToken', 'url'])]);
      const result = await engine.run(request());
      assert.deepEqual(result.claims, { orgCode: 'org_acme' });
      assert.deepEqual(asked, ['applications/cli_123/properties']);
    });
  });

  test('a kinde.fetch that never answers is stopped by the chain budget; the host keeps serving', async () => {
    const code = `module.exports.default = async () => { kinde.fetch(kinde.env.get('ORIGIN').value + '/hang', { method: 'GET', headers: {} }); };`;
    await withEngine({ host: host(), chainTimeoutMs: 300 }, async (engine) => {
      engine.setBindings([kindeAction(code, ['kinde.fetch', 'kinde.env'], 'stop', { secrets: { ORIGIN: origin } })]);
      const result = await engine.run(request());
      assert.deepEqual(result.denial, {
        error: 'server_error',
        description: 'A token trigger did not finish in time.',
      });
      assert.equal(only(result).status, 'timeout');
      await assertStillServes(engine);
    });
  });
});
