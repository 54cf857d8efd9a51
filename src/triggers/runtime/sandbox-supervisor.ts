/**
 * The server's {@link TriggerEngine} when actions run in a sandbox process of their own (the default): it starts
 * sandbox-host.ts, sends it the bound chain, each request, `test` run and deploy-time check, and keeps it alive.
 *
 * The sandbox process is replaced when it ends (V8 fatal errors end it; see sandbox-host.ts), when it does not answer
 * a ping for {@link PING_TIMEOUT_MS} (its main thread held by a built-in that never stops), or when it reports a call
 * whose thread did not come back (`stuck`: replaced gracefully, its requests in flight may finish). Requests in flight
 * when it ends fail with `server_error` and an execution record that says so; the server itself goes on. What it was
 * doing then (the versions loading, running, running their first request) goes to `onLoss`.
 *
 * Cost on the token path: one IPC message each way per request (JSON over a pipe).
 */
import { ActionBuildError } from '../action-build.js';
import type {
  ActionSource,
  BuiltAction,
  ChainResult,
  DeployedAction,
  TriggerEngine,
  TriggerRequest,
} from '../contract.js';
import { TRIGGER_IDS } from '../contract.js';
import type { GeoipLookup } from '../auth0/credentials-exchange.js';
import { sandboxLost } from '../chain.js';
import { RestartBackoff } from './restart-backoff.js';
import { lastWords, SandboxChild } from './sandbox-child.js';
import type { FromSandbox, SandboxLossKind, SandboxProcessSettings, ToSandbox } from './sandbox-protocol.js';

/** How often the supervisor pings the sandbox process, in ms. */
const PING_EVERY_MS = 1000;
/** No answer to pings for this long: the sandbox's main thread is held; it is killed, in ms. */
export const PING_TIMEOUT_MS = 5000;
/** How long past the chain budget a request waits for the sandbox's answer before it fails, in ms. */
const ANSWER_GRACE_MS = 2000;
/** What the sandbox process was doing when it was lost. */
export interface SandboxLoss {
  /** How it ended, for the operator: `signal SIGABRT`, `no answer for 5000 ms`, its own reason, or `stuck`. */
  how: string;
  kind: SandboxLossKind;
  /** Versions whose isolates were loading (their top-level code runs then, the same for every request). */
  loading: string[];
  /** Versions of the requests in flight. */
  running: string[];
  /** Of those, the versions that never finished a run in this server process (a failure not tied to one input). */
  firstRuns: string[];
}

export interface SupervisorOptions {
  settings: SandboxProcessSettings;
  /** `event.request.geoip` for the request's IP (looked up here: the sandbox process has no GeoIP database). */
  geoip?: GeoipLookup;
  /** Kinde management reads the sandbox's workflows make (answered by the server, from its snapshot). */
  kindeManagementGet(endpoint: string): Promise<{ status: number; body: unknown }>;
  onBatch?: (requests: number) => void;
  /**
   * Told what the sandbox process was doing when it was lost (or when a call of a version kept its thread): the
   * information a quarantine needs (docs/security.md, "quarantine"). Answers the versions it quarantines, which the
   * next sandbox process is sent as quarantined at once (before the store and the reload catch up).
   */
  onLoss?: (loss: SandboxLoss) => ReadonlyMap<string, NonNullable<DeployedAction['quarantine']>> | void;
  /** Counts each sandbox process replaced, by why (metrics). */
  onReplaced?: (kind: SandboxLossKind) => void;
  /** For the operator: the sandbox process was lost, or restarted. */
  log?: { warn(details: object, message: string): void };
}

