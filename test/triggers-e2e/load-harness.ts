/**
 * Minter in a process of its own for the load tests of client fairness and host caps: the load generator (this
 * process) does not share the server's event loop, and the server's memory can be read from `/proc/<pid>/status`.
 * Also the two kinds of load those tests send: a paced stream (a well-behaved client at a fixed rate, each request
 * timed from the moment it was due, so waiting behind a stalled server counts) and a few requests kept in flight.
 */
import { ProcessWatch, readMemory } from '../../bench/proc.js';
import {
  anyStorage,
  callApi,
  childMinterSetup,
  getToken,
  postToken,
  spawnMinter,
  type MinterProcess,
} from '../helpers/minter.js';

export interface LoadServer {
  baseUrl: string;
  pid: number;
  /** The management API with an admin token: status and parsed JSON, as RunningMinter's `api`. */
  api<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T; headers: Headers }>;
  process: MinterProcess;
  cleanup(): Promise<void>;
}

const ADMIN = { clientId: 'load-admin', clientSecret: 'load-admin-secret-0123456789abcdef' };

/** Starts Minter (`dist/src/main.js`) with `env` on PGlite, or PostgreSQL when DATABASE_URL is set. */
export async function startLoadServer(env: Record<string, string> = {}): Promise<LoadServer> {
  const setup = await childMinterSetup(anyStorage, ADMIN, { MINTER_LOG_FLUSH_MS: '50', ...env });
  const process = await spawnMinter(setup.env);
  setup.running.push(process);
  const audience = `${setup.env.MINTER_ISSUER}/api/v2/`;
  let token: { value: string; until: number } | undefined;
  return {
    baseUrl: process.baseUrl,
    pid: process.pid,
    process,
    async api(method, path, body) {
      if (token === undefined || token.until < Date.now()) {
        token = { value: (await getToken(process.baseUrl, ADMIN, audience)).access_token, until: Date.now() + 60_000 };
      }
      const response = await callApi(process.baseUrl, token.value, method, path, body);
      return { status: response.status, body: response.body, headers: response.headers };
    },
    cleanup: () => setup.cleanup(),
  };
}

/** Resident set of a process and the processes it started (the sandbox process), now, in bytes (`VmRSS`). */
export function residentBytes(pid: number): number {
  const memory = readMemory(pid);
  if (memory === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return memory.rss;
}

export interface Client {
  clientId: string;
  clientSecret: string;
  identifier: string;
}

export interface Exchange {
  status: number;
  body: any;
  /** From the moment the request was due to its answer, in ms. */
  ms: number;
}

/** One token request by client_secret_post, with extra body parameters; a network failure is status 0. */
export async function tokenRequest(
  baseUrl: string,
  client: Client,
  extra: Record<string, string> = {},
  due = performance.now(),
): Promise<Exchange> {
  try {
    const { status, body } = await postToken(baseUrl, {
      grant_type: 'client_credentials',
      client_id: client.clientId,
      client_secret: client.clientSecret,
      audience: client.identifier,
      ...extra,
    });
    return { status, body, ms: performance.now() - due };
  } catch (error) {
    return { status: 0, body: { error: String(error) }, ms: performance.now() - due };
  }
}

/** Sends `send` `rate` times a second for `seconds`, open loop (a late answer does not delay the next request). */
export async function paced(
  rate: number,
  seconds: number,
  send: (due: number) => Promise<Exchange>,
): Promise<Exchange[]> {
  const started = performance.now();
  const total = Math.round(rate * seconds);
  const pending: Array<Promise<Exchange>> = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push(send(due));
  }
  return Promise.all(pending);
}

/** Keeps `count` requests in flight (each sent again as soon as it is answered) until `stop` resolves. */
export async function keepInFlight(
  count: number,
  stop: Promise<void>,
  send: () => Promise<Exchange>,
): Promise<Exchange[]> {
  let stopped = false;
  void stop.then(() => (stopped = true));
  const answers: Exchange[] = [];
  await Promise.all(
    Array.from({ length: count }, async () => {
      while (!stopped) answers.push(await send());
    }),
  );
  return answers;
}

/** The `p`-quantile (0–1) of `values`, in their unit. */
export function quantile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
}

/** Cores of other work (other processes, the hypervisor) past which a latency target cannot be judged. */
export const DISTURBED_CORES = 0.25;

/**
 * Runs `load` against the server `pid` and says how many cores other work took meanwhile (busy CPU that was neither
 * the server nor this process, plus steal), from `/proc`: on a machine shared with other jobs, or beside another
 * test file, latency says more about them than about the server.
 */
export async function withDisturbance<T>(
  pid: number,
  load: () => Promise<T>,
): Promise<{ result: T; otherCores: number }> {
  const watch = new ProcessWatch(pid);
  const before = process.cpuUsage();
  const result = await load();
  const own = process.cpuUsage(before);
  const { cpu } = watch.stop((own.user + own.system) / 1e6);
  return { result, otherCores: cpu.other + cpu.steal };
}
