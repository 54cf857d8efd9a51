/**
 * Issue 13, Node built-ins as npm packages use them: `jose` (its Web Crypto build: `crypto.subtle`, `CryptoKey`,
 * `TextEncoder`, `getRandomValues`) and `uuid` (its Node build: `require('crypto')`), bundled into an action with
 * esbuild as a deploy would, the built-ins left to the isolate's `require`. JWTs signed in the isolate verify on the
 * host with jose, and the other way round; uuid's v4, v5 (SHA-1) and v7 come out well-formed and as Node's v5.
 */
import assert from 'node:assert/strict';
import { builtinModules } from 'node:module';
import { describe, test } from 'node:test';
import * as esbuild from 'esbuild';
import * as jose from 'jose';
import { v5 as nodeUuidV5 } from 'uuid';
import { auth0Action, request, ROOMY_SLICE, withEngine } from './engine-helpers.js';

/** `entry` bundled as a CommonJS body that sets `lib`, the Node built-ins left to the module's `require`. */
async function bundled(entry: string, platform: 'node' | 'browser'): Promise<string> {
  const result = await esbuild.build({
    stdin: { contents: entry, resolveDir: process.cwd(), loader: 'js' },
    bundle: true,
    write: false,
    format: 'iife',
    globalName: 'lib',
    platform,
    external: [...builtinModules, ...builtinModules.map((m) => `node:${m}`)],
    logLevel: 'silent',
  });
  return `var lib = (function () {\n${result.outputFiles[0]!.text}\nreturn lib; })();\n`;
}

async function run(code: string): Promise<Record<string, any>> {
  let claims: Record<string, any> = {};
  await withEngine(ROOMY_SLICE, async (engine) => {
    engine.setBindings([auth0Action(code)]);
    const result = await engine.run(request());
    assert.equal(result.results[0]?.status, 'ok', JSON.stringify(result.results[0]?.error));
    claims = result.claims;
  });
  return claims;
}

describe('npm packages on the Node built-ins', () => {
  test('jose (Web Crypto): HS256, RS256, ES256 and EdDSA JWTs signed in the isolate verify on the host, and back', async () => {
    const rsa = await jose.generateKeyPair('RS256', { extractable: true });
    const hostJwt = await new jose.SignJWT({ from: 'host' })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer('https://host.example')
      .setExpirationTime('5m')
      .sign(rsa.privateKey);
    const publicJwk = { ...(await jose.exportJWK(rsa.publicKey)), kid: 'k1', alg: 'RS256' };
    const library = await bundled(`export * from 'jose';`, 'browser');
    const code = `${library}
exports.onExecuteCredentialsExchange = async (event, api) => {
  const secret = new TextEncoder().encode('a-string-secret-at-least-256-bits-long');
  const out = { hs: await new lib.SignJWT({ a: 1 }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().sign(secret) };
  for (const alg of ['RS256', 'ES256', 'EdDSA']) {
    const { privateKey, publicKey } = await lib.generateKeyPair(alg, { extractable: true }).catch(async (e) => {
      if (alg !== 'RS256') throw e;
      // RSA keys are not generated in actions: import one instead.
      return { privateKey: await lib.importPKCS8(${JSON.stringify(await jose.exportPKCS8(rsa.privateKey))}, 'RS256'),
               publicKey: await lib.importJWK(${JSON.stringify(publicJwk)}, 'RS256') };
    });
    out[alg] = { jwt: await new lib.SignJWT({ alg }).setProtectedHeader({ alg }).sign(privateKey), jwk: await lib.exportJWK(publicKey) };
  }
  const jwks = lib.createLocalJWKSet({ keys: [${JSON.stringify(publicJwk)}] });
  out.verified = (await lib.jwtVerify(${JSON.stringify(hostJwt)}, jwks, { issuer: 'https://host.example' })).payload.from;
  let refused; try { await lib.jwtVerify(${JSON.stringify(hostJwt)}.slice(0, -4) + 'AAAA', jwks); } catch (e) { refused = e.code; }
  out.refused = refused;
  api.accessToken.setCustomClaim('https://t/jose', out);
};`;
    const out = (await run(code))['https://t/jose'];
    const secret = new TextEncoder().encode('a-string-secret-at-least-256-bits-long');
    assert.deepEqual((await jose.jwtVerify(out.hs, secret)).payload.a, 1);
    for (const alg of ['RS256', 'ES256', 'EdDSA']) {
      const key = await jose.importJWK(out[alg].jwk, alg);
      assert.equal((await jose.jwtVerify(out[alg].jwt, key)).payload.alg, alg, alg);
    }
    assert.deepEqual([out.verified, out.refused], ['host', 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED']);
  });

  test("uuid (its Node build, require('crypto')): v4, v5 as Node's, v7", async () => {
    const library = await bundled(`export { v4, v5, v7, validate, version } from 'uuid';`, 'node');
    const code = `${library}
exports.onExecuteCredentialsExchange = async (event, api) => {
  const ids = [lib.v4(), lib.v5('minter.example', lib.v5.DNS), lib.v7()];
  api.accessToken.setCustomClaim('https://t/uuid', ids.map((id) => [id, lib.validate(id) && lib.version(id)]));
};`;
    const ids = (await run(code))['https://t/uuid'];
    assert.equal(ids[0][1], 4);
    assert.deepEqual(ids[1], [nodeUuidV5('minter.example', nodeUuidV5.DNS), 5]);
    assert.equal(ids[2][1], 7);
  });
});
