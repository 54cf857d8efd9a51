/**
 * The peer scenarios, `oidc-provider` and `oidc-provider-2-workers`: `oidc-provider-server.ts` with one static
 * client (`client_secret_post`), in one process or under node:cluster.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { freePort, waitForHttp } from '../net.js';
import { BENCH_DIST, startChild } from '../processes.js';
import { AUDIENCE, SCOPES, serverCpus, SHARED, TIER_CLAIM, type Placement, type Scenario } from './target.js';

const DESCRIBE =
  'oidc-provider, client credentials only, JWT access tokens (ES256) for one resource indicator, extraTokenClaims adds the same claim as minter-1-action, in-memory adapter';

/** How long the workers of a cluster may take to listen (ms). */
const READY_MS = 60_000;

function oidcProviderScenario(name: string, workers: number, describe: string, cpus?: Readonly<Placement>): Scenario {
  return {
    name,
    describe,
    ...(cpus && { cpus }),
    async start(settings) {
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      // Credentials of the same length as Minter's (32 and 64 characters).
      const clientId = randomBytes(24).toString('base64url');
      const clientSecret = randomBytes(48).toString('base64url');
      const scope = SCOPES.join(' ');
      let ready: () => void = () => {};
      const listening = new Promise<void>((resolve) => (ready = resolve));
      const child = startChild({
        name,
        args: [join(BENCH_DIST, 'targets', 'oidc-provider-server.js')],
        env: {
          PORT: String(port),
          CLIENT_ID: clientId,
          CLIENT_SECRET: clientSecret,
          AUDIENCE,
          SCOPE: scope,
          CLAIM: TIER_CLAIM,
          WORKERS: String(workers),
        },
        ...serverCpus(settings, cpus),
        onLine: (line) => line.startsWith('ready:') && ready(),
      });
      try {
        // Every worker listens before the first request: one that is still starting would get none of the load.
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          listening,
          child.exited.then(() => {
            throw new Error(`${name} exited before it was ready:\n${child.tail()}`);
          }),
          new Promise((_, reject) => {
            timer = setTimeout(
              () => reject(new Error(`${name} not ready within ${READY_MS} ms:\n${child.tail()}`)),
              READY_MS,
            );
          }),
        ]).finally(() => clearTimeout(timer));
        await waitForHttp(`${base}/.well-known/openid-configuration`, child);
      } catch (error) {
        await child.stop();
        throw error;
      }
      return {
        pid: child.pid,
        tokenUrl: `${base}/token`,
        // `scope` is sent so that its token carries the same `scope` claim as Minter's (which grants all by default).
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: clientId,
          client_secret: clientSecret,
          resource: AUDIENCE,
          scope,
        }).toString(),
        jwksUrl: `${base}/jwks`,
        alg: 'ES256',
        audience: AUDIENCE,
        expectClaims: { [TIER_CLAIM]: 'gold', scope },
        workers,
        gone: () => child.gone(),
        stop: () => child.stop(),
      };
    },
  };
}

export const oidcProvider = oidcProviderScenario('oidc-provider', 1, DESCRIBE);

export const oidcProvider2Workers = oidcProviderScenario(
  'oidc-provider-2-workers',
  2,
  `${DESCRIBE}; under node:cluster with 2 workers (the primary forks them with one signing key; each has its own in-memory adapter). ` +
    'Not pinned to one CPU: the server (primary and workers) and the load generator share CPUs 0 and 1',
  SHARED,
);