export class SandboxSupervisor implements TriggerEngine {
  readonly #options: SupervisorOptions;
  #chain: DeployedAction[] = [];
  /** Versions that finished a run in this server process: a loss while they run is their input's, not a crash loop. */
  readonly #proven = new Set<string>();
  #child: SandboxChild | undefined;
  #retiring = new Set<SandboxChild>();
  #calls = 0;
  readonly #losses = new RestartBackoff();
  #restartTimer: NodeJS.Timeout | undefined;
  #pinger: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: SupervisorOptions) {
    this.#options = options;
  }

  get hasBindings(): boolean {
    return this.#chain.length > 0;
  }

  setBindings(chain: DeployedAction[]): void {
    if (this.#closed) throw new Error('The trigger engine is closed');
    for (const action of chain) {
      if (!TRIGGER_IDS.includes(action.triggerId))
        throw new TypeError(`Unknown trigger ${String(action.triggerId)} for action ${action.actionId}`);
    }
    this.#chain = chain;
    // A new sandbox process is sent the chain as it starts (#ensure).
    if (this.#child !== undefined) this.#child.send({ t: 'bind', chain });
    else if (chain.length > 0) this.#ensure();
  }

  run(request: TriggerRequest): Promise<ChainResult> {
    return this.#call(this.#chain, request, (id, req) => ({ t: 'run', id, request: req }));
  }

  test(action: DeployedAction, request: TriggerRequest): Promise<ChainResult> {
    return this.#call([action], request, (id, req) => ({ t: 'test', id, action, request: req }));
  }

  async build(source: ActionSource): Promise<BuiltAction> {
    if (this.#closed) throw new Error('The trigger engine is closed');
    const child = this.#ensure();
    if (!(await child.ready))
      throw new ActionBuildError('The sandbox process could not start; try again', 'action.js', 0, 0);
    const id = ++this.#calls;
    return new Promise((resolve, reject) => {
      child.builds.set(id, { resolve, reject });
      child.send({ t: 'build', id, source });
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#chain = [];
    clearTimeout(this.#restartTimer);
    clearInterval(this.#pinger);
    for (const child of [this.#child, ...this.#retiring]) {
      // A profiled sandbox process writes its profile as it leaves (sandbox-host.ts): let it.
      if (child?.profiled && child.process.connected) child.process.disconnect();
      else if (child) this.#kill(child);
    }
  }

  async #call(
    chain: DeployedAction[],
    request: TriggerRequest,
    message: (id: number, request: TriggerRequest) => ToSandbox,
  ): Promise<ChainResult> {
    const startedAt = Date.now();
    if (this.#closed) return sandboxLost(chain, 'The trigger engine is closed.', startedAt);
    const lookup = this.#options.geoip;
    if (
      lookup !== undefined &&
      request.geoip === undefined &&
      chain.some((action) => action.triggerId === 'credentials-exchange')
    ) {
      try {
        request = { ...request, geoip: lookup(request.request.ip) };
      } catch {
        // A failing lookup leaves geoip empty, as Auth0 does for addresses it cannot place.
      }
    }
    const child = this.#ensure();
    if (!(await child.ready))
      return sandboxLost(chain, 'The sandbox process that runs actions could not start.', startedAt);
    const budget = this.#options.settings.chainTimeoutMs - (Date.now() - startedAt);
    return new Promise((resolve) => {
      const id = ++this.#calls;
      const timer = setTimeout(() => {
        child.runs.delete(id);
        resolve(sandboxLost(chain, 'The sandbox process did not answer in time.', startedAt));
      }, budget + ANSWER_GRACE_MS);
      child.runs.set(id, {
        chain,
        startedAt,
        settle: (result) => {
          clearTimeout(timer);
          resolve(result);
        },
      });
      child.send(message(id, request));
    });
  }

  /** The sandbox process that takes new work, started if there is none. */
  #ensure(): SandboxChild {
    if (this.#child !== undefined) return this.#child;
    const child = new SandboxChild(this.#options.settings);
    this.#child = child;
    child.process.on('message', (message: FromSandbox) => this.#heard(child, message));
    child.process.once('exit', (code, signal) => this.#ended(child, code, signal));
    this.#pinger ??= setInterval(() => this.#ping(), PING_EVERY_MS).unref();
    if (this.#chain.length > 0) child.send({ t: 'bind', chain: this.#chain });
    return child;
  }

  #heard(child: SandboxChild, message: FromSandbox): void {
    switch (message.t) {
      case 'batch':
        for (const one of message.messages) this.#heard(child, one);
        return;
      case 'ready':
        return;
      case 'result': {
        if (message.batches && this.#options.onBatch) for (const n of message.batches) this.#options.onBatch(n);
        for (const versionId of child.settleRun(message)) this.#proven.add(versionId);
        if (child.retiring && child.runs.size === 0 && child.builds.size === 0) this.#kill(child);
        return;
      }
      case 'built':
        return child.settleBuild(message);
      case 'kinde':
        return void this.#options.kindeManagementGet(message.endpoint).then(
          (answer) => child.send({ t: 'kinde', id: message.id, answer }),
          () =>
            child.send({
              t: 'kinde',
              id: message.id,
              answer: { status: 500, body: { errors: [{ code: 'INTERNAL_ERROR' }] } },
            }),
        );
      case 'load':
        return child.loadPhase(message.versionId, message.phase);
      case 'stuck': {
        const firstRuns = this.#proven.has(message.versionId) ? [] : [message.versionId];
        this.#quarantine(
          this.#options.onLoss?.({ how: 'stuck', kind: 'stuck', loading: [], running: [message.versionId], firstRuns }),
        );
        if (!child.retiring) this.#options.onReplaced?.('stuck');
        return this.#retire(child);
      }
      case 'ending':
        child.ending = message.reason;
        child.lossKind = message.kind;
        return;
      case 'pong':
        child.lastPong = performance.now();
        return;
      default:
        message satisfies never;
    }
  }

  /** Marks versions quarantined in the chain the next sandbox process is sent: it never loads them. */
  #quarantine(quarantined: ReadonlyMap<string, NonNullable<DeployedAction['quarantine']>> | void): void {
    if (quarantined === undefined || quarantined.size === 0) return;
    this.#chain = this.#chain.map((action) => {
      const quarantine = action.quarantine ?? quarantined.get(action.versionId);
      return quarantine === action.quarantine ? action : { ...action, quarantine };
    });
  }

  #ping(): void {
    const now = performance.now();
    for (const child of [this.#child, ...this.#retiring]) {
      if (child === undefined || child.gone) continue;
      if (now - child.lastPong > PING_TIMEOUT_MS) {
        if (child.ending === undefined)
          [child.ending, child.lossKind] = [`no answer for ${PING_TIMEOUT_MS} ms`, 'unresponsive'];
        this.#kill(child);
      } else child.send({ t: 'ping', n: Math.round(now) });
    }
  }

  /** No new work for `child`; a new sandbox process takes it. `child` ends once its requests are answered. */
  #retire(child: SandboxChild): void {
    if (child.retiring || child.gone) return;
    child.retiring = true;
    this.#retiring.add(child);
    if (this.#child === child) this.#child = undefined;
    if (child.runs.size === 0) this.#kill(child);
    else setTimeout(() => this.#kill(child), this.#options.settings.chainTimeoutMs + ANSWER_GRACE_MS).unref();
    if (this.#chain.length > 0 && !this.#closed) this.#ensure();
  }

  #kill(child: SandboxChild): void {
    if (!child.gone) child.process.kill('SIGKILL');
  }

  #ended(child: SandboxChild, code: number | null, signal: NodeJS.Signals | null): void {
    child.gone = true;
    this.#retiring.delete(child);
    if (this.#child === child) this.#child = undefined;
    const how = child.ending ?? (signal ? `signal ${signal}` : `exit code ${code}`);
    const expected = this.#closed || (child.retiring && child.runs.size === 0 && child.builds.size === 0);
    if (!expected) {
      const { loading, running } = child.suspects();
      this.#options.log?.warn(
        { how, loading, running, stderr: lastWords(child.stderrTail) },
        'the sandbox process was lost',
      );
      const firstRuns = running.filter((versionId) => !this.#proven.has(versionId));
      if (!child.retiring)
        this.#quarantine(this.#options.onLoss?.({ how, kind: child.lossKind, loading, running, firstRuns }));
      this.#losses.record();
      if (!child.retiring) this.#options.onReplaced?.(child.lossKind);
    }
    const message = this.#closed
      ? 'The trigger engine is closed.'
      : `The sandbox process ended (${how}) while this request ran; the server goes on and started a new one.`;
    child.failAll(message, how);
    if (this.#closed || this.#chain.length === 0 || this.#child !== undefined) return;
    // Restart now, or after a pause that grows with the losses of the last minute.
    clearTimeout(this.#restartTimer);
    this.#restartTimer = setTimeout(() => {
      if (!this.#closed && this.#chain.length > 0) this.#ensure();
    }, this.#losses.wait());
  }
}
