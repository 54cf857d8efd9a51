/** Scenario 1, `bare`: the jose-signing Fastify route of `bare-server.ts`. */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { freePort, waitForHttp } from '../net.js';
import { BENCH_DIST, startChild } from '../processes.js';
import { AUDIENCE, serverCpus, type Scenario } from './target.js';

export const bare: Scenario = {
  name: 'bare',
  describe: 'Fastify route that only signs an RFC 9068-shaped JWT with jose (ES256, key imported once): the ceiling',
  async start(settings) {
    const port = await freePort();
    const child = startChild({
      name: 'bare',
      args: [join(BENCH_DIST, 'targets', 'bare-server.js')],
      env: { PORT: String(port) },
      ...serverCpus(settings),
    });
    const base = `http://127.0.0.1:${port}`;
    await waitForHttp(`${base}/health`, child);
    return {
      pid: child.pid,
      tokenUrl: `${base}/oauth/token`,
      // Credentials as long as Minter's (32 and 64 characters), so that every target parses the same bytes.
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: randomBytes(24).toString('base64url'),
        client_secret: randomBytes(48).toString('base64url'),
        audience: AUDIENCE,
      }).toString(),
      jwksUrl: `${base}/jwks`,
      alg: 'ES256',
      audience: AUDIENCE,
      gone: () => child.gone(),
      stop: () => child.stop(),
    };
  },
};
