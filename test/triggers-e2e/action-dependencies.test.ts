/**
 * Auth0 actions with npm dependencies (issue 13, "Dependencies"): Auth0's `dependencies: [{name, version}]` are
 * installed from the registry at deploy, bundled with the action and stored with the version. Real installs from the
 * registry this machine is configured for. A token's claims come from lodash, uuid and jwt-decode; the version
 * records the exact versions; a throw reports the operator's line; a restart with the registry unreachable runs the
 * stored bundle, installs an exact version from the cache, and cannot resolve a range.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { bind, requestToken } from '../helpers/actions.js';
import { lastExecution } from '../helpers/executions.js';
import { provision, startMinter, type RunningMinter } from '../helpers/minter.js';

/** RFC 9562 §5.5: a name-based UUID (SHA-1), version 5, what uuid's `v5` computes. */
export function uuidV5(name: string, namespace: string): string {
  const hash = createHash('sha1')
    .update(Buffer.concat([Buffer.from(namespace.replace(/-/g, ''), 'hex'), Buffer.from(name)]))
    .digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** RFC 4122 Appendix C: the URL namespace. */
const URL_NAMESPACE = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';

/** An unsigned JWT whose payload jwt-decode reads back. */
const SAMPLE_JWT = [{ alg: 'none' }, { sub: 'upstream|42', plan: 'gold' }]
  .map((part) => Buffer.from(JSON.stringify(part)).toString('base64url'))
  .join('.')
  .concat('.');

const PACKAGES_ACTION = `const _ = require('lodash');
const { v5: uuidv5 } = require('uuid');
const { jwtDecode } = require('jwt-decode');

exports.onExecuteCredentialsExchange = async (event, api) => {
  const upstream = jwtDecode(event.secrets.UPSTREAM_JWT);
  api.accessToken.setCustomClaim('https://example.com/groups', _.chunk(['a', 'b', 'c'], 2));
  api.accessToken.setCustomClaim('https://example.com/client-uuid', uuidv5(event.client.client_id, uuidv5.URL));
  api.accessToken.setCustomClaim('https://example.com/upstream', _.pick(upstream, ['sub', 'plan']));
};
`;

/** Throws on line 4 of the operator's code. */
const THROWING_ACTION = `const _ = require('lodash');
exports.onExecuteCredentialsExchange = async (event, api) => {
  const items = _.range(3);
  throw new Error('thrown on line four, ' + items.length + ' items');
};
`;

const create = (m: RunningMinter, name: string, code: string, dependencies: unknown[], extra = {}) =>
  m.api('POST', '/actions/actions', {
    name,
    supported_triggers: [{ id: 'credentials-exchange', version: 'v2' }],
    code,
    dependencies,
    deploy: true,
    ...extra,
  });

describe('Auth0 actions with npm dependencies, installed from the registry at deploy', () => {
  let m: RunningMinter;
  let cache: string;
  let client: Awaited<ReturnType<typeof provision>>;
  const timings: string[] = [];

  before(async () => {
    cache = await mkdtemp(join(tmpdir(), 'minter-npm-cache-'));
    m = await startMinter({ env: { MINTER_ACTIONS_DEPS_CACHE: cache } });
    client = await provision(m);
  });
  after(async () => {
    if (timings.length) console.log(`# deploy times: ${timings.join('; ')}`);
    await m?.close();
    await rm(cache, { recursive: true, force: true });
  });

  test('lodash, uuid and jwt-decode: the token carries claims computed by them, verified with jose against the JWKS', async () => {
    const started = performance.now();
    const created = await create(
      m,
      'with-packages',
      PACKAGES_ACTION,
      [
        { name: 'lodash', version: '4.17.21' },
        { name: 'uuid', version: 'latest' },
        { name: 'jwt-decode', version: '^4' },
      ],
      { secrets: [{ name: 'UPSTREAM_JWT', value: SAMPLE_JWT }] },
    );
    timings.push(`three packages, cold cache ${Math.round(performance.now() - started)} ms`);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const version = created.body.deployed_version;
    // Auth0's shape on the action (as declared) and on the version (the exact versions they resolved to).
    assert.deepEqual(created.body.dependencies, [
      { name: 'jwt-decode', version: '^4' },
      { name: 'lodash', version: '4.17.21' },
      { name: 'uuid', version: 'latest' },
    ]);
    assert.deepEqual(
      version.dependencies.map((d: { name: string }) => d.name),
      ['jwt-decode', 'lodash', 'uuid'],
    );
    assert.equal(version.dependencies[1].version, '4.17.21');
    assert.match(version.dependencies[0].version, /^4\.\d+\.\d+$/);
    assert.match(version.dependencies[2].version, /^\d+\.\d+\.\d+$/);
    assert.deepEqual(version.packages, version.dependencies, 'none of the three has dependencies of its own');
    assert.equal(version.code, PACKAGES_ACTION, 'the operator’s source stays the code the API shows');

    // `test` builds the draft the same way (from the cache now) and runs it without issuing anything.
    const tried = await m.api('POST', `/actions/actions/${created.body.id}/test`, {
      payload: { client: { client_id: 'abc' } },
    });
    assert.equal(tried.status, 200, JSON.stringify(tried.body));
    assert.equal(tried.body.payload.claims['https://example.com/client-uuid'], uuidV5('abc', URL_NAMESPACE));

    await bind(m, 'credentials-exchange', [created.body.id]);
    const token = await requestToken(m, client);
    assert.equal(token.status, 200, JSON.stringify(token.body));
    const { payload } = await jwtVerify(
      token.body.access_token,
      createRemoteJWKSet(new URL(`${m.baseUrl}/.well-known/jwks.json`)),
      { issuer: m.issuer, audience: client.identifier },
    );
    assert.deepEqual(payload['https://example.com/groups'], [['a', 'b'], ['c']]);
    assert.equal(payload['https://example.com/client-uuid'], uuidV5(client.clientId, URL_NAMESPACE));
    assert.deepEqual(payload['https://example.com/upstream'], { sub: 'upstream|42', plan: 'gold' });

    // A second action with the same exact version installs nothing: the cache has lodash@4.17.21.
    const again = performance.now();
    const cached = await create(m, 'lodash-again', THROWING_ACTION, [{ name: 'lodash', version: '4.17.21' }]);
    timings.push(`lodash, cached ${Math.round(performance.now() - again)} ms`);
    assert.equal(cached.status, 201, JSON.stringify(cached.body));
    const plain = performance.now();
    const none = await create(m, 'no-packages', `exports.onExecuteCredentialsExchange = async () => {};`, []);
    timings.push(`no dependencies ${Math.round(performance.now() - plain)} ms`);
    assert.equal(none.status, 201, JSON.stringify(none.body));
    assert.deepEqual(none.body.deployed_version.dependencies, []);
  });

  test("an error thrown in an action with dependencies points at the operator's own line", async () => {
    const listed = await m.api('GET', '/actions/actions?actionName=lodash-again');
    const action = listed.body.actions[0];
    await bind(m, 'credentials-exchange', [action.id]);
    const token = await requestToken(m, client);
    assert.equal(token.status, 500);
    const execution = await lastExecution(m, client.clientId, 'feccft');
    const logged = execution.results[0].logs.map((l: { message: string }) => l.message).join('\n');
    assert.match(logged, /thrown on line four, 3 items/);
    assert.match(logged, /lodash-again\.js:4:9/, `the stack names line 4, column 9 of the action: ${logged}`);
  });

  test('a restart with the registry unreachable runs the stored bundle; only a deploy that must resolve fails', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'minter-npm-cache-empty-'));
    const unreachable = 'http://127.0.0.1:9/';
    try {
      const listed = await m.api('GET', '/actions/actions?actionName=with-packages');
      await bind(m, 'credentials-exchange', [listed.body.actions[0].id]);
      // No installs at start: an empty cache and no registry, yet the bound version runs from its stored bundle.
      await m.restart({ npm_config_registry: unreachable, MINTER_ACTIONS_DEPS_CACHE: empty });
      const token = await requestToken(m, client);
      assert.equal(token.status, 200, JSON.stringify(token.body));

      const range = await create(m, 'needs-registry', THROWING_ACTION, [{ name: 'lodash', version: '^4' }]);
      assert.equal(range.status, 400);
      assert.equal(range.body.errorCode, 'dependency_failed');
      assert.match(
        range.body.message,
        /^Dependency failed: lodash: the registry http:\/\/127\.0\.0\.1:9\/ cannot be reached/,
      );

      // The first cache still has lodash@4.17.21: an exact version installs from it with no registry at all.
      await m.restart({ npm_config_registry: unreachable });
      const exact = await create(m, 'offline-exact', THROWING_ACTION, [{ name: 'lodash', version: '4.17.21' }]);
      assert.equal(exact.status, 201, JSON.stringify(exact.body));
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
