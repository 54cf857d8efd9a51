/**
 * Starts the real Minter on a loopback port for a test, on embedded PGlite (a temporary data dir) or on a fresh
 * PostgreSQL database, and gives the test its admin credentials and a management token.
 */
import assert from 'node:assert/strict';
import { request as httpsRequest } from 'node:https';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../bench/net.js';
import { loadConfig } from '../../src/config.js';
import { buildApp, type MinterApp } from '../../src/server.js';
import { createTestDatabase, type TestDatabase } from './postgres.js';

export type Storage = 'pglite' | 'postgres';

export interface RunningMinter {
  baseUrl: string;
  issuer: string;
  /** MINTER_DATA_DIR of this instance (PGlite's files, the generated secret key). */
  dataDir: string;
  minter: MinterApp;
  admin: { clientId: string; clientSecret: string };
  /** A management API token with every scope. */
  adminToken(): Promise<string>;
  /** Calls the management API with the admin token; returns status and parsed JSON. */
  api<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T; headers: Headers }>;
  /** Stops and starts again on the same storage (and port). */
  restart(extraEnv?: Record<string, string>): Promise<void>;
  close(): Promise<void>;
}

/**
 * Puts a fresh, empty PGlite cluster at `<dataDir>/pglite`, where Minter opens its embedded storage, by copying
 * a template made once per machine and PGlite version. PGlite's `initdb` takes 5–15 s; opening a copy takes
 * well under one. The copy is exactly what `PGlite.create` would have made (no tables: Minter's migrations still
 * run at start-up). Set MINTER_TEST_PGLITE_TEMPLATE=0 to let every start run `initdb` itself.
 */
export async function seedPgliteDataDir(dataDir: string): Promise<void> {
  if (process.env.MINTER_TEST_PGLITE_TEMPLATE === '0') return;
  const template = await pgliteTemplate();
  await cp(template, join(dataDir, 'pglite'), { recursive: true });
}

let templateReady: Promise<string> | undefined;

function pgliteTemplate(): Promise<string> {
  templateReady ??= (async () => {
    const manifest = join(repoRoot, 'node_modules', '@electric-sql', 'pglite', 'package.json');
    const { version } = JSON.parse(await readFile(manifest, 'utf8')) as { version: string };
    const final = join(tmpdir(), `minter-pglite-template-${version}`);
    if (existsSync(join(final, 'PG_VERSION'))) return final;
    // Made under a private name and renamed into place, so parallel test processes never see half a template.
    const building = await mkdtemp(join(tmpdir(), `minter-pglite-template-${version}.building-`));
    const { PGlite } = await import('@electric-sql/pglite');
    const lite = await PGlite.create(building);
    await lite.close();
    try {
      await rename(building, final);
    } catch {
      // Another process won the race: use its template.
      await rm(building, { recursive: true, force: true });
    }
    return final;
  })();
  return templateReady;
}

