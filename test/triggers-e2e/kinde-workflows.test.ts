/**
 * Kinde m2m:token_generation workflows through the real token endpoint: the seed page's
 * `kinde.m2mToken.setCustomClaim`, `@kinde/infrastructure` helpers (`m2mTokenClaims`, `createKindeAPI` answered in
 * process from application properties, `getEnvironmentVariable`), `failurePolicy`, both default-export forms, and
 * the `minter deploy-workflows` command on a folder laid out as Kinde's.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { bind, claimsOf, deployAction, requestToken } from '../helpers/actions.js';
import { provision, startMinter, type RunningMinter } from '../helpers/minter.js';

const SEED_WORKFLOW = `import { onM2MTokenGeneratedEvent, WorkflowSettings, WorkflowTrigger } from "@kinde/infrastructure";

export const workflowSettings: WorkflowSettings = {
  id: "m2mTokenGeneration",
  name: "M2M custom claims",
  failurePolicy: { action: "stop" },
  trigger: WorkflowTrigger.M2MTokenGeneration,
  bindings: { "kinde.m2mToken": {} },
};

export default async function Workflow(event: onM2MTokenGeneratedEvent) {
  kinde.m2mToken.setCustomClaim("hello", "world");
  kinde.m2mToken.setCustomClaim("applicationId", event.context.application.clientId);
  kinde.m2mToken.setCustomClaim("audience", event.request.auth.audience);
}
`;

const PROPERTIES_WORKFLOW = `import { createKindeAPI, m2mTokenClaims, getEnvironmentVariable, onM2MTokenGeneratedEvent, WorkflowSettings, WorkflowTrigger } from "@kinde/infrastructure";

export const workflowSettings: WorkflowSettings = {
  id: "appProperties",
  trigger: WorkflowTrigger.M2MTokenGeneration,
  failurePolicy: { action: "stop" },
  bindings: { "kinde.m2mToken": {}, "kinde.fetch": {}, "kinde.env": {}, url: {} },
};

export default {
  async handle(event: onM2MTokenGeneratedEvent) {
    const kindeAPI = await createKindeAPI(event);
    const clientId = event.context.application.clientId;
    const { data } = await kindeAPI.get({ endpoint: \`applications/\${clientId}/properties\` });
    const orgCode = (data?.properties ?? []).find((p) => p.key === "org_code");
    const claims = m2mTokenClaims<{ orgCode: string; region: string }>();
    claims.orgCode = orgCode?.value;
    claims.region = getEnvironmentVariable("REGION")?.value;
  },
};
`;

const failing = (policy: 'stop' | 'continue') => `export const workflowSettings = {
  id: "failing-${policy}", trigger: "m2m:token_generation", failurePolicy: { action: "${policy}" },
  bindings: { "kinde.m2mToken": {} },
};
export default async function (event) {
  kinde.m2mToken.setCustomClaim("from_failing_${policy}", true);
  throw new Error("upstream unavailable");
}
`;

describe('Kinde m2m:token_generation workflows through /oauth/token', () => {
  let m: RunningMinter;
  let app: Awaited<ReturnType<typeof provision>>;
  before(async () => {
    m = await startMinter();
    app = await provision(m, { signing_alg: 'ES256' });
  });
  after(() => m?.close());

  test('seed workflow: kinde.m2mToken.setCustomClaim puts claims in a token jose verifies', async () => {
    const id = await deployAction(m, {
      name: 'm2mTokenGeneration',
      code: SEED_WORKFLOW,
      trigger: 'm2m:token_generation',
    });
    await bind(m, 'm2m:token_generation', [id]);
    const { status, body } = await requestToken(m, app);
    assert.equal(status, 200, JSON.stringify(body));
    const jwks = createRemoteJWKSet(new URL(`${m.baseUrl}/.well-known/jwks.json`));
    const { payload } = await jwtVerify(body.access_token, jwks, { issuer: m.issuer, audience: app.identifier });
    assert.equal(payload.hello, 'world');
    assert.equal(payload.applicationId, app.clientId);
    assert.deepEqual(payload.audience, [app.identifier]);
  });

  test('createKindeAPI reads application properties in process; m2mTokenClaims and getEnvironmentVariable work', async () => {
    const put = await m.api('PUT', `/clients/${app.clientId}/properties/org_code`, { value: 'org_123' });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    const id = await deployAction(m, {
      name: 'appProperties',
      code: PROPERTIES_WORKFLOW,
      trigger: 'm2m:token_generation',
      secrets: [{ name: 'REGION', value: 'eu-west' }],
    });
    const seed = (await m.api('GET', '/actions/actions?actionName=m2mTokenGeneration')).body.actions[0].id;
    await bind(m, 'm2m:token_generation', [seed, id]);
    const { status, body } = await requestToken(m, app);
    assert.equal(status, 200, JSON.stringify(body));
    const claims = claimsOf(body.access_token);
    assert.equal(claims.orgCode, 'org_123');
    assert.equal(claims.region, 'eu-west');
    assert.equal(claims.hello, 'world');
  });

  test("failurePolicy continue issues the token without that workflow's claims; stop answers server_error", async () => {
    const cont = await deployAction(m, {
      name: 'failing-continue',
      code: failing('continue'),
      trigger: 'm2m:token_generation',
    });
    await bind(m, 'm2m:token_generation', [cont]);
    const ok = await requestToken(m, app);
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(claimsOf(ok.body.access_token).from_failing_continue, undefined);

    const stop = await deployAction(m, {
      name: 'failing-stop',
      code: failing('stop'),
      trigger: 'm2m:token_generation',
    });
    await bind(m, 'm2m:token_generation', [cont, stop]);
    const refused = await requestToken(m, app);
    assert.equal(refused.status, 500);
    assert.equal(refused.body.error, 'server_error');
    await bind(m, 'm2m:token_generation', []);
  });

  test('a compile error is a 400 on deploy naming the file and line', async () => {
    const created = await m.api('POST', '/actions/actions', {
      name: 'broken-workflow',
      supported_triggers: [{ id: 'm2m:token_generation', version: 'v1' }],
      code: 'export const workflowSettings = { id: "x", trigger: "m2m:token_generation" };\nexport default async function (event) {\n  const = 1;\n}\n',
      entry_path: 'kindeSrc/environment/workflows/brokenWorkflow.ts',
    });
    assert.equal(created.status, 201);
    const deployed = await m.api('POST', `/actions/actions/${created.body.id}/deploy`);
    assert.equal(deployed.status, 400);
    assert.equal(deployed.body.errorCode, 'build_failed');
    assert.match(deployed.body.message, /kindeSrc\/environment\/workflows\/brokenWorkflow\.ts:3:/);
  });

  test('minter deploy-workflows deploys every workflow of a Kinde project folder and binds them', async () => {
    const root = await mkdtemp(join(tmpdir(), 'kinde-project-'));
    try {
      const files: Record<string, string> = {
        'kinde.json': JSON.stringify({ rootDir: 'kindeSrc', version: '2024-12-09' }),
        'kindeSrc/environment/workflows/m2m/tierWorkflow.ts': `import { WorkflowSettings, WorkflowTrigger } from "@kinde/infrastructure";
import { tierOf } from "../../lib/tiers";
export const workflowSettings: WorkflowSettings = { id: "cliTier", trigger: WorkflowTrigger.M2MTokenGeneration, bindings: { "kinde.m2mToken": {} } };
export default async function (event) { kinde.m2mToken.setCustomClaim("tier", tierOf(event.context.application.clientId)); }
`,
        'kindeSrc/environment/lib/tiers.ts':
          'export const tierOf = (clientId: string) => (clientId.length > 0 ? "gold" : "none");\n',
        'kindeSrc/environment/workflows/helloWorkflow.js': `export const workflowSettings = { id: "cliHello", trigger: "m2m:token_generation", bindings: { "kinde.m2mToken": {} } };
export default { async handle() { kinde.m2mToken.setCustomClaim("cli", "hello"); } };
`,
      };
      for (const [path, source] of Object.entries(files)) {
        await mkdir(dirname(join(root, path)), { recursive: true });
        await writeFile(join(root, path), source);
      }
      const cli = join(process.cwd(), 'dist/src/cli/minter.js');
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [
          '--no-node-snapshot',
          cli,
          'deploy-workflows',
          root,
          '--url',
          m.baseUrl,
          '--client-id',
          m.admin.clientId,
          '--client-secret',
          m.admin.clientSecret,
        ],
        { timeout: 60_000 },
      );
      assert.match(stdout, /created and deployed "cliTier"/);
      assert.match(stdout, /created and deployed "cliHello"/);
      const { status, body } = await requestToken(m, app);
      assert.equal(status, 200, JSON.stringify(body));
      const claims = claimsOf(body.access_token);
      assert.equal(claims.tier, 'gold');
      assert.equal(claims.cli, 'hello');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
