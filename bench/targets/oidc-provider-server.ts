/**
 * The peer: panva's `oidc-provider` with only the client credentials grant, issuing JWT access tokens (ES256) for
 * one resource indicator, with the same extra claim the one-action scenario adds. Storage is its default in-memory
 * adapter. Run as its own process; env `PORT`, `CLIENT_ID`, `CLIENT_SECRET`, `AUDIENCE`, `SCOPE`, `CLAIM`, and
 * `WORKERS` (default 1).
 *
 * With `WORKERS` above 1 it runs under node:cluster, as Minter's `MINTER_WORKERS` does: the primary makes the
 * signing key and the cookie key, forks that many workers with them in their environment, and each worker runs the
 * same provider on the same port (the primary hands out connections round robin). Each worker has its own
 * in-memory adapter: client credentials need no shared state, since the access tokens are JWTs nobody looks up.
 */
import cluster from 'node:cluster';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import Provider, { errors } from 'oidc-provider';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};
const port = Number(env('PORT'));
const workers = Number(process.env.WORKERS ?? '1');
if (!Number.isInteger(workers) || workers < 1) throw new Error(`WORKERS must be a whole number ≥ 1, got ${workers}`);
const LIFETIME = 86_400; // s, as Minter's default

/** What every worker must share: the signing key (tokens of any worker verify with one JWKS) and the cookie key. */
interface Keys {
  signingJwk: Record<string, unknown>;
  cookieKey: string;
}

function newKeys(): Keys {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    signingJwk: { ...privateKey.export({ format: 'jwk' }), kid: 'op-es256', alg: 'ES256', use: 'sig' },
    cookieKey: randomBytes(32).toString('base64url'),
  };
}

/** The provider on `port`, answering until SIGTERM; `onListening` once it listens. */
function serve(keys: Keys, onListening?: () => void): void {
  const audience = env('AUDIENCE');
  const scope = env('SCOPE');
  const claim = env('CLAIM');
  const provider = new Provider(`http://127.0.0.1:${port}`, {
    clients: [
      {
        client_id: env('CLIENT_ID'),
        client_secret: env('CLIENT_SECRET'),
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: 'client_secret_post',
        // Its only key is ES256; the ID token default (RS256) would make the client invalid.
        id_token_signed_response_alg: 'ES256',
        scope,
      },
    ],
    jwks: { keys: [keys.signingJwk] },
    scopes: scope.split(' '),
    cookies: { keys: [keys.cookieKey] },
    ttl: { ClientCredentials: LIFETIME },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => audience,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, resourceIndicator: string) => {
          if (resourceIndicator !== audience) throw new errors.InvalidTarget();
          return {
            scope,
            audience,
            accessTokenTTL: LIFETIME,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'ES256' } },
          };
        },
      },
    },
    extraTokenClaims: () => ({ [claim]: 'gold' }),
  });
  provider.on('server_error', (_ctx, error) => process.stderr.write(`oidc-provider server_error: ${error.stack}\n`));

  const server = createServer(provider.callback());
  server.listen(port, '127.0.0.1', onListening);
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

/** The cluster's primary: forks the workers, says `ready` on stdout once all listen, stops them on SIGTERM. */
function primary(): void {
  const keys = JSON.stringify(newKeys());
  let listening = 0;
  let alive = workers;
  let stopping = false;
  for (let i = 0; i < workers; i++) {
    const worker = cluster.fork({ OIDC_PROVIDER_KEYS: keys });
    worker.once('listening', () => {
      if (++listening === workers) process.stdout.write(`ready: ${workers} workers\n`);
    });
  }
  cluster.on('exit', (worker, code, signal) => {
    // A worker that dies under load would silently halve the row: end the whole server instead.
    if (!stopping) {
      process.stderr.write(`oidc-provider worker ${worker.process.pid} exited (${signal ?? code}); stopping\n`);
      process.exit(1);
    }
    if (--alive === 0) process.exit(0);
  });
  process.on('SIGTERM', () => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill('SIGTERM');
  });
}

if (workers === 1) serve(newKeys(), () => process.stdout.write('ready: 1 worker\n'));
else if (cluster.isPrimary) primary();
else serve(JSON.parse(env('OIDC_PROVIDER_KEYS')) as Keys);
