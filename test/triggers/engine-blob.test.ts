/**
 * Blob, File, and Blob bodies in Auth0 actions (the `auth0` SDK tests `instanceof Blob`): the File API as Node's runtime
 * has it, a fetch body of a Blob, bytes or a FormData file sent to a real HTTP server on 127.0.0.1, and a Response read
 * as a Blob. Bodies cross to the host as text: bytes that are not UTF-8 are refused, not altered.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { SandboxFetchInit } from '../../src/triggers/contract.js';
import { auth0Action, fakeHost, loopbackFetch, request, withEngine } from './engine-helpers.js';

let server: Server;
let origin = '';

before(async () => {
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    res.writeHead(200, { 'content-type': 'Application/JSON; charset=utf-8' });
    res.end(JSON.stringify({ contentType: req.headers['content-type'] ?? null, hex: body.toString('hex') }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
  server.closeAllConnections();
  server.close();
});

const handler = (body: string) => `exports.onExecuteCredentialsExchange = async (event, api) => { ${body} };`;

/** What crossed to the host's fetch, in order, in the last {@link claim}. */
let sent: SandboxFetchInit[] = [];

/** Runs `body` as an action and answers the claim it sets as `https://t/r`. */
async function claim(body: string): Promise<any> {
  let value: unknown;
  sent = [];
  const fetch = (url: string, init: SandboxFetchInit) => {
    sent.push(init);
    return loopbackFetch(url, init);
  };
  await withEngine({ host: fakeHost({ fetch }) }, async (engine) => {
    engine.setBindings([auth0Action(handler(body), { secrets: { ORIGIN: origin } })]);
    const result = await engine.run(request());
    assert.equal(result.results[0]?.status, 'ok', JSON.stringify(result.results));
    value = result.claims['https://t/r'];
  });
  return value;
}

const hex = (text: string) => Buffer.from(text).toString('hex');

