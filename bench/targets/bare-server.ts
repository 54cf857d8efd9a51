/**
 * The ceiling: a bare Fastify route that signs an RFC 9068-shaped access token with jose (ES256), and nothing
 * else — no client authentication, no grant lookup, no log record. It parses the same form body and answers with
 * the same JSON and headers as Minter, so the HTTP work is alike. Run as its own process; env `PORT`.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import formbody from '@fastify/formbody';
import Fastify from 'fastify';
import { importJWK, SignJWT, type JWK } from 'jose';

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const kid = 'bare-es256';
const LIFETIME = 86_400; // s, Minter's default token_lifetime
const HEADERS = { 'cache-control': 'no-store', pragma: 'no-cache', 'content-type': 'application/json; charset=utf-8' };

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
// Imported once, as a real server would at start.
const signingKey = await importJWK(privateKey.export({ format: 'jwk' }) as JWK, 'ES256');
const jwks = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' }] };

const app = Fastify({ logger: false });
await app.register(formbody);
app.get('/health', async () => ({ status: 'ok' }));
app.get('/jwks', async () => jwks);
app.post<{ Body: Record<string, string> }>('/oauth/token', async (request, reply) => {
  const clientId = request.body.client_id ?? 'anonymous';
  const now = Math.floor(Date.now() / 1000);
  const scope = 'read:things write:things';
  const token = await new SignJWT({
    iss: issuer,
    sub: clientId,
    aud: request.body.audience,
    iat: now,
    exp: now + LIFETIME,
    jti: randomUUID(),
    client_id: clientId,
    scope,
  })
    .setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt' })
    .sign(signingKey);
  return reply
    .headers(HEADERS)
    .send(JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: LIFETIME, scope }));
});

await app.listen({ port, host: '127.0.0.1' });
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
