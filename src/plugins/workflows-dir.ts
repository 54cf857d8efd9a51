/**
 * `MINTER_WORKFLOWS_DIR`: a Kinde project folder kept deployed. Before the server listens, it syncs it
 * (workflows/sync.ts) through its own management API, as the admin client (MINTER_ADMIN_CLIENT_ID / SECRET), then
 * watches the tree and syncs again after each change settles. Workflows whose file left the tree are removed only
 * with `MINTER_WORKFLOWS_PRUNE=true`. A failed sync (a workflow that does not compile) changes nothing and is logged;
 * the server goes on with what is deployed.
 */
import { watch, type FSWatcher } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import { describeSync, syncWorkflows, type ManagementCall } from '../workflows/sync.js';

/** How long the tree must stay unchanged before a sync starts, in ms (an editor or `git pull` writes in bursts). */
const SETTLE_MS = 300;

/** The management API through `app.inject`, with a token the admin client gets from the token endpoint. */
function injectedCall(app: FastifyInstance, config: Readonly<Config>): ManagementCall {
  let token: { value: string; until: number } | undefined;
  const bearer = async () => {
    if (token !== undefined && token.until > Date.now()) return token.value;
    const answer = await app.inject({
      method: 'POST',
      url: '/oauth/token',
      payload: {
        grant_type: 'client_credentials',
        client_id: config.adminClientId,
        client_secret: config.adminClientSecret,
        audience: `${config.issuer}/api/v2/`,
      },
    });
    const body = answer.json() as { access_token?: string; expires_in?: number; error_description?: string };
    if (!body.access_token) throw new Error(`the admin client cannot get a token: ${body.error_description}`);
    token = { value: body.access_token, until: Date.now() + ((body.expires_in ?? 60) - 30) * 1000 };
    return token.value;
  };
  return async (method, path, body) => {
    const answer = await app.inject({
      method: method as 'GET',
      url: `/api/v2${path}`,
      headers: { authorization: `Bearer ${await bearer()}` },
      ...(body !== undefined && { payload: body as object }),
    });
    const json = answer.body ? answer.json() : undefined;
    if (answer.statusCode >= 400) throw new Error(`${method} /api/v2${path}: ${answer.statusCode} ${json?.message}`);
    return json;
  };
}

/**
 * Syncs the folder once (the app is made ready for it: call this last), then watches it. Resolves when the first
 * sync has ended, either way, so that the server listens with the folder's workflows deployed.
 */
export async function keepWorkflowsDeployed(app: FastifyInstance, config: Readonly<Config>): Promise<void> {
  const dir = config.workflowsDir;
  if (dir === undefined) return;
  const call = injectedCall(app, config);
  let running: Promise<void> = Promise.resolve();
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  /** Set once the first sync ended (the close hook must be added before the app is ready). */
  const watching: { watcher?: FSWatcher } = {};
  let closed = false;

  /** One sync at a time; a change during one starts another after it. */
  const sync = (): Promise<void> => {
    if (again) return running;
    again = true;
    running = running.then(async () => {
      again = false;
      if (closed) return;
      const startedAt = performance.now();
      try {
        const summary = await syncWorkflows(dir, call, { prune: config.workflowsPrune });
        const ms = Math.round(performance.now() - startedAt);
        app.log.info({ dir, ms, ...summary }, `workflows synced: ${describeSync(summary).at(-1)}`);
      } catch (error) {
        app.log.error({ dir, reason: (error as Error).message }, 'workflows not synced; what is deployed stays');
      }
    });
    return running;
  };

  app.addHook('onClose', async () => {
    closed = true;
    clearTimeout(timer);
    watching.watcher?.close();
    await running;
  });
  await app.ready();
  await sync();
  const watcher = watch(dir, { recursive: true }, () => {
    clearTimeout(timer);
    timer = setTimeout(() => void sync(), SETTLE_MS);
  });
  watcher.on('error', (error) => app.log.warn({ dir, reason: error.message }, 'watching the workflows folder failed'));
  watching.watcher = watcher;
}