describe('Auth0: Blob and File', () => {
  test('parts: UTF-8 strings, ArrayBuffers, typed arrays and DataViews (their own bytes), other Blobs', async () => {
    const r = await claim(`const buffer = new Uint8Array([0, 104, 105, 0]).buffer;
  const b = new Blob(['é', buffer, new Uint8Array(buffer, 1, 2), new DataView(buffer, 1, 1), new Blob(['!'])], { type: 'Text/Plain' });
  const bytes = Array.from(await b.bytes());
  api.accessToken.setCustomClaim('https://t/r', {
    size: b.size, type: b.type, bytes, viaBuffer: Array.from(new Uint8Array(await b.arrayBuffer())),
    tag: Object.prototype.toString.call(b), name: Blob.name, isBlob: b instanceof Blob,
    stream: typeof b.stream, empty: [new Blob().size, new Blob([]).type, await new Blob().text()],
    badType: new Blob([], { type: 'a\\u00e9' }).type, text: await new Blob(['\\ufeffhi ', 'é']).text(),
    lone: Array.from(await new Blob(['\\ud800']).bytes()),
    native: await new Blob(['a\\r\\nb\\rc\\nd'], { endings: 'native' }).text(),
    transparent: await new Blob(['a\\r\\nb']).text(),
  });`);
    assert.deepEqual(r, {
      size: 10,
      type: 'text/plain',
      bytes: [0xc3, 0xa9, 0, 104, 105, 0, 104, 105, 104, 33],
      viaBuffer: [0xc3, 0xa9, 0, 104, 105, 0, 104, 105, 104, 33],
      tag: '[object Blob]',
      name: 'Blob',
      isBlob: true,
      stream: 'undefined',
      empty: [0, '', ''],
      badType: '',
      text: 'hi é',
      lone: [0xef, 0xbf, 0xbd],
      native: 'a\nb\nc\nd',
      transparent: 'a\r\nb',
    });
  });

  test('the bytes are copied at construction; slice shares them, with negative and clamped bounds', async () => {
    const r = await claim(`const source = new Uint8Array([97, 98, 99, 100, 101, 102]);
  const b = new Blob([source]);
  source[0] = 122;
  const out = await b.arrayBuffer(); new Uint8Array(out)[1] = 122;
  api.accessToken.setCustomClaim('https://t/r', [
    await b.text(), await b.slice(1, 3).text(), await b.slice(-2).text(), await b.slice(2, -1).text(),
    await b.slice(4, 2).text(), await b.slice(-100, 100).text(), await b.slice(NaN, Infinity).text(),
    b.slice(1, 2, 'X/Y').type, b.slice(0, 1).type, await b.slice(1).slice(1, 3).text(), b.slice(1.5, 3.5).size,
  ]);`);
    assert.deepEqual(r, ['abcdef', 'bc', 'ef', 'cde', '', 'abcdef', 'abcdef', 'x/y', '', 'cd', 2]);
  });

  test('argument errors are TypeErrors, as in Node; Blob methods need a Blob (promises reject)', async () => {
    const r = await claim(`const errors = [];
  for (const make of [() => new Blob('abc'), () => new Blob(5), () => new Blob({}), () => new Blob([], 5),
    () => new Blob([], { endings: 'crlf' }), () => new File(['a']), () => new AbortSignal(),
    () => Object.getOwnPropertyDescriptor(Blob.prototype, 'size').get.call(Object.create(Blob.prototype))]) {
    try { make(); errors.push('none'); } catch (e) { errors.push(e.name); }
  }
  const rejected = await Blob.prototype.text.call({}).then(() => 'resolved', (e) => e.name);
  api.accessToken.setCustomClaim('https://t/r', [...errors, rejected]);`);
    assert.deepEqual(r, Array(9).fill('TypeError'));
  });

  test('File: a Blob with a name and lastModified', async () => {
    const r = await claim(`const before = Date.now();
  const f = new File(['ab', new Blob(['c'])], 'notes.txt', { type: 'text/plain', lastModified: 42.9 });
  const now = new File([], 7);
  api.accessToken.setCustomClaim('https://t/r', {
    name: f.name, lastModified: f.lastModified, size: f.size, type: f.type, text: await f.text(),
    isBlob: f instanceof Blob, isFile: f instanceof File, tag: String(f), sliced: f.slice(0, 1) instanceof File,
    other: [now.name, now.lastModified >= before, now.webkitRelativePath],
  });`);
    assert.deepEqual(r, {
      name: 'notes.txt',
      lastModified: 42,
      size: 3,
      type: 'text/plain',
      text: 'abc',
      isBlob: true,
      isFile: true,
      tag: '[object File]',
      sliced: false,
      other: ['7', true, ''],
    });
  });
});

