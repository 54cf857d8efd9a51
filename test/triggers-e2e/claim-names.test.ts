/**
 * A custom claim is in the token with its value, or refused with a reason in the execution record — never reported
 * set yet missing (issue 11, finding 6). The names tried are every own property of Object.prototype (`constructor`,
 * `toString`, `valueOf`, `hasOwnProperty`, `__defineGetter__`, …) and the names JavaScript gives meaning to
 * (`toJSON`, `then`, `prototype`): on a plain object each is already "in" it, through the prototype. `__proto__`
 * is refused: a resource server that copies claims into an object by assignment would change that object's
 * prototype, and Auth0 gives no contract for it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { bind, deployAction, requestToken } from '../helpers/actions.js';
import { lastExecution } from '../helpers/executions.js';
import { provision, startMinter, type RunningMinter } from '../helpers/minter.js';

/** Every name a plain object answers `in` for without owning it, and the ones JavaScript calls by name. */
const NAMES = [...new Set([...Object.getOwnPropertyNames(Object.prototype), 'toJSON', 'then', 'prototype'])]
  .filter((name) => name !== '__proto__')
  .sort();
const PROTO_REASON = /__proto__/;

const valueOf = (name: string) => ({ claim: name, n: name.length });

describe('claims named like Object.prototype members reach the token', () => {
  let m: RunningMinter;
  let app: Awaited<ReturnType<typeof provision>>;
  let jwks: ReturnType<typeof createRemoteJWKSet>;
  before(async () => {
    m = await startMinter();
    app = await provision(m);
    jwks = createRemoteJWKSet(new URL(`${m.baseUrl}/.well-known/jwks.json`));
  });
  after(() => m?.close());

  async function verified(token: string) {
    return (await jwtVerify(token, jwks, { issuer: m.issuer, audience: app.identifier })).payload as Record<
      string,
      unknown
    >;
  }

  /** Asserts each name is an own claim of the verified token with its value, and `__proto__` is not in it. */
  function assertIssued(payload: Record<string, unknown>): void {
    for (const name of NAMES) {
      assert.ok(Object.hasOwn(payload, name), `claim ${name} is in the token`);
      assert.deepEqual(payload[name], valueOf(name), `claim ${name} has its value`);
    }
    assert.ok(!Object.hasOwn(payload, '__proto__'), '__proto__ is not issued');
  }

  test('Auth0 api.accessToken.setCustomClaim: issued, listed in claims_set, seen by the next action; __proto__ refused with its reason', async () => {
    const setter = await deployAction(m, {
      name: 'proto-names-set',
      code: `const NAMES = ${JSON.stringify(NAMES)};
exports.onExecuteCredentialsExchange = async (event, api) => {
  for (const name of NAMES) api.accessToken.setCustomClaim(name, { claim: name, n: name.length });
  api.accessToken.setCustomClaim('__proto__', { polluted: true });
};`,
    });
    const reader = await deployAction(m, {
      name: 'proto-names-read',
      code: `exports.onExecuteCredentialsExchange = async (event, api) => {
  const seen = event.accessToken.customClaims;
  api.accessToken.setCustomClaim('https://example.com/seen', Object.keys(seen).sort());
  api.accessToken.setCustomClaim('https://example.com/polluted', ({}).polluted === true || seen.polluted === true);
};`,
    });
    await bind(m, 'credentials-exchange', [setter, reader]);
    try {
      const { status, body } = await requestToken(m, app);
      assert.equal(status, 200, JSON.stringify(body));
      const payload = await verified(body.access_token);
      assertIssued(payload);
      assert.deepEqual(
        payload['https://example.com/seen'],
        NAMES,
        'the next action sees each claim as its own property',
      );
      assert.equal(payload['https://example.com/polluted'], false);

      const execution = await lastExecution(m, app.clientId);
      const [first, second] = execution.results;
      assert.equal(first.status, 'ok');
      assert.deepEqual([...first.claims_set].sort(), NAMES);
      assert.equal(first.refused_claims.length, 1);
      assert.equal(first.refused_claims[0].name, '__proto__');
      assert.match(first.refused_claims[0].reason, PROTO_REASON);
      assert.equal(second.status, 'ok');
    } finally {
      await bind(m, 'credentials-exchange', []);
    }
  });

  test('Kinde kinde.m2mToken.setCustomClaim: issued, listed in claims_set, returned by getCustomClaims; __proto__ refused', async () => {
    const id = await deployAction(m, {
      name: 'proto-names-kinde',
      trigger: 'm2m:token_generation',
      code: `export const workflowSettings = { id: "protoNames", trigger: "m2m:token_generation", bindings: { "kinde.m2mToken": {} } };
const NAMES = ${JSON.stringify(NAMES)};
export default async function (event) {
  for (const name of NAMES) kinde.m2mToken.setCustomClaim(name, { claim: name, n: name.length });
  kinde.m2mToken.setCustomClaim('__proto__', { polluted: true });
  const seen = kinde.m2mToken.getCustomClaims();
  const own = NAMES.filter((name) => Object.prototype.hasOwnProperty.call(seen, name) && seen[name].claim === name);
  kinde.m2mToken.setCustomClaim('seen', own);
}
`,
    });
    await bind(m, 'm2m:token_generation', [id]);
    try {
      const { status, body } = await requestToken(m, app);
      assert.equal(status, 200, JSON.stringify(body));
      const payload = await verified(body.access_token);
      assertIssued(payload);
      assert.deepEqual(payload.seen, NAMES, 'getCustomClaims returns each claim as its own property');

      const execution = await lastExecution(m, app.clientId);
      const [result] = execution.results;
      assert.equal(result.status, 'ok');
      assert.deepEqual([...result.claims_set].sort(), [...NAMES, 'seen'].sort());
      assert.deepEqual(
        result.refused_claims.map((r: { name: string }) => r.name),
        ['__proto__'],
      );
      assert.match(result.refused_claims[0].reason, PROTO_REASON);
    } finally {
      await bind(m, 'm2m:token_generation', []);
    }
  });

  test('a claim set by one action under a prototype name and overwritten by the next keeps the last value', async () => {
    const first = await deployAction(m, {
      name: 'proto-overwrite-1',
      code: `exports.onExecuteCredentialsExchange = async (event, api) => { api.accessToken.setCustomClaim('constructor', 'first'); };`,
    });
    const second = await deployAction(m, {
      name: 'proto-overwrite-2',
      code: `exports.onExecuteCredentialsExchange = async (event, api) => {
  api.accessToken.setCustomClaim('https://example.com/saw', event.accessToken.customClaims.constructor);
  api.accessToken.setCustomClaim('constructor', 'second');
};`,
    });
    await bind(m, 'credentials-exchange', [first, second]);
    try {
      const { status, body } = await requestToken(m, app);
      assert.equal(status, 200, JSON.stringify(body));
      const payload = await verified(body.access_token);
      assert.equal(payload.constructor, 'second');
      assert.equal(payload['https://example.com/saw'], 'first');
    } finally {
      await bind(m, 'credentials-exchange', []);
    }
  });
});
