/**
 * Starts the real Minter on a loopback port for a test, on embedded PGlite (a temporary data dir) or on a fresh
 * PostgreSQL database, and gives the test its admin credentials and a management token.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { buildApp, type MinterApp } from '../../src/server.js';
import { createTestDatabase, type TestDatabase } from './postgres.js';

export type Storage = 'pglite' | 'postgres';

export interface RunningMinter {
  baseUrl: string;
  issuer: string;
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

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startMinter(options: { storage?: Storage; env?: Record<string, string> } = {}): Promise<RunningMinter> {
  const storage = options.storage ?? 'pglite';
  const port = await freePort();
  const dataDir = await mkdtemp(join(tmpdir(), 'minter-test-'));
  let database: TestDatabase | undefined;
  if (storage === 'postgres') database = await createTestDatabase();
  const admin = { clientId: 'test-admin', clientSecret: 'test-admin-secret-0123456789abcdef' };
  const baseEnv: Record<string, string> = {
    PORT: String(port),
    HOST: '127.0.0.1',
    MINTER_ISSUER: `http://127.0.0.1:${port}`,
    MINTER_DATA_DIR: dataDir,
    MINTER_ADMIN_CLIENT_ID: admin.clientId,
    MINTER_ADMIN_CLIENT_SECRET: admin.clientSecret,
    MINTER_LOG_FLUSH_MS: '50',
    ...(database && { DATABASE_URL: database.url }),
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
      const token = await running.adminToken();
      const response = await fetch(`${baseUrl}/api/v2${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
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
  m: RunningMinter,
  options: { identifier?: string; scopes?: string[]; grant?: string[]; signing_alg?: string; token_dialect?: string; metadata?: Record<string, string> } = {},
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
  const client = await m.api('POST', '/clients', { name: 'svc', ...(options.metadata && { client_metadata: options.metadata }) });
  if (client.status !== 201) throw new Error(`create client: ${JSON.stringify(client.body)}`);
  const grant = await m.api('POST', '/client-grants', {
    client_id: client.body.client_id,
    audience: identifier,
    scope: options.grant ?? scopes,
  });
  if (grant.status !== 201) throw new Error(`create grant: ${JSON.stringify(grant.body)}`);
  return { identifier, clientId: client.body.client_id as string, clientSecret: client.body.client_secret as string, grantId: grant.body.id as string };
}
