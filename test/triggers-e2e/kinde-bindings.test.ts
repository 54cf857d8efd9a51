/**
 * The bindings Kinde workflows declare, through the real token endpoint (issue 14): `kinde.risk` scores a request and
 * the score shows in the execution record, `kinde.auth.denyAccess` refuses the token with `access_denied` and the
 * reason (a Minter extension in m2m:token_generation), `kinde.cache.jwtToken` keeps a token between runs, and a
 * binding with no meaning for a machine's token is refused at deploy, naming it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { bind, deployAction, requestToken } from '../helpers/actions.js';
import { lastExecution } from '../helpers/executions.js';
import { anyStorage, provision, startMinter, type RunningMinter } from '../helpers/minter.js';

/** A public-style risk workflow: scores the request, denies above a threshold, otherwise sets a claim. */
const RISK_WORKFLOW = `import { onM2MTokenGeneratedEvent, WorkflowSettings, WorkflowTrigger } from "@kinde/infrastructure";

export const workflowSettings: WorkflowSettings = {
  id: "riskScore",
  name: "Risk score",
  trigger: WorkflowTrigger.M2MTokenGeneration,
  failurePolicy: { action: "stop" },
  bindings: { "kinde.m2mToken": {}, "kinde.risk": {}, "kinde.auth": {}, "kinde.env": {} },
};

export default async function Workflow(event: onM2MTokenGeneratedEvent) {
  const risky = kinde.env.get("RISKY_CLIENT")?.value === event.context.application.clientId;
  kinde.risk.setScore(risky ? 90 : 10);
  if (kinde.risk.getScore() > 50) {
    kinde.auth.denyAccess("Risk score " + kinde.risk.getScore() + " is above 50");
    return;
  }
  kinde.m2mToken.setCustomClaim("risk_score", kinde.risk.getScore());
}
`;

/** Fetches a token once per isolate through kinde.cache.jwtToken; counts the fetches in a claim. */
const CACHE_WORKFLOW = `let minted = 0;
export const workflowSettings = {
  id: "cachedToken", trigger: "m2m:token_generation",
  bindings: { "kinde.m2mToken": {}, "kinde.cache": {} },
};
// A JWT-shaped token that expires in 2100.
const UPSTREAM = "eyJhbGciOiJub25lIn0.eyJleHAiOjQxMDI0NDQ4MDB9.sig";
export default async function () {
  const token = await kinde.cache.jwtToken("upstream", {
    onMissingOrExpired: async () => {
      minted++;
      return UPSTREAM;
    },
  });
  kinde.m2mToken.setCustomClaim("minted", minted);
  kinde.m2mToken.setCustomClaim("token_parts", token.split(".").length);
}
`;

describe(`Kinde bindings through /oauth/token (${anyStorage})`, () => {
  let m: RunningMinter;
  let calm: Awaited<ReturnType<typeof provision>>;
  let risky: Awaited<ReturnType<typeof provision>>;

  before(async () => {
    m = await startMinter({ storage: anyStorage });
    calm = await provision(m, { signing_alg: 'ES256' });
    risky = await provision(m);
  });
  after(() => m?.close());

  test('kinde.risk scores, kinde.auth.denyAccess refuses above the threshold, the claim reaches the token', async () => {
    const id = await deployAction(m, {
      name: 'riskScore',
      code: RISK_WORKFLOW,
      trigger: 'm2m:token_generation',
      secrets: [{ name: 'RISKY_CLIENT', value: risky.clientId }],
    });
    await bind(m, 'm2m:token_generation', [id]);

    const allowed = await requestToken(m, calm);
    assert.equal(allowed.status, 200, JSON.stringify(allowed.body));
    const jwks = createRemoteJWKSet(new URL(`${m.baseUrl}/.well-known/jwks.json`));
    const { payload } = await jwtVerify(allowed.body.access_token, jwks, {
      issuer: m.issuer,
      audience: calm.identifier,
    });
    assert.equal(payload.risk_score, 10);
    const calmRun = await lastExecution(m, calm.clientId, 'seccft');
    assert.equal(calmRun.results[0].risk_score, 10);
    assert.deepEqual(calmRun.results[0].claims_set, ['risk_score']);

    const denied = await requestToken(m, risky);
    assert.deepEqual(
      { status: denied.status, body: denied.body },
      { status: 403, body: { error: 'access_denied', error_description: 'Risk score 90 is above 50' } },
    );
    const riskyRun = await lastExecution(m, risky.clientId, 'feccft');
    assert.equal(riskyRun.results[0].status, 'denied');
    assert.equal(riskyRun.results[0].risk_score, 90);
    assert.deepEqual(riskyRun.results[0].denial, { code: 'access_denied', reason: 'Risk score 90 is above 50' });
  });

  test('kinde.cache.jwtToken keeps a token between runs until it expires', async () => {
    const id = await deployAction(m, { name: 'cachedToken', code: CACHE_WORKFLOW, trigger: 'm2m:token_generation' });
    await bind(m, 'm2m:token_generation', [id]);
    const claims = [];
    for (let i = 0; i < 3; i++) {
      const answer = await requestToken(m, calm);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      claims.push(JSON.parse(Buffer.from(answer.body.access_token.split('.')[1], 'base64url').toString()));
    }
    // One isolate serves these sequential requests: the first run mints, the next two read the cache.
    assert.deepEqual(
      claims.map((c) => [c.minted, c.token_parts]),
      [
        [1, 3],
        [1, 3],
        [1, 3],
      ],
    );
  });

  for (const [binding, hint] of [
    ['kinde.idToken', "sets claims of a user's ID token; in m2m:token_generation use kinde.m2mToken"],
    ['kinde.widget', 'renders sign-in pages, which an M2M token request has none of'],
    ['kinde.plan', "reads a user's billing plan"],
  ] as const) {
    test(`a workflow declaring ${binding} is refused at deploy, naming it`, async () => {
      const created = await m.api('POST', '/actions/actions', {
        name: `declares-${binding}`,
        supported_triggers: [{ id: 'm2m:token_generation', version: 'v1' }],
        code: `export const workflowSettings = {\n  id: "w", trigger: "m2m:token_generation",\n  bindings: { "kinde.m2mToken": {}, "${binding}": {} },\n};\nexport default async () => {};`,
        deploy: true,
      });
      assert.equal(created.status, 400, JSON.stringify(created.body));
      assert.equal(
        created.body.message,
        `Build failed at workflow.ts:3:1: binding "${binding}" is not available in m2m:token_generation workflows: it ${hint}`,
      );
    });
  }
});
