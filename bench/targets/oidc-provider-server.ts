/**
 * The peer: panva's `oidc-provider` with only the client credentials grant, issuing JWT access tokens (ES256) for
 * one resource indicator, with the same extra claim the one-action scenario adds. Storage is its default in-memory
 * adapter. Run as its own process; env `PORT`, `CLIENT_ID`, `CLIENT_SECRET`, `AUDIENCE`, `SCOPE`, `CLAIM`.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import Provider, { errors } from 'oidc-provider';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};
const port = Number(env('PORT'));
const audience = env('AUDIENCE');
const scope = env('SCOPE');
const claim = env('CLAIM');
const LIFETIME = 86_400; // s, as Minter's default

const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const signingJwk = { ...privateKey.export({ format: 'jwk' }), kid: 'op-es256', alg: 'ES256', use: 'sig' };

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
  jwks: { keys: [signingJwk] },
  scopes: scope.split(' '),
  cookies: { keys: [randomBytes(32).toString('base64url')] },
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
        return { scope, audience, accessTokenTTL: LIFETIME, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'ES256' } } };
      },
    },
  },
  extraTokenClaims: () => ({ [claim]: 'gold' }),
});
provider.on('server_error', (_ctx, error) => process.stderr.write(`oidc-provider server_error: ${error.stack}\n`));

const server = createServer(provider.callback());
server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
