import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as esbuild from 'esbuild';
import { compileKindeWorkflow } from '../../src/triggers/kinde/compile.js';
import { KINDE_INFRASTRUCTURE_SOURCE } from '../../src/triggers/kinde/infrastructure/source.js';
import { runBundle, type RunOptions, type RunResult } from '../fixtures/kinde/run-bundle.js';

const ISSUER = 'https://issuer.example';

/** Compile a workflow whose default export runs `body` (an async function body with `event` in scope) and run it. */
async function run(imports: string, body: string, options?: RunOptions): Promise<RunResult> {
  const source = `import { ${imports} } from "@kinde/infrastructure";
export const workflowSettings = { id: "w", trigger: "m2m:token_generation", bindings: { "kinde.m2mToken": {}, "kinde.fetch": {}, "kinde.env": {}, url: {} } };
export default async function Workflow(event) {
${body}
}`;
  const { code } = await compileKindeWorkflow({ files: { 'w.js': source }, entry: 'w.js' });
  return runBundle(code, options);
}

describe('@kinde/infrastructure 0.11.1 as Minter implements it (notes §2.4)', () => {
  it('is ES2019: nothing in it needs lowering for Kinde’s goja level', async () => {
    const lowered = await esbuild.transform(KINDE_INFRASTRUCTURE_SOURCE, { target: 'es2019', format: 'esm' });
    const asIs = await esbuild.transform(KINDE_INFRASTRUCTURE_SOURCE, { target: 'esnext', format: 'esm' });
    assert.equal(lowered.code, asIs.code);
  });

  it('m2mTokenClaims(): each property set calls kinde.m2mToken.setCustomClaim; reads see earlier claims', async () => {
    const result = await run(
      'm2mTokenClaims',
      `
      kinde.m2mToken.setCustomClaim("before", 1);
      const claims = m2mTokenClaims();
      claims.tier = "gold";
      claims.roles = ["a", "b"];
      return { before: claims.before, tier: claims.tier };`,
    );
    assert.deepEqual(result.setCalls, [
      ['before', 1],
      ['tier', 'gold'],
      ['roles', ['a', 'b']],
    ]);
    assert.deepEqual(result.value, { before: 1, tier: 'gold' });
  });

  it('m2mTokenClaims() without the binding throws the package’s message', async () => {
    const result = await run('m2mTokenClaims', 'm2mTokenClaims();', { kinde: false });
    assert.equal(result.error, 'm2mToken binding not available, please add to workflow/page settings to enable');
  });

  it('createKindeAPI(event).get calls kinde.fetch on kindeDomain/api/v1 with no token and no env lookup', async () => {
    const result = await run(
      'createKindeAPI',
      `
      const api = await createKindeAPI(event);
      return await api.get({ endpoint: "applications/abc/properties" });`,
      {
        responses: { [`${ISSUER}/api/v1/applications/abc/properties`]: { code: 'OK', properties: [] } },
      },
    );
    assert.deepEqual(result.fetchCalls, [
      {
        url: `${ISSUER}/api/v1/applications/abc/properties`,
        options: { method: 'GET', responseFormat: 'json', headers: {} },
      },
    ]);
    assert.deepEqual(result.value, { data: { code: 'OK', properties: [] } });
    assert.deepEqual(result.envCalls, []);
  });

  it('createKindeAPI get: params become the query string (after an existing one with &)', async () => {
    const result = await run(
      'createKindeAPI',
      `
      const api = await createKindeAPI(event);
      await api.get({ endpoint: "organizations", params: { page_size: "5", q: "a b" } });
      await api.get({ endpoint: "organization?code=org_1", params: { x: "1" } });`,
    );
    assert.deepEqual(
      result.fetchCalls.map((c) => c.url),
      [`${ISSUER}/api/v1/organizations?page_size=5&q=a%20b`, `${ISSUER}/api/v1/organization?code=org_1&x=1`],
    );
  });

  it('createKindeAPI other verbs send params as the body (JSON by default)', async () => {
    const result = await run(
      'createKindeAPI',
      `
      const api = await createKindeAPI(event);
      await api.put({ endpoint: "applications/abc/properties/k", params: { value: "v" } });`,
    );
    assert.deepEqual(result.fetchCalls[0], {
      url: `${ISSUER}/api/v1/applications/abc/properties/k`,
      options: {
        method: 'PUT',
        responseFormat: 'json',
        headers: { 'content-type': 'application/json' },
        body: '{"value":"v"}',
      },
    });
  });

  it('createKindeAPI without the url binding throws "url binding not available", as the package does', async () => {
    const result = await run('createKindeAPI', 'await createKindeAPI(event);', { url: false });
    assert.equal(result.error, 'url binding not available');
  });

  it('fetch resolves { data: json } by default and { data: text } for responseFormat "text"', async () => {
    const result = await run(
      'fetch',
      `
      const a = await fetch("https://x.example/a", { method: "GET", headers: {} });
      const b = await fetch("https://x.example/a", { method: "GET", headers: {}, responseFormat: "text" });
      return [a, b];`,
      { responses: { 'https://x.example/a': { ok: true } } },
    );
    assert.deepEqual(result.value, [{ data: { ok: true } }, { data: '{"ok":true}' }]);
    assert.equal(result.fetchCalls[0]?.options.responseFormat, 'json');
  });

  it('secureFetch behaves as fetch (body encryption is not implemented)', async () => {
    const result = await run(
      'secureFetch',
      'return await secureFetch("https://x.example/a", { method: "POST", headers: {} });',
      {
        responses: { 'https://x.example/a': { n: 1 } },
      },
    );
    assert.deepEqual(result.value, { data: { n: 1 } });
  });

  it('getEnvironmentVariable reads kinde.env.get', async () => {
    const result = await run('getEnvironmentVariable', 'return getEnvironmentVariable("TIER");', {
      env: { TIER: { value: 'gold', isSecret: false } },
    });
    assert.deepEqual(result.value, { value: 'gold', isSecret: false });
    assert.deepEqual(result.envCalls, ['TIER']);
  });

  it('getM2MToken posts a form-encoded client_credentials request to domain/oauth2/token', async () => {
    const result = await run(
      'getM2MToken',
      `
      return await getM2MToken("t", { domain: "${ISSUER}", clientId: "id", clientSecret: "s", audience: ["${ISSUER}/api"] });`,
      {
        responses: { [`${ISSUER}/oauth2/token`]: { access_token: 'tok' } },
      },
    );
    assert.equal(result.value, 'tok');
    const call = result.fetchCalls[0];
    assert.equal(call?.url, `${ISSUER}/oauth2/token`);
    assert.equal(call?.options.method, 'POST');
    assert.equal(
      (call?.options.headers as Record<string, string>)['content-type'],
      'application/x-www-form-urlencoded',
    );
    assert.equal(
      call?.options.body,
      `audience=${encodeURIComponent(`${ISSUER}/api`)}&grant_type=client_credentials&client_id=id&client_secret=s&scope=`,
    );
  });

  it('getM2MToken reports a missing token like the package', async () => {
    const result = await run(
      'getM2MToken',
      `await getM2MToken("t", { domain: "${ISSUER}", clientId: "id", clientSecret: "s", audience: [] });`,
    );
    assert.equal(result.error, 'getM2MToken: Failed to obtain token - getM2MToken: No access token returned');
  });

  it('idTokenCustomClaims / accessTokenCustomClaims are not available in m2m:token_generation', async () => {
    const result = await run('accessTokenCustomClaims', 'accessTokenCustomClaims();');
    assert.equal(result.error, 'accessToken binding not available in m2m:token_generation workflows');
  });

  it('WorkflowTrigger has every value of the enum and version is a string', async () => {
    const result = await run('WorkflowTrigger, version', 'return { t: WorkflowTrigger, v: version };');
    const value = result.value as { t: Record<string, string>; v: string };
    assert.equal(value.v, '0.11.1');
    assert.deepEqual(value.t, {
      UserTokenGeneration: 'user:tokens_generation',
      UserPreMFA: 'user:pre_mfa',
      PostAuthentication: 'user:post_authentication',
      M2MTokenGeneration: 'm2m:token_generation',
      ExistingPasswordProvided: 'user:existing_password_provided',
      NewPasswordProvided: 'user:new_password_provided',
      PlanSelection: 'user:plan_selection',
      PlanCancellationRequest: 'user:plan_cancellation_request',
      UserPreRegistration: 'user:pre_registration',
      NewUsernameProvided: 'user:new_username_provided',
    });
  });
});
