/**
 * The Minter scenarios: Minter itself (`dist/src/main.js`) in its own process, on embedded PGlite in a temporary
 * data dir, provisioned through its management API with one API, one client and one grant — and, for the action
 * scenarios, a chain of bound Auth0 actions. Each says how many token workers it runs (`MINTER_WORKERS`).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForHttp } from '../net.js';
import { removeOnExit, ROOT, startChild } from '../processes.js';
import type { Settings } from '../settings.js';
import { checkTokenWithin } from '../token-check.js';
import { bindActions } from './minter-actions.js';
import { MinterAdmin } from './minter-admin.js';
import {
  AUDIENCE,
  SCOPES,
  serverCpus,
  type Placement,
  type RunningTarget,
  type Scenario,
  type Skipped,
} from './target.js';

export interface MinterOptions {
  name: string;
  alg: 'ES256' | 'RS256';
  /** Bound `credentials-exchange` actions, each setting one claim. */
  actions: number;
  /**
   * `MINTER_WORKERS`, always set: 1 is one process (what the single-process rows measure whatever the default is),
   * more is node:cluster with that many token workers.
   */
  workers: number;
  /** Where the server and the load generator run when pinning is on (default: server on CPU 0, load on CPU 1). */
  cpus?: Readonly<Placement>;
  /** Minter variables of this scenario (for example `MINTER_ACTIONS_ISOLATION`). */
  env?: Record<string, string>;
}

/**
 * The Node flags `npm start` gives Minter (package.json `scripts.start`), so that the bench measures what operators
 * run; `--no-node-snapshot` is added for every child anyway.
 */
const START_FLAGS = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }
).scripts.start
  .split(/\s+/)
  .filter((word) => word.startsWith('--') && word !== '--no-node-snapshot');

/** Where `--profile` puts Minter's V8 CPU profiles, one folder per scenario. */
export const profileDir = (scenario: string) => join(ROOT, 'bench', 'results', 'profiles', scenario);

async function startMinter(settings: Readonly<Settings>, options: MinterOptions): Promise<RunningTarget | Skipped> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const dataDir = await mkdtemp(join(tmpdir(), 'minter-bench-'));
  removeOnExit(dataDir);
  const admin = { id: 'bench-admin', secret: randomBytes(24).toString('base64url') };
  const child = startChild({
    name: options.name,
    args: [join(ROOT, 'dist', 'src', 'main.js')],
    nodeFlags: [
      ...START_FLAGS,
      ...(settings.profile ? ['--cpu-prof', '--cpu-prof-dir', profileDir(options.name)] : []),
      ...settings.minterNodeFlags,
    ],
    env: {
      PORT: String(port),
      HOST: '127.0.0.1',
      MINTER_ISSUER: base,
      MINTER_DATA_DIR: dataDir,
      MINTER_ADMIN_CLIENT_ID: admin.id,
      MINTER_ADMIN_CLIENT_SECRET: admin.secret,
      MINTER_LOG_LEVEL: 'warn',
      MINTER_WORKERS: String(options.workers),
      ...options.env,
    },
    ...serverCpus(settings, options.cpus),
  });
  const stop = async () => {
    // Graceful: Minter flushes its buffered log records on SIGTERM (and writes its CPU profile).
    await child.stop(30_000);
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    await waitForHttp(`${base}/health`, child);
    const api = new MinterAdmin(base, admin.id, admin.secret);
    await api.must('POST', '/resource-servers', {
      identifier: AUDIENCE,
      name: 'Bench API',
      scopes: SCOPES.map((value) => ({ value })),
      signing_alg: options.alg,
    });
    const client = await api.must<{ client_id: string; client_secret: string }>('POST', '/clients', { name: 'bench' });
    await api.must('POST', '/client-grants', { client_id: client.client_id, audience: AUDIENCE, scope: SCOPES });

    let expectClaims: Record<string, string> | undefined;
    if (options.actions > 0) {
      const bound = await bindActions(api, options.actions);
      if ('skipped' in bound) {
        await stop();
        return bound;
      }
      expectClaims = bound.claims;
    }
    const target: RunningTarget = {
      pid: child.pid,
      tokenUrl: `${base}/oauth/token`,
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: client.client_id,
        client_secret: client.client_secret,
        audience: AUDIENCE,
      }).toString(),
      jwksUrl: `${base}/.well-known/jwks.json`,
      alg: options.alg,
      audience: AUDIENCE,
      ...(expectClaims && { expectClaims }),
      workers: options.workers,
      gone: () => child.gone(),
      stop,
    };
    // Configuration changes reach the hot path through the registry; wait until the token shows them.
    await checkTokenWithin(target, 15_000);
    return target;
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A Minter scenario with the given algorithm, number of bound actions and of workers. */
export function minterScenario(options: MinterOptions, describe: string): Scenario {
  return {
    name: options.name,
    describe,
    ...(options.cpus && { cpus: options.cpus }),
    start: (settings) => startMinter(settings, options),
  };
}