describe('Auth0: Blob and byte bodies over fetch', () => {
  test('a Blob body is sent as its bytes, its type the content-type unless one is given; so are bytes', async () => {
    const r =
      await claim(`const post = (body, headers) => fetch(event.secrets.ORIGIN, { method: 'POST', body, headers }).then((res) => res.json());
  api.accessToken.setCustomClaim('https://t/r', [
    await post(new Blob(['{"a":"é"}'], { type: 'application/json' })),
    await post(new Blob(['x']), undefined),
    await post(new Blob(['y'], { type: 'text/csv' }), { 'Content-Type': 'text/x-mine' }),
    await post(new Blob(['\\ufeffbom'])),
    await post(new TextEncoder().encode('bytes é')),
    await post(new Uint8Array([104, 105, 33]).buffer),
  ]);`);
    // The server's view of the bytes; the content-type as it crossed to the host (Node's fetch, under the test
    // host, would add text/plain to a string body without one).
    assert.deepEqual(
      r.map((echo: { hex: string }) => echo.hex),
      [hex('{"a":"é"}'), hex('x'), hex('y'), 'efbbbf626f6d', hex('bytes é'), hex('hi!')],
    );
    assert.deepEqual(
      sent.map((init) => init.headers?.['content-type'] ?? null),
      ['application/json', null, 'text/x-mine', null, null, null],
    );
  });

  test('bytes that are not UTF-8 text are refused with a TypeError, not sent altered', async () => {
    const r = await claim(`const errors = [];
  for (const body of [new Blob([new Uint8Array([0xff, 0x41])]), new Uint8Array([0xc3]), new Uint8Array([0x80]).buffer]) {
    try { await fetch(event.secrets.ORIGIN, { method: 'POST', body }); errors.push('sent'); } catch (e) { errors.push(e.name + ': ' + e.message); }
  }
  api.accessToken.setCustomClaim('https://t/r', errors);`);
    assert.deepEqual(r, [
      "TypeError: fetch: the Blob body is not UTF-8 text: an action's requests carry text bodies only",
      "TypeError: fetch: the body's bytes are not UTF-8 text: an action's requests carry text bodies only",
      "TypeError: fetch: the body's bytes are not UTF-8 text: an action's requests carry text bodies only",
    ]);
  });

  test('FormData: a Blob value is a File (named blob, or by the third argument), sent as a file part', async () => {
    const r = await claim(`const form = new FormData();
  form.append('a', new Blob(['one'], { type: 'text/plain' }));
  form.append('b', new Blob(['two']), 'b"2.txt');
  form.set('c', new File(['three'], 'c.json', { type: 'application/json' }));
  form.append('d', 'text');
  const got = form.get('a');
  const res = await fetch(event.secrets.ORIGIN, { method: 'POST', body: form });
  const bad = new FormData(); bad.append('x', new Blob([new Uint8Array([0xff])]), 'x.bin');
  let refused; try { await fetch(event.secrets.ORIGIN, { method: 'POST', body: bad }); } catch (e) { refused = e.message; }
  api.accessToken.setCustomClaim('https://t/r', {
    a: [got instanceof File, got.name, got.type, await got.text()], b: form.get('b').name, c: form.get('c').name,
    sent: await res.json(), refused,
  });`);
    assert.deepEqual(r.a, [true, 'blob', 'text/plain', 'one']);
    assert.equal(r.b, 'b"2.txt');
    assert.equal(r.c, 'c.json');
    const boundary = /^multipart\/form-data; boundary=(.+)$/.exec(r.sent.contentType)?.[1];
    assert.ok(boundary, r.sent.contentType);
    assert.equal(
      Buffer.from(r.sent.hex, 'hex').toString(),
      `--${boundary}\r\nContent-Disposition: form-data; name="a"; filename="blob"\r\nContent-Type: text/plain\r\n\r\none\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="b"; filename="b%222.txt"\r\n` +
        `Content-Type: application/octet-stream\r\n\r\ntwo\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="c"; filename="c.json"\r\n` +
        `Content-Type: application/json\r\n\r\nthree\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="d"\r\n\r\ntext\r\n--${boundary}--\r\n`,
    );
    assert.equal(
      r.refused,
      "fetch: the FormData file 'x.bin' is not UTF-8 text: an action's requests carry text bodies only",
    );
  });

  test('Response: blob(), arrayBuffer() and bytes() give the body as UTF-8; a Blob body is read as text', async () => {
    const r = await claim(`const blob = await (await fetch(event.secrets.ORIGIN)).blob();
  const buffer = await (await fetch(event.secrets.ORIGIN)).arrayBuffer();
  const bytes = await (await fetch(event.secrets.ORIGIN)).bytes();
  const made = new Response(new Blob(['é!'], { type: 'text/x' }));
  const typed = new Response(new Blob(['x'], { type: 'text/x' }), { headers: { 'content-type': 'text/y' } });
  api.accessToken.setCustomClaim('https://t/r', {
    blob: [blob instanceof Blob, blob.type, JSON.parse(await blob.text()).hex],
    buffer: [buffer instanceof ArrayBuffer, buffer.byteLength === blob.size],
    bytes: [bytes instanceof Uint8Array, bytes.length === blob.size],
    made: [made.headers.get('content-type'), await made.text()], typed: typed.headers.get('content-type'),
  });`);
    assert.deepEqual(r, {
      blob: [true, 'application/json; charset=utf-8', ''],
      buffer: [true, true],
      bytes: [true, true],
      made: ['text/x', 'é!'],
      typed: 'text/y',
    });
  });
});