export async function startMinter(
  options: {
    storage?: Storage;
    env?: Record<string, string>;
    /** PostgreSQL: the URL Minter is given for its fresh database (a proxy in between, say). */
    databaseUrlVia?: (url: URL) => URL;
  } = {},
): Promise<RunningMinter> {
  const storage = options.storage ?? 'pglite';
  const port = await freePort();
  const dataDir = await mkdtemp(join(tmpdir(), 'minter-test-'));
  let database: TestDatabase | undefined;
  if (storage === 'postgres') database = await createTestDatabase();
  else await seedPgliteDataDir(dataDir);
  const databaseUrl =
    database && (options.databaseUrlVia ? options.databaseUrlVia(new URL(database.url)).toString() : database.url);
  const admin = { clientId: 'test-admin', clientSecret: 'test-admin-secret-0123456789abcdef' };
  const baseEnv: Record<string, string> = {
    PORT: String(port),
    HOST: '127.0.0.1',
    MINTER_ISSUER: `http://127.0.0.1:${port}`,
    MINTER_DATA_DIR: dataDir,
    MINTER_ADMIN_CLIENT_ID: admin.clientId,
    MINTER_ADMIN_CLIENT_SECRET: admin.clientSecret,
    MINTER_LOG_FLUSH_MS: '50',
    ...(databaseUrl && { DATABASE_URL: databaseUrl }),
    ...options.env,
  };
  const baseUrl = `http://127.0.0.1:${port}`;

  let minter: MinterApp;
  async function boot(extraEnv: Record<string, string> = {}) {
    const config = loadConfig({ ...baseEnv, ...extraEnv });
    minter = await buildApp(config, { logger: false });
    await minter.app.listen({ port, host: '127.0.0.1' });
  }
  await boot();

  let cached: { token: string; until: number } | undefined;
  const running: RunningMinter = {
    baseUrl,
    issuer: baseUrl,
    dataDir,
    get minter() {
      return minter;
    },
    admin,
    async adminToken() {
      if (cached && cached.until > Date.now()) return cached.token;
      const response = await fetch(`${baseUrl}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: admin.clientId,
          client_secret: admin.clientSecret,
          audience: `${baseUrl}/api/v2/`,
        }),
      });
      const body = (await response.json()) as { access_token: string };
      if (!response.ok) throw new Error(`admin token request failed: ${JSON.stringify(body)}`);
      cached = { token: body.access_token, until: Date.now() + 60_000 };
      return body.access_token;
    },
    async api(method, path, body) {
      const call = async () =>
        fetch(`${baseUrl}/api/v2${path}`, {
          method,
          headers: {
            authorization: `Bearer ${await running.adminToken()}`,
            ...(body !== undefined && { 'content-type': 'application/json' }),
          },
          ...(body !== undefined && { body: JSON.stringify(body) }),
        });
      let response = await call();
      // The cached token's signing key was revoked (a key test did it): take a new token once, as a client would.
      if (response.status === 401 && cached !== undefined) {
        cached = undefined;
        response = await call();
      }
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
    },
    async restart(extraEnv) {
      await minter.close();
      cached = undefined;
      await boot(extraEnv);
    },
    async close() {
      await minter.close();
      await rm(dataDir, { recursive: true, force: true });
      await database?.drop();
    },
  };
  return running;
}

/** Creates an API, a client and a grant; returns the client's credentials. */
export async function provision(
  m: Pick<RunningMinter, 'api'>,
  options: {
    identifier?: string;
    scopes?: string[];
    grant?: string[];
    signing_alg?: string;
    token_dialect?: string;
    metadata?: Record<string, string>;
  } = {},
) {
  const identifier = options.identifier ?? `https://api-${Math.random().toString(36).slice(2, 8)}.example.com`;
  const scopes = options.scopes ?? ['read:things', 'write:things'];
  const rs = await m.api('POST', '/resource-servers', {
    identifier,
    name: 'Things API',
    scopes: scopes.map((value) => ({ value })),
    signing_alg: options.signing_alg ?? 'ES256',
    ...(options.token_dialect && { token_dialect: options.token_dialect }),
  });
  if (rs.status !== 201) throw new Error(`create API: ${JSON.stringify(rs.body)}`);
  const client = await m.api('POST', '/clients', {
    name: 'svc',
    ...(options.metadata && { client_metadata: options.metadata }),
  });
  if (client.status !== 201) throw new Error(`create client: ${JSON.stringify(client.body)}`);
  const grant = await m.api('POST', '/client-grants', {
    client_id: client.body.client_id,
    audience: identifier,
    scope: options.grant ?? scopes,
  });
  if (grant.status !== 201) throw new Error(`create grant: ${JSON.stringify(grant.body)}`);
  return {
    identifier,
    clientId: client.body.client_id as string,
    clientSecret: client.body.client_secret as string,
    grantId: grant.body.id as string,
  };
}

/**
 * Storage for suites whose subject does not depend on storage (the token endpoint's answers, discovery, the
 * OpenAPI document: all read the in-memory snapshot): PostgreSQL when DATABASE_URL is set, as it starts in a
 * fraction of PGlite's time, else PGlite.
 */
export const anyStorage: Storage = process.env.DATABASE_URL ? 'postgres' : 'pglite';

/** One HTTP exchange as it went over the wire: status, headers, raw text, and the JSON body when there is one. */
export interface WireResponse<T = any> {
  status: number;
  headers: Headers;
  text: string;
  body: T;
}

async function wire<T>(response: Response): Promise<WireResponse<T>> {
  const text = await response.text();
  let body: any;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, text, body };
}

/** `Authorization: Basic …` for a client: id and secret form-urlencoded, then joined and base64'd (RFC 6749 §2.3.1). */
export function basicAuth(clientId: string, clientSecret: string): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${enc(clientId)}:${enc(clientSecret)}`).toString('base64')}`;
}

/**
 * POSTs a token request exactly as given, with no OAuth library in between. A record is sent form-urlencoded; a
 * string is sent as is with `contentType` (form by default; `null` sends no Content-Type header).
 */
export async function postToken(
  baseUrl: string,
  body: string | Record<string, string>,
  options: { contentType?: string | null; headers?: Record<string, string>; path?: string } = {},
): Promise<WireResponse> {
  const contentType = options.contentType === undefined ? 'application/x-www-form-urlencoded' : options.contentType;
  const response = await fetch(`${baseUrl}${options.path ?? '/oauth/token'}`, {
    method: 'POST',
    headers: { ...(contentType !== null && { 'content-type': contentType }), ...options.headers },
    body: typeof body === 'string' ? body : new URLSearchParams(body).toString(),
  });
  return wire(response);
}

export interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in: number;
  scope: string;
}

/** A token for `audience` by client_secret_post; throws with the error body unless the answer is 200. */
export async function getToken(
  baseUrl: string,
  client: { clientId: string; clientSecret: string },
  audience: string,
  extra: Record<string, string> = {},
): Promise<TokenResponse> {
  const response = await postToken(baseUrl, {
    grant_type: 'client_credentials',
    client_id: client.clientId,
    client_secret: client.clientSecret,
    audience,
    ...extra,
  });
  if (response.status !== 200) throw new Error(`token request failed: ${response.status} ${response.text}`);
  return response.body as TokenResponse;
}

