/**
 * The crash hunt's part for the Node built-ins' host function (issue 13): `hostNode` (auth0/node-host.ts) is the one
 * new door out of an isolate, so it is called here with odd arguments directly — every operation × odd parameters ×
 * odd byte arrays, including real keys and data past every size limit — and from inside an isolate through its
 * Reference, with values the program never sends (objects, proxies, getters, huge strings). Every call must answer a
 * plain object within a bounded time and never throw; the process and the isolate must survive. (The functions an
 * action reaches, `require('crypto')` and the other modules included, are hunted by sandbox-crash-hunt.test.ts.)
 */
import assert from 'node:assert/strict';
import * as nodeCrypto from 'node:crypto';
import { describe, test } from 'node:test';
import ivm from 'isolated-vm';
import { ParsedKeys } from '../../src/triggers/auth0/crypto-key-cache.js';
import { nodeHostCall } from '../../src/triggers/auth0/node-host.js';
import { hostReferences, IsolateAlarm } from '../../src/triggers/runtime/host-bridge.js';
import { HOST_REFERENCE_NAMES } from '../../src/triggers/sandbox/bootstrap.js';
import { fakeHost } from './engine-helpers.js';

const rsa = nodeCrypto.generateKeyPairSync('rsa', { modulusLength: 1024 });
const ec = nodeCrypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const bytes = (s: string | Buffer) => new Uint8Array(Buffer.from(s));

const OPS: unknown[] = [
  'digest',
  'hmac',
  'random',
  'import',
  'export',
  'sign',
  'verify',
  'generate',
  'module',
  'nope',
  '',
  42,
  null,
  undefined,
  {},
];

