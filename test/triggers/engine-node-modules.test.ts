/**
 * Issue 13, Node built-ins: the modules an Auth0 action may `require` besides `crypto` (engine-node-crypto.test.ts),
 * compared with Node's own where they compute something — Buffer encodings, querystring, util.format, url.parse,
 * path, string_decoder, TextEncoder / TextDecoder — plus events, stream, os, http over the guarded fetch, `node:`
 * names, and what `require` says for a module Minter does not provide.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import nodePath from 'node:path';
import querystring from 'node:querystring';
import { StringDecoder } from 'node:string_decoder';
import url from 'node:url';
import util from 'node:util';
import { describe, test } from 'node:test';
import { auth0Action, fakeHost, loopbackFetch, request, ROOMY_SLICE, withEngine } from './engine-helpers.js';
import type { TriggerEngineOptions } from '../../src/triggers/engine.js';

const handler = (body: string) => `exports.onExecuteCredentialsExchange = async (event, api) => {\n${body}\n};`;

/** The claim `x` that `body` sets with `api.accessToken.setCustomClaim('x', …)`. */
async function claim(body: string, options: Partial<TriggerEngineOptions> = ROOMY_SLICE): Promise<any> {
  let out: unknown;
  await withEngine(options, async (engine) => {
    engine.setBindings([auth0Action(handler(body))]);
    const result = await engine.run(request());
    assert.equal(result.results[0]?.status, 'ok', JSON.stringify(result.results[0]?.error));
    out = result.claims.x;
  });
  return out;
}

const inputs = ['', 'hello', 'Grüße, 世界 🦊', '\u0000\u00ff', 'a+b/c=='];

