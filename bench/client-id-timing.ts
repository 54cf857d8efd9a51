/**
 * Does a wrong secret answer in the same time for an existing client as for an unknown client id? If not, the time
 * of a 401 tells an attacker which client ids exist (issue 11, finding 6: ~20 µs apart before the fix).
 *
 * Minter runs in its own process (`dist/src/main.js`, pinned to CPU 0 when `taskset` exists) on a temporary PGlite;
 * this process sends token requests one at a time over one keep-alive connection on loopback, interleaving in a
 * random order the two kinds — `known`: the client's id with a wrong secret; `unknown`: an id of the same length and
 * alphabet that no client has, with a wrong secret of the same length — and times each from write to the end of
 * the answer. It prints the median, p90, mean and 10 %-trimmed mean of each kind in µs, and the differences.
 *
 * With `assertion`, the same for private_key_jwt: `known` is the client's id in an assertion signed with a key it
 * does not have, `unknown` an id no client has (assertions are signed before each round, outside the timing).
 *
 *   npm run build && node --no-node-snapshot dist/bench/client-id-timing.js [pairs=20000] [rounds=3] [secret|assertion]
 */
import { createPrivateKey, generateKeyPairSync, randomBytes, randomInt, randomUUID, sign } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedPgliteDataDir } from '../test/helpers/minter.js';
import { freePort, waitForHttp } from './net.js';
import { installCleanup, removeOnExit, ROOT, startChild } from './processes.js';
import { MinterAdmin } from './targets/minter-admin.js';
import { PINNED } from './targets/target.js';