const source = (o: unknown) => ({ source: o });
const METAS: unknown[] = [
  undefined,
  null,
  42,
  '',
  '{',
  '[]',
  'null',
  '"x"',
  'x'.repeat(5000),
  '{"__proto__":{"alg":"sha256"}}',
  JSON.stringify({ alg: 'sha256' }),
  JSON.stringify({ alg: 'whirlpool' }),
  JSON.stringify({ alg: { toString: 1 } }),
  JSON.stringify({ size: 1e9 }),
  JSON.stringify({ size: -1 }),
  JSON.stringify({ size: 1.5 }),
  JSON.stringify({ size: 65536 }),
  JSON.stringify({ type: 'rsa' }),
  JSON.stringify({ type: 'ec', namedCurve: 'P-256' }),
  JSON.stringify({ type: 'ec', namedCurve: 'nope' }),
  JSON.stringify({ type: 'ed25519' }),
  JSON.stringify({ type: 'dh' }),
  JSON.stringify(source({ kind: 'private', format: 'pem' })),
  JSON.stringify(source({ kind: 'public', format: 'pem' })),
  JSON.stringify(source({ kind: 'private', format: 'der', type: 'pkcs8' })),
  JSON.stringify(source({ kind: 'public', format: 'der', type: 'spki' })),
  JSON.stringify(source({ kind: 'private', format: 'der', type: 'spki' })),
  JSON.stringify(source({ kind: 'public', format: 'jwk' })),
  JSON.stringify(source({ kind: 'root', format: 'pem' })),
  JSON.stringify(source({ kind: 'private', format: 'raw' })),
  JSON.stringify({
    ...source({ kind: 'private', format: 'pem' }),
    want: 'private',
    alg: 'sha256',
    padding: 6,
    saltLength: 2e9,
  }),
  JSON.stringify({ ...source({ kind: 'private', format: 'pem' }), alg: 'sha256', padding: 3 }),
  JSON.stringify({ ...source({ kind: 'private', format: 'pem' }), alg: null, dsaEncoding: 'x' }),
  JSON.stringify({ ...source({ kind: 'public', format: 'pem' }), alg: 'md5' }),
  JSON.stringify({ ...source({ kind: 'private', format: 'pem' }), options: { format: 'jwk' } }),
  JSON.stringify({
    ...source({ kind: 'private', format: 'pem' }),
    options: { format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc' },
  }),
  JSON.stringify({ ...source({ kind: 'private', format: 'pem' }), options: { format: 'der', type: 'nope' } }),
];

const BYTES: unknown[] = [
  undefined,
  null,
  'a string',
  new ArrayBuffer(8),
  { length: 3 },
  new Uint8Array(0),
  nodeCrypto.randomBytes(64),
  bytes(rsa.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string),
  bytes(rsa.publicKey.export({ format: 'pem', type: 'spki' }) as string),
  new Uint8Array(ec.privateKey.export({ format: 'der', type: 'pkcs8' })),
  bytes(rsa.privateKey.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-128-cbc', passphrase: 'p' }) as string),
  bytes(JSON.stringify(ec.privateKey.export({ format: 'jwk' }))),
  bytes(JSON.stringify({ kty: 'RSA', n: 'A'.repeat(10000), e: 'AQAB' })),
  bytes('{"kty":"oct","k":"AAAA"}'),
  bytes('-----BEGIN PRIVATE KEY-----\n' + 'A'.repeat(60000) + '\n-----END PRIVATE KEY-----'),
  new Uint8Array(9 * 1024 * 1024),
];

function assertAnswer(answer: unknown, label: string): void {
  assert.ok(answer !== null && typeof answer === 'object', label);
  const a = answer as Record<string, unknown>;
  assert.equal(typeof a.t, 'number', label);
  for (const [key, value] of Object.entries(a)) {
    assert.ok(['t', 'b', 's', 'e', 'c', 'n'].includes(key), `${label}: unexpected ${key}`);
    if (key === 'b') assert.ok(value instanceof Uint8Array, label);
    else if (key !== 't') assert.equal(typeof value, 'string', label);
  }
}

describe('hostNode under odd arguments (crash hunt, issue 13)', () => {
  test('every operation × odd parameters × odd bytes answers a plain object, never throws, and ends quickly', () => {
    let calls = 0;
    let slowest = 0;
    const keys = new ParsedKeys();
    for (const op of OPS) {
      for (const meta of METAS) {
        for (let i = 0; i < BYTES.length; i++) {
          // Each byte value in every position, the others a fixed odd pair.
          for (const args of [
            [BYTES[i], BYTES[6], BYTES[7]],
            [BYTES[7], BYTES[i], BYTES[6]],
            [BYTES[8], BYTES[6], BYTES[i]],
          ]) {
            const started = performance.now();
            const answer = nodeHostCall(keys, op, meta, ...args);
            slowest = Math.max(slowest, performance.now() - started);
            calls++;
            assertAnswer(answer, `${String(op)} ${String(meta).slice(0, 80)} #${i}`);
          }
        }
      }
    }
    assert.ok(calls > 25_000, `${calls} calls`);
    // An RSA-1024 key pair is the largest key made here; generation of EC keys and 9 MiB refusals are milliseconds.
    assert.ok(slowest < 1000, `slowest call ${slowest.toFixed(0)} ms`);
    assert.ok(keys.size <= 16, `${keys.size} keys cached`);
  });

  test('through its Reference from inside an isolate, odd values the program never sends leave the isolate usable', async () => {
    const isolate = new ivm.Isolate({ memoryLimit: 32 });
    try {
      const context = await isolate.createContext();
      const references = hostReferences(
        'act',
        fakeHost(),
        { started: false, generation: 0 },
        { maxFetches: 1 },
        new IsolateAlarm(1000),
      );
      const hostNode = references[HOST_REFERENCE_NAMES.indexOf('hostNode')]!;
      await context.global.set('hostNode', hostNode);
      const outcome = await context.eval(
        `(() => {
          const odd = [undefined, null, 0, -0, NaN, 2 ** 53, 10n ** 30n, '', 'x'.repeat(1 << 20), Symbol('s'), {}, [], () => 1,
            new Proxy({}, { get() { throw new Error('trap'); } }), { get x() { throw new Error('getter'); } },
            new Uint8Array(16), new Uint16Array(4), new DataView(new ArrayBuffer(4)), new Date(NaN), /re/g];
          let calls = 0, answered = 0;
          for (const op of ['digest', 'hmac', 'random', 'import', 'sign', 'verify', 'generate', 'module', {}]) {
            for (const v of odd) {
              for (const copy of [true, false]) {
                calls++;
                try {
                  const options = copy ? { arguments: { copy: true }, result: { copy: true } } : undefined;
                  const answer = hostNode.applySync(undefined, [op, v, v, v, v], options);
                  if (answer !== undefined) answered++;
                } catch (e) {}
              }
            }
          }
          return JSON.stringify({ calls, answered, digest: Array.from(hostNode.applySync(undefined, ['digest', '{"alg":"sha1"}', new Uint8Array(0)],
            { arguments: { copy: true }, result: { copy: true } }).b).length });
        })()`,
        { timeout: 20_000 },
      );
      const result = JSON.parse(outcome as string);
      assert.ok(result.calls > 300 && result.answered > 100, outcome as string);
      assert.equal(result.digest, 20);
    } finally {
      isolate.dispose();
    }
  });
});
