/** Scenario 6, `oidc-provider`: the peer of `oidc-provider-server.ts`, one static client with `client_secret_post`. */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { freePort, waitForHttp } from '../net.js';
import { BENCH_DIST, startChild } from '../processes.js';
import { AUDIENCE, SCOPES, SERVER_CPU, TIER_CLAIM, type Scenario } from './target.js';

export const oidcProvider: Scenario = {
  name: 'oidc-provider',
  describe:
    'oidc-provider, client credentials only, JWT access tokens (ES256) for one resource indicator, extraTokenClaims adds the same claim as minter-1-action, in-memory adapter',
  async start(settings) {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    // Credentials of the same length as Minter's (32 and 64 characters).
    const clientId = randomBytes(24).toString('base64url');
    const clientSecret = randomBytes(48).toString('base64url');
    const scope = SCOPES.join(' ');
    const child = startChild({
      name: 'oidc-provider',
      args: [join(BENCH_DIST, 'targets', 'oidc-provider-server.js')],
      env: {
        PORT: String(port),
        CLIENT_ID: clientId,
        CLIENT_SECRET: clientSecret,
        AUDIENCE,
        SCOPE: scope,
        CLAIM: TIER_CLAIM,
      },
      ...(settings.pin && { cpu: SERVER_CPU }),
    });
    await waitForHttp(`${base}/.well-known/openid-configuration`, child);
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
      stop: () => child.stop(),
    };
  },
};