describe('Node modules in an Auth0 action', () => {
  test('Buffer (global and buffer module): base64, base64url, hex, latin1 and utf8 round trips equal Node’s', async () => {
    const got = await claim(`const out = [];
  for (const s of ${JSON.stringify(inputs)}) {
    const b = Buffer.from(s);
    out.push([b.toString('base64'), b.toString('base64url'), b.toString('hex'), Buffer.from(b.toString('base64url'), 'base64url').toString(),
      Buffer.from(b.toString('hex'), 'hex').equals(b), Buffer.from(s, 'latin1').toString('latin1') === s.replace(/[^\\u0000-\\u00ff]/g, (c) => String.fromCharCode(c.charCodeAt(0) & 255)),
      Buffer.byteLength(s), Buffer.byteLength(b.toString('base64url'), 'base64url')]);
  }
  api.accessToken.setCustomClaim('x', { out, same: require('buffer').Buffer === Buffer && require('node:buffer').Buffer === Buffer,
    concat: Buffer.concat([Buffer.from('a'), Buffer.from('b')]).toString(), readUInt32BE: Buffer.from([1, 2, 3, 4]).readUInt32BE(0),
    json: JSON.stringify(Buffer.from('hi')), isEncoding: Buffer.isEncoding('base64url') });`);
    assert.deepEqual(got, {
      out: inputs.map((s) => {
        const b = Buffer.from(s);
        return [
          b.toString('base64'),
          b.toString('base64url'),
          b.toString('hex'),
          s,
          true,
          true,
          Buffer.byteLength(s),
          b.length,
        ];
      }),
      same: true,
      concat: 'ab',
      readUInt32BE: 0x01020304,
      json: JSON.stringify(Buffer.from('hi')),
      isEncoding: true,
    });
  });

  test('querystring, util.format / inspect / promisify / inherits / types, and url.parse equal Node’s', async () => {
    const qs = ['a=1&b=2&a=3', 'x=%20y+z&empty=&flag', 'arr[]=1&arr[]=2', '%E2%82%AC=%ZZ'];
    // JavaScript source, evaluated in the action and here: BigInts and functions do not cross as JSON.
    const formats = `[['%s=%d %j', 'a', 1.5, { x: [1] }], ['%i%% %f', 42.9, '1.5e3'], ['no directives', 1, 'two', null],
      ['%s %s %d', -0, 10n, '7'], ['%c%s', 'css', 'shown', 'extra'], [42, 'str'], ['%j', { toJSON: () => 'custom' }], ['%o', 'str']]`;
    const urls = [
      'http://user:pw@Example.com:8080/p/a/t/h?query=string&a=1#hash',
      '/relative/path?x=1',
      'https://例え.jp/%7Efoo',
      'mailto:someone@example.com',
    ];
    const got = await claim(`const qs = require('querystring'), util = require('node:util'), url = require('url');
  const parsed = ${JSON.stringify(urls)}.map((u) => { const p = url.parse(u, true); return { ...p, query: { ...p.query } }; });
  function Base() {} Base.prototype.hi = function () { return 'hi'; }; function Child() {} util.inherits(Child, Base);
  const later = util.promisify((v, cb) => setTimeout(() => cb(null, v * 2), 1));
  api.accessToken.setCustomClaim('x', {
    parse: ${JSON.stringify(qs)}.map((s) => ({ ...qs.parse(s) })),
    stringify: qs.stringify({ a: [1, 2], b: 'x y', c: '€' }), escape: qs.escape('a b&c'),
    format: ${formats}.map((args) => util.format(...args)),
    inspect: util.inspect({ a: 1, b: 'two', c: [1, 2] }),
    inherits: new Child().hi(), promisified: await later(21),
    types: [util.types.isDate(new Date()), util.types.isRegExp(/x/), util.types.isUint8Array(Buffer.from('')), util.types.isPromise(Promise.resolve())],
    text: [typeof util.TextEncoder, typeof util.TextDecoder],
    parsed, urlFormat: url.format({ protocol: 'https', hostname: 'a.example', pathname: '/x', query: { q: '1 2' } }),
    resolve: url.resolve('http://a.example/b/c/d', '../e'), whatwg: url.URL === URL && url.URLSearchParams === URLSearchParams,
    domain: url.domainToASCII('Bücher.example'), file: url.fileURLToPath('file:///tmp/a%20b'),
  });`);
    assert.deepEqual(
      got.parse,
      qs.map((s) => ({ ...querystring.parse(s) })),
    );
    assert.equal(got.stringify, querystring.stringify({ a: [1, 2], b: 'x y', c: '€' }));
    assert.equal(got.escape, querystring.escape('a b&c'));
    assert.deepEqual(
      got.format,
      (new Function(`return ${formats}`)() as unknown[][]).map((args) => util.format(...args)),
    );
    assert.equal(got.inspect, util.inspect({ a: 1, b: 'two', c: [1, 2] }));
    assert.deepEqual(
      [got.inherits, got.promisified, got.types, got.text],
      ['hi', 42, [true, true, true, true], ['function', 'function']],
    );
    const nodeParsed = urls.map((u) => JSON.parse(JSON.stringify(url.parse(u, true))));
    assert.deepEqual(got.parsed, nodeParsed);
    assert.equal(
      got.urlFormat,
      url.format({ protocol: 'https', hostname: 'a.example', pathname: '/x', query: { q: '1 2' } }),
    );
    assert.equal(got.resolve, url.resolve('http://a.example/b/c/d', '../e'));
    assert.deepEqual([got.whatwg, got.domain, got.file], [true, url.domainToASCII('Bücher.example'), '/tmp/a b']);
  });

  test('path (POSIX), string_decoder, TextEncoder and TextDecoder equal Node’s; os tells nothing of the host', async () => {
    const paths = ['/a/b/../c/./d.js', 'a//b/', '../x/.hidden', '/', '', 'file.tar.gz', '/foo/bar/'];
    const got =
      await claim(`const path = require('path'), { StringDecoder } = require('string_decoder'), os = require('node:os');
  const ps = ${JSON.stringify(paths)};
  const d = new StringDecoder('utf8'), parts = [d.write(Buffer.from([0xf0, 0x9f])), d.write(Buffer.from([0xa6, 0x8a, 0x41])), d.end()];
  const td = new TextDecoder(), streamed = td.decode(new Uint8Array([0xe2, 0x82]), { stream: true }) + td.decode(new Uint8Array([0xac]));
  let fatal; try { new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array([0xff])); } catch (e) { fatal = e.name; }
  api.accessToken.setCustomClaim('x', {
    normalize: ps.map((p) => path.normalize(p)), dirname: ps.map((p) => path.dirname(p)), basename: ps.map((p) => path.basename(p)),
    extname: ps.map((p) => path.extname(p)), parse: ps.map((p) => path.parse(p)), join: path.join('/a', 'b', '../c', 'd'),
    resolve: path.resolve('x', '../y'), relative: path.relative('/data/a/b', '/data/c'), basenameExt: path.basename('/a/b.js', '.js'),
    format: path.format({ dir: '/x', name: 'f', ext: 'txt' }), posix: require('path/posix') === path && path.posix === path,
    decoder: parts, encoded: Array.from(new TextEncoder().encode('€\\ud800')), streamed, fatal,
    os: [os.hostname(), os.EOL, os.platform(), os.cpus().length],
  });`);
    const p = nodePath.posix;
    const d = new StringDecoder('utf8');
    assert.deepEqual(got, {
      normalize: paths.map((x) => p.normalize(x)),
      dirname: paths.map((x) => p.dirname(x)),
      basename: paths.map((x) => p.basename(x)),
      extname: paths.map((x) => p.extname(x)),
      parse: paths.map((x) => p.parse(x)),
      join: p.join('/a', 'b', '../c', 'd'),
      resolve: '/y',
      relative: p.relative('/data/a/b', '/data/c'),
      basenameExt: 'b',
      format: p.format({ dir: '/x', name: 'f', ext: 'txt' }),
      posix: true,
      decoder: [d.write(Buffer.from([0xf0, 0x9f])), d.write(Buffer.from([0xa6, 0x8a, 0x41])), d.end()],
      encoded: [...new TextEncoder().encode('€\ud800')],
      streamed: '€',
      fatal: 'TypeError',
      os: ['minter', '\n', 'linux', 0],
    });
  });

  test('events and stream behave as Node’s (a Transform piped from a Readable gives one chunk, as in Node 20 and 22)', async () => {
    const got =
      await claim(`const EventEmitter = require('events'), { Readable, Transform, pipeline } = require('node:stream');
  const e = new EventEmitter(), seen = []; e.on('x', (v) => seen.push(v)); e.once('x', (v) => seen.push('once ' + v)); e.emit('x', 1); e.emit('x', 2);
  const [fromOnce] = await Promise.all([EventEmitter.once(e, 'y'), e.emit('y', 'ready')]);
  const upper = new Transform({ transform(chunk, _enc, cb) { cb(null, String(chunk).toUpperCase()); } });
  const chunks = []; for await (const c of Readable.from(['a', 'b', 'c']).pipe(upper)) chunks.push(String(c));
  const piped = await new Promise((resolve) => { const out = []; pipeline(Readable.from(['x']), new (require('stream').Writable)({ write(c, _e, cb) { out.push(String(c)); cb(); } }), (err) => resolve(err ? err.message : out)); });
  api.accessToken.setCustomClaim('x', { seen, fromOnce, chunks, piped, listeners: e.listenerCount('x'), isEmitter: e instanceof EventEmitter.EventEmitter });`);
    assert.deepEqual(got, {
      seen: [1, 'once 1', 2],
      fromOnce: ['ready'],
      chunks: ['ABC'],
      piped: ['x'],
      listeners: 1,
      isEmitter: true,
    });
  });

  test('http.get and https.request go through the guarded fetch; the response is a readable IncomingMessage', async () => {
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c));
      req.on('end', () => {
        res.writeHead(201, { 'content-type': 'application/json', 'x-seen': req.headers['x-custom'] ?? '' });
        res.end(JSON.stringify({ method: req.method, url: req.url, body }));
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    try {
      const body = `const http = require('http');
  const read = (res) => new Promise((resolve) => { let text = ''; res.setEncoding('utf8'); res.on('data', (c) => (text += c)); res.on('end', () => resolve({ status: res.statusCode, message: res.statusMessage, type: res.headers['content-type'], seen: res.headers['x-seen'], body: JSON.parse(text) })); });
  const got = await new Promise((resolve, reject) => http.get('http://127.0.0.1:${port}/get?q=1', (res) => read(res).then(resolve)).on('error', reject));
  const posted = await new Promise((resolve, reject) => {
    const req = http.request({ hostname: '127.0.0.1', port: ${port}, path: '/post', method: 'POST', headers: { 'x-custom': 'yes' } }, (res) => read(res).then(resolve));
    req.on('error', reject); req.write('hello '); req.end('world');
  });
  const refused = await new Promise((resolve) => http.get('http://10.0.0.1/', () => resolve('answered')).on('error', (e) => resolve(e.message)));
  let wrongProtocol; try { require('https').request('http://127.0.0.1/'); } catch (e) { wrongProtocol = e.code; }
  api.accessToken.setCustomClaim('x', { got, posted, refused, wrongProtocol, codes: http.STATUS_CODES[418] });`;
      const fetchHost = fakeHost({ fetch: loopbackFetch });
      const got = await claim(body, { host: fetchHost, ...ROOMY_SLICE });
      assert.deepEqual(got.got, {
        status: 201,
        message: 'Created',
        type: 'application/json',
        seen: '',
        body: { method: 'GET', url: '/get?q=1', body: '' },
      });
      assert.deepEqual(got.posted.body, { method: 'POST', url: '/post', body: 'hello world' });
      assert.equal(got.posted.seen, 'yes');
      assert.match(got.refused, /^fetch failed: refused: http:\/\/10\.0\.0\.1\/ is not 127\.0\.0\.1/);
      assert.deepEqual([got.wrongProtocol, got.codes], ['ERR_INVALID_PROTOCOL', "I'm a Teapot"]);
    } finally {
      server.close();
    }
  });

  test('structuredClone copies as Node’s does: cycles, Map, Set, Date, typed arrays; functions throw DataCloneError', async () => {
    const got =
      await claim(`const source = { n: 1, s: 'x', d: new Date(0), m: new Map([[1, { a: 1 }]]), set: new Set(['a']), u: new Uint16Array([1, 2]) };
  source.self = source;
  const copy = structuredClone(source);
  let error; try { structuredClone({ f() {} }); } catch (e) { error = e.name; }
  api.accessToken.setCustomClaim('x', { distinct: copy !== source && copy.m !== source.m, cycle: copy.self === copy,
    date: copy.d.getTime(), map: copy.m.get(1), set: [...copy.set], u: [copy.u.constructor.name, ...copy.u], error });`);
    assert.deepEqual(got, {
      distinct: true,
      cycle: true,
      date: 0,
      map: { a: 1 },
      set: ['a'],
      u: ['Uint16Array', 1, 2],
      error: 'DataCloneError',
    });
  });

  test('require answers node: names as the same module; a module Minter does not provide throws by name', async () => {
    const got =
      await claim(`const out = { same: require('node:crypto') === require('crypto') && require('util/types') === require('util').types };
  for (const name of ['fs', 'node:child_process', 'zlib', 'left-pad', 'stream/web']) { try { require(name); out[name] = 'loaded'; } catch (e) { out[name] = e.code + ': ' + e.message; } }
  api.accessToken.setCustomClaim('x', out);`);
    assert.deepEqual(got, {
      same: true,
      fs: 'ERR_MINTER_BUILTIN_REFUSED: the Node built-in "fs" is not available in Minter actions: there is no file system: keep configuration in event.secrets, or fetch() it over https',
      'node:child_process':
        'ERR_MINTER_BUILTIN_REFUSED: the Node built-in "node:child_process" is not available in Minter actions: an action runs in one V8 isolate: there are no processes or threads to start',
      zlib: 'ERR_MINTER_BUILTIN_REFUSED: the Node built-in "zlib" is not available in Minter actions: Minter provides buffer, crypto, events, http, https, os, path, querystring, stream, string_decoder, url, util',
      'left-pad':
        "MODULE_NOT_FOUND: Cannot find module 'left-pad': declare packages in the action's dependencies, they are bundled at deploy",
      'stream/web':
        'ERR_MINTER_BUILTIN_REFUSED: the Node built-in "stream/web" is not available in Minter actions: Minter provides buffer, crypto, events, http, https, os, path, querystring, stream, string_decoder, url, util',
    });
  });
});