const pairs = Number(process.argv[2] ?? 20_000);
const rounds = Number(process.argv[3] ?? 3);
const mode = process.argv[4] === 'assertion' ? 'assertion' : 'secret';
const WARMUP_PAIRS = 2_000;
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** An RS256 client assertion for `clientId` (RFC 7523 §2.2), signed with `key`. */
function assertion(clientId: string, audience: string, key: ReturnType<typeof createPrivateKey>): string {
  const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const input = `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64({ iss: clientId, sub: clientId, aud: audience, iat: now, exp: now + 300, jti: randomUUID() })}`;
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

/** One POST over `agent`; resolves with the status and the time from sending to the last byte, in µs. */
function post(agent: Agent, port: number, body: string): Promise<{ status: number; micros: number }> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = request(
      {
        agent,
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/oauth/token',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, micros: Number(process.hrtime.bigint() - started) / 1000 }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

interface Summary {
  median: number;
  p90: number;
  mean: number;
  trimmed: number;
}

function summarise(samples: number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const cut = Math.floor(sorted.length * 0.1);
  const middle = sorted.slice(cut, sorted.length - cut);
  return {
    median: at(0.5),
    p90: at(0.9),
    mean: sorted.reduce((s, x) => s + x, 0) / sorted.length,
    trimmed: middle.reduce((s, x) => s + x, 0) / middle.length,
  };
}

/** A string as long as `id`, from the same alphabet, that is not `id`. */
function lookalike(id: string): string {
  const alphabet = [...new Set(id)].join('') || 'abcdefghijklmnopqrstuvwxyz';
  let out: string;
  do {
    out = '';
    for (let i = 0; i < id.length; i++) out += alphabet[randomInt(alphabet.length)];
  } while (out === id);
  return out;
}

async function main(): Promise<void> {
  installCleanup();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const dataDir = await mkdtemp(join(tmpdir(), 'minter-timing-'));
  removeOnExit(dataDir);
  // The tests' PGlite template: initdb takes from 5 s to over a minute on a busy machine.
  await seedPgliteDataDir(dataDir);
  const admin = { id: 'bench-admin', secret: randomBytes(24).toString('base64url') };
  const child = startChild({
    name: 'minter',
    args: [join(ROOT, 'dist', 'src', 'main.js')],
    nodeFlags: ['--max-semi-space-size=16'],
    env: {
      PORT: String(port),
      HOST: '127.0.0.1',
      MINTER_ISSUER: base,
      MINTER_DATA_DIR: dataDir,
      MINTER_ADMIN_CLIENT_ID: admin.id,
      MINTER_ADMIN_CLIENT_SECRET: admin.secret,
      MINTER_LOG_LEVEL: 'warn',
      // One process, whatever Minter's default for MINTER_WORKERS becomes: the timing is of one request path.
      MINTER_WORKERS: '1',
    },
    cpus: PINNED.server,
  });
  try {
    await waitForHttp(`${base}/health`, child, 180_000);
    const api = new MinterAdmin(base, admin.id, admin.secret);
    const audience = 'https://api.timing.example';
    await api.must('POST', '/resource-servers', { identifier: audience, name: 'Timing API', signing_alg: 'ES256' });
    const client = await api.must<{ client_id: string; client_secret: string }>('POST', '/clients', { name: 'timing' });
    const knownLabel = mode === 'assertion' ? 'known id, wrong signature' : 'known id, wrong secret   ';
    await api.must('POST', '/client-grants', { client_id: client.client_id, audience, scope: [] });

    const wrongSecret = () => randomBytes(48).toString('base64url');
    const secretForm = (id: string) =>
      new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: id,
        client_secret: wrongSecret(),
        audience,
      }).toString();
    // private_key_jwt: the client has one registered key; every assertion sent is signed with another.
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    if (mode === 'assertion') {
      const registered = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
      const pem = registered.export({ type: 'spki', format: 'pem' }).toString();
      await api.must('POST', `/clients/${client.client_id}/credentials`, {
        credential_type: 'public_key',
        name: 'timing',
        pem,
        alg: 'RS256',
      });
    }
    const assertionForm = (id: string) =>
      new URLSearchParams({
        grant_type: 'client_credentials',
        audience,
        client_assertion_type: ASSERTION_TYPE,
        client_assertion: assertion(id, `${base}/`, stranger),
      }).toString();
    const form = mode === 'assertion' ? assertionForm : secretForm;
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });

    async function sample(count: number): Promise<{ known: number[]; unknown: number[] }> {
      const known: number[] = [];
      const unknown: number[] = [];
      // Bodies made before the timing (an RS256 signature takes ~1 ms); a fresh lookalike id each time, so that no
      // one unknown id is favoured by a cache.
      const plan = Array.from({ length: count }, () => {
        const order = randomInt(2) === 0 ? (['known', 'unknown'] as const) : (['unknown', 'known'] as const);
        return order.map((kind) => ({
          kind,
          body: form(kind === 'known' ? client.client_id : lookalike(client.client_id)),
        }));
      });
      for (const pair of plan) {
        for (const { kind, body } of pair) {
          const { status, micros } = await post(agent, port, body);
          if (status !== 401) throw new Error(`expected 401 for a wrong secret (${kind}), got ${status}`);
          (kind === 'known' ? known : unknown).push(micros);
        }
      }
      return { known, unknown };
    }

    await sample(WARMUP_PAIRS);
    const fmt = (s: Summary) =>
      `median ${s.median.toFixed(1)}  p90 ${s.p90.toFixed(1)}  mean ${s.mean.toFixed(1)}  trimmed ${s.trimmed.toFixed(1)}`;
    console.log(
      `client id timing (${mode}): ${pairs} pairs per round, ${rounds} rounds, µs from send to last byte (loopback, one keep-alive connection)`,
    );
    for (let round = 1; round <= rounds; round++) {
      const { known, unknown } = await sample(pairs);
      const k = summarise(known);
      const u = summarise(unknown);
      console.log(`round ${round}`);
      console.log(`  ${knownLabel} ${fmt(k)}`);
      console.log(`  unknown id               ${fmt(u)}`);
      console.log(
        `  known − unknown          median ${(k.median - u.median).toFixed(1)}  p90 ${(k.p90 - u.p90).toFixed(1)}  mean ${(k.mean - u.mean).toFixed(1)}  trimmed ${(k.trimmed - u.trimmed).toFixed(1)}`,
      );
    }
    agent.destroy();
  } finally {
    await child.stop(30_000);
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
