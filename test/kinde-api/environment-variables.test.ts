/**
 * Kinde's environment variables on `/api/v1/environment_variables` (issue 14) are what workflows read with
 * `kinde.env.get` and `getEnvironmentVariable`: a secret one (`is_secret`, alias `sensitive`) is sealed at rest and
 * never answered in clear — not on create, read, list or update — yet reaches the workflow; a plain one is shown.
 * Changes reach the next token without a redeploy. `isSecret` is false for a plain variable, true for a secret.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { bind, claimsOf, deployAction, requestToken } from '../helpers/actions.js';
import { adminKindeApi, type KindeCall } from '../helpers/kinde-api.js';
import { anyStorage, provision, startMinter, type RunningMinter } from '../helpers/minter.js';

const SECRET = 'whsec-5c1e7c0d-never-in-clear';

const ENV_WORKFLOW = `import { getEnvironmentVariable, WorkflowSettings, WorkflowTrigger } from "@kinde/infrastructure";

export const workflowSettings: WorkflowSettings = {
  id: "envReader",
  trigger: WorkflowTrigger.M2MTokenGeneration,
  bindings: { "kinde.m2mToken": {}, "kinde.env": {} },
};

export default async function (event) {
  const secret = kinde.env.get("WEBHOOK_SECRET");
  const region = getEnvironmentVariable("REGION");
  kinde.m2mToken.setCustomClaim("env", {
    secret: secret ? [secret.value, secret.isSecret] : null,
    region: region ? [region.value, region.isSecret] : null,
  });
}
`;

describe(`Kinde environment variables (${anyStorage})`, () => {
  let m: RunningMinter;
  let v1: KindeCall;
  let app: Awaited<ReturnType<typeof provision>>;
  let secretId: string;
  let regionId: string;
  const envClaim = async () => {
    const { status, body } = await requestToken(m, app);
    assert.equal(status, 200, JSON.stringify(body));
    return claimsOf(body.access_token).env;
  };
  const storedValue = async (key: string) =>
    (
      await m.minter.database.db
        .selectFrom('environment_variables')
        .select('value')
        .where('key', '=', key)
        .executeTakeFirstOrThrow()
    ).value;

  before(async () => {
    m = await startMinter({ storage: anyStorage });
    v1 = await adminKindeApi(m);
    app = await provision(m);
  });
  after(() => m?.close());

  test('a secret is never answered in clear, and is sealed at rest; a plain one is shown', async () => {
    const created = await v1('POST', '/environment_variables', {
      key: 'WEBHOOK_SECRET',
      value: SECRET,
      is_secret: true,
    });
    assert.equal(created.status, 201);
    assert.deepEqual(Object.keys(created.body.environment_variable), ['id']);
    secretId = created.body.environment_variable.id;
    assert.match(secretId, /^env_var_[0-9a-f]{32}$/);
    const plain = await v1('POST', '/environment_variables', { key: 'REGION', value: 'eu-west' });
    regionId = plain.body.environment_variable.id;

    const one = await v1('GET', `/environment_variables/${secretId}`);
    assert.deepEqual(
      { ...one.body.environment_variable, created_on: 'x' },
      { id: secretId, key: 'WEBHOOK_SECRET', value: null, is_secret: true, created_on: 'x' },
    );
    const list = await v1('GET', '/environment_variables');
    assert.deepEqual(
      list.body.environment_variables.map((v: any) => [v.key, v.value, v.is_secret]),
      [
        ['REGION', 'eu-west', false],
        ['WEBHOOK_SECRET', null, true],
      ],
    );
    for (const response of [created, one, list]) assert.ok(!response.text.includes(SECRET), response.text);

    const sealed = await storedValue('WEBHOOK_SECRET');
    assert.match(sealed, /^v1\./);
    assert.ok(!sealed.includes(SECRET));
    assert.equal(await storedValue('REGION'), 'eu-west');
  });

  test('a workflow reads both with kinde.env.get and getEnvironmentVariable', async () => {
    const id = await deployAction(m, { name: 'env-reader', code: ENV_WORKFLOW, trigger: 'm2m:token_generation' });
    await bind(m, 'm2m:token_generation', [id]);
    assert.deepEqual(await envClaim(), { secret: [SECRET, true], region: ['eu-west', false] });
  });

  test('updates reach the next token; a secret cannot be made plain; a plain one made secret is sealed', async () => {
    const updated = await v1('PATCH', `/environment_variables/${secretId}`, { value: `${SECRET}-2` });
    assert.deepEqual(updated.body, { code: 'ENVIRONMENT_VARIABLE_UPDATED', message: 'Environment variable updated' });
    assert.ok(!updated.text.includes(SECRET));
    assert.deepEqual((await envClaim()).secret, [`${SECRET}-2`, true]);

    const reveal = await v1('PATCH', `/environment_variables/${secretId}`, { is_secret: false });
    assert.equal(reveal.status, 400);
    assert.equal(reveal.body.errors[0].code, 'SECRET_CANNOT_BE_REVEALED');

    assert.equal((await v1('PATCH', `/environment_variables/${regionId}`, { sensitive: true })).status, 200);
    assert.equal((await v1('GET', `/environment_variables/${regionId}`)).body.environment_variable.value, null);
    assert.match(await storedValue('REGION'), /^v1\./);
    assert.deepEqual((await envClaim()).region, ['eu-west', true]);
  });

  test("an action's own secret of the same name wins; a deleted variable is gone; keys are unique", async () => {
    const id = await deployAction(m, {
      name: 'env-reader-own',
      code: ENV_WORKFLOW.replace('"envReader"', '"envReaderOwn"'),
      trigger: 'm2m:token_generation',
      secrets: [{ name: 'REGION', value: 'from-the-action' }],
    });
    await bind(m, 'm2m:token_generation', [id]);
    assert.deepEqual((await envClaim()).region, ['from-the-action', true]);

    const duplicate = await v1('POST', '/environment_variables', { key: 'WEBHOOK_SECRET', value: 'x' });
    assert.equal(duplicate.status, 400);
    assert.equal(duplicate.body.errors[0].code, 'VARIABLE_ALREADY_EXISTS');

    const deleted = await v1('DELETE', `/environment_variables/${secretId}`);
    assert.deepEqual(deleted.body, { code: 'ENVIRONMENT_VARIABLE_DELETED', message: 'Environment variable deleted' });
    assert.equal((await envClaim()).secret, null);
    assert.equal((await v1('GET', `/environment_variables/${secretId}`)).status, 404);
    await bind(m, 'm2m:token_generation', []);
  });
});