/** Calls the management API with the given Bearer token (none when undefined). */
export async function callApi<T = any>(
  baseUrl: string,
  token: string | undefined,
  method: string,
  path: string,
  body?: unknown,
): Promise<WireResponse<T>> {
  const response = await fetch(`${baseUrl}/api/v2${path}`, {
    method,
    headers: {
      ...(token !== undefined && { authorization: `Bearer ${token}` }),
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return wire<T>(response);
}

/** A fresh admin token (the harness's `adminToken()` caches one for a minute; key revocation tests need new ones). */
export async function freshAdminToken(m: RunningMinter): Promise<string> {
  return (await getToken(m.baseUrl, m.admin, `${m.issuer}/api/v2/`)).access_token;
}

/** Minter started the way `npm start` starts it: its own process, `node --no-node-snapshot dist/src/main.js`. */
export interface MinterProcess {
  baseUrl: string;
  pid: number;
  /** Everything the process wrote so far. */
  output(): { stdout: string; stderr: string };
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends `signal` and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** A free loopback port. */
export const freeLoopbackPort = freePort;

/** Storage, environment and clean-up for tests that start Minter as its own process ({@link spawnMinter}). */
export interface ChildMinterSetup {
  env: Record<string, string>;
  /** Processes to kill at clean-up: push every one the test spawns. */
  running: MinterProcess[];
  cleanup(): Promise<void>;
}

/**
 * A fresh data dir (seeded PGlite, or a fresh PostgreSQL database), a free port and the admin client in `env`,
 * plus `extra` variables.
 */
export async function childMinterSetup(
  storage: Storage,
  admin: { clientId: string; clientSecret: string },
  extra: Record<string, string> = {},
): Promise<ChildMinterSetup> {
  const dataDir = await mkdtemp(join(tmpdir(), 'minter-child-'));
  const database = storage === 'postgres' ? await createTestDatabase() : undefined;
  if (database === undefined) await seedPgliteDataDir(dataDir);
  const port = String(await freePort());
  const running: MinterProcess[] = [];
  return {
    env: {
      PORT: port,
      MINTER_ISSUER: `http://127.0.0.1:${port}`,
      MINTER_DATA_DIR: dataDir,
      MINTER_ADMIN_CLIENT_ID: admin.clientId,
      MINTER_ADMIN_CLIENT_SECRET: admin.clientSecret,
      ...extra,
      ...(database && { DATABASE_URL: database.url }),
    },
    running,
    async cleanup() {
      for (const p of running) await p.stop('SIGKILL');
      await database?.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Spawns Minter with exactly `env` (plus PATH) and waits until `/health` answers, or rejects with the process's
 * stderr when it exits first or takes longer than `timeoutMs`.
 */
export async function spawnMinter(
  env: Record<string, string>,
  options: { timeoutMs?: number; /** https: the certificate to trust (env has MINTER_TLS_CERT). */ ca?: Buffer } = {},
): Promise<MinterProcess> {
  const port = env.PORT ?? String(await freePort());
  const child = spawn(process.execPath, ['--no-node-snapshot', join(repoRoot, 'dist', 'src', 'main.js')], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', MINTER_LOG_LEVEL: 'warn', ...env, PORT: port },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const baseUrl = `${options.ca ? 'https' : 'http'}://127.0.0.1:${port}`;
  const healthy = options.ca
    ? () => httpsGet(`${baseUrl}/health`, options.ca!).then((answer) => answer.status === 200)
    : () => fetch(`${baseUrl}/health`).then((response) => response.ok);
  const proc: MinterProcess = {
    baseUrl,
    pid: child.pid!,
    output: () => ({ stdout, stderr }),
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let gone = false;
  void exited.then(() => (gone = true));
  while (!gone) {
    if (Date.now() > deadline) {
      await proc.stop('SIGKILL');
      throw new Error(`minter did not become ready in time; stderr: ${stderr}`);
    }
    try {
      if (await healthy()) return proc;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const { code } = await exited;
  const error = new Error(`minter exited with code ${code} before it was ready; stderr: ${stderr}`) as Error & {
    process: MinterProcess;
  };
  error.process = proc;
  throw error;
}

/** Asserts a management API error exactly: status and Auth0's body `{statusCode, error, message, errorCode}`. */
export function assertManagementError(
  response: Pick<WireResponse, 'status' | 'body' | 'headers'>,
  statusCode: number,
  error: string,
  message: string,
  errorCode: string,
): void {
  assert.deepEqual(
    { status: response.status, body: response.body },
    { status: statusCode, body: { statusCode, error, message, errorCode } },
  );
  assert.equal(response.headers.get('content-type'), 'application/json; charset=utf-8');
}

/** A GET over https trusting `ca`: status, body and the certificate the server presented. */
export function httpsGet(
  url: string,
  ca: Buffer,
): Promise<{ status: number; body: string; certificate: import('node:tls').PeerCertificate }> {
  return new Promise((resolve, reject) => {
    const request = httpsRequest(url, { ca, agent: false }, (response) => {
      const certificate = (response.socket as import('node:tls').TLSSocket).getPeerCertificate();
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body, certificate }));
    });
    request.on('error', reject);
    request.end();
  });
}
