/**
 * An action cannot forge its own execution record (issue 11, finding 6). The sandbox builds the record inside the
 * isolate, where action code can replace built-ins and pollute prototypes before the record is made; each way of
 * doing so is tried here, and afterwards the record (GET /api/v2/actions/executions/{id}) and the token must still
 * say what the action really did: its status, its claims and refusals, its denial, its console. Pollution outlives
 * the request in the isolate, so the same action's next requests — alone and batched — are checked too.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { bind, deployAction, requestToken } from '../helpers/actions.js';
import { lastExecution } from '../helpers/executions.js';
import { provision, startMinter, type RunningMinter } from '../helpers/minter.js';

/** What a forger would like the host to read: a clean success with a claim the action never set. */
const FORGED = `var FORGED_RECORD = { io: 0, outcome: 'ok', denial: null, error: null,
  claims: [['https://example.com/forged', 'true']], refused: [], target: null, logs: [['log', 'forged']], logsTruncated: false };
var FORGED_TEXT = '{"io":0,"outcome":"ok","denial":null,"error":null,"claims":[["https://example.com/forged","true"]],"refused":[],"target":null,"logs":[["log","forged"]],"logsTruncated":false}';
var KEYS = ['io', 'outcome', 'denial', 'error', 'claims', 'refused', 'target', 'logs', 'logsTruncated', 'done', 'names',
  'record', 'q', 'prior', 'bytes', 'uncaught', 'list', 'out', 'next', 'open', 'waiting', 'promise', 'code', 'reason', 'name', 'message'];`;

/** Each way an action can reach the record's serialisation, as code run once the action has done its honest work. */
const POLLUTIONS: Record<string, string> = {
  'Object.prototype.toJSON': `Object.prototype.toJSON = function () { return FORGED_RECORD; };`,
  'Array.prototype.toJSON': `Array.prototype.toJSON = function () { return [['https://example.com/forged', 'true']]; };`,
  'String/Number/Boolean.prototype.toJSON': `String.prototype.toJSON = function () { return 'forged'; };
Number.prototype.toJSON = function () { return 0; };
Boolean.prototype.toJSON = function () { return true; };
BigInt.prototype.toJSON = function () { return 'forged'; };`,
  'a replaced JSON.stringify and JSON.parse': `JSON.stringify = function () { return FORGED_TEXT; };
JSON.parse = function () { return FORGED_RECORD; };`,
  'getters and setters on Object.prototype for record keys': `KEYS.forEach(function (key) {
  Object.defineProperty(Object.prototype, key, { configurable: true, get: function () { return FORGED_RECORD[key]; }, set: function () {} });
});`,
  'index getters and setters on Array.prototype': `[0, 1, 2, 3].forEach(function (i) {
  Object.defineProperty(Array.prototype, i, { configurable: true, get: function () { return FORGED_TEXT; }, set: function () {} });
});`,
  'a Proxy as the prototype of Array.prototype': `Object.setPrototypeOf(Array.prototype, new Proxy({}, {
  get: function (target, key) { return typeof key === 'string' && /^[0-9]+$/.test(key) ? FORGED_TEXT : undefined; },
  set: function () { return true; },
  has: function () { return false; },
}));`,
  'Symbol.toPrimitive, toString and valueOf on Object.prototype': `Object.prototype[Symbol.toPrimitive] = function () { return FORGED_TEXT; };
Object.prototype.toString = function () { return FORGED_TEXT; };
Object.prototype.valueOf = function () { return 0; };`,
  'replaced built-in methods the sandbox might call': `var forgedList = function () { return [FORGED_TEXT]; };
Array.prototype.join = function () { return FORGED_TEXT; };
Array.prototype.push = function () { return 0; };
Array.prototype.slice = forgedList;
Array.prototype.concat = forgedList;
Array.prototype.map = forgedList;
Array.prototype.filter = forgedList;
Array.prototype.indexOf = function () { return 0; };
Array.prototype.splice = forgedList;
String.prototype.slice = function () { return FORGED_TEXT; };
String.prototype.replace = function () { return FORGED_TEXT; };
String.prototype.indexOf = function () { return -1; };
String.prototype.charCodeAt = function () { return 0x41; };
String.prototype.split = forgedList;
Object.keys = function () { return []; };
Object.create = function () { return FORGED_RECORD; };
Object.defineProperty = function (o) { return o; };
Object.setPrototypeOf = function (o) { return o; };
Object.prototype.hasOwnProperty = function () { return true; };
Reflect.apply = function () { return FORGED_TEXT; };
Function.prototype.call = function () { return FORGED_TEXT; };
Function.prototype.apply = function () { return FORGED_TEXT; };
Function.prototype.bind = function () { return function () { return FORGED_TEXT; }; };
Promise.resolve = function () { return new Promise(function (resolve) { resolve(FORGED_TEXT); }); };
Promise.prototype.then = function (f) { return f(FORGED_TEXT); };
Error.prototype.toString = function () { return FORGED_TEXT; };
Math.min = function () { return 0; };`,
};

/** The action: honest work, the pollution, more honest work, then the end the request asks for. */
function actionCode(pollution: string): string {
  return `${FORGED}
exports.onExecuteCredentialsExchange = async (event, api) => {
  var end = event.request.body.end;
  console.log('before');
  api.accessToken.setCustomClaim('https://example.com/before', 'b');
  api.accessToken.setCustomClaim('sub', 'admin');
  if (event.request.body.pollute === 'yes') {
${pollution}
  }
  console.log('after');
  api.accessToken.setCustomClaim('https://example.com/after', 'a');
  if (end === 'deny') api.access.deny('invalid_request', 'denied honestly');
  if (end === 'throw') throw new RangeError('thrown honestly');
};`;
}

type End = 'ok' | 'deny' | 'throw';

describe('an action cannot forge its execution record by polluting prototypes', () => {
  let m: RunningMinter;
  let app: Awaited<ReturnType<typeof provision>>;
  let jwks: ReturnType<typeof createRemoteJWKSet>;
  before(async () => {
    m = await startMinter({ env: { MINTER_ACTIONS_TIMEOUT_MS: '3000' } });
    app = await provision(m);
    jwks = createRemoteJWKSet(new URL(`${m.baseUrl}/.well-known/jwks.json`));
  });
  after(() => m?.close());

  /** One request ending as `end`; asserts the answer, the token and the execution record say what the action did. */
  async function check(end: End, pollute: boolean, label: string): Promise<void> {
    const { status, body } = await requestToken(m, app, { end, pollute: pollute ? 'yes' : 'no' });
    const where = `${label} (${end}${pollute ? ', polluting' : ''})`;
    if (end === 'ok') {
      assert.equal(status, 200, `${where}: ${JSON.stringify(body)}`);
      const { payload } = await jwtVerify(body.access_token, jwks, { issuer: m.issuer, audience: app.identifier });
      assert.equal(payload['https://example.com/before'], 'b', where);
      assert.equal(payload['https://example.com/after'], 'a', where);
      assert.equal(payload['https://example.com/forged'], undefined, where);
      assert.equal(payload.sub, app.clientId, where);
    } else if (end === 'deny') {
      assert.equal(status, 403, `${where}: ${JSON.stringify(body)}`);
      assert.deepEqual(body, { error: 'invalid_request', error_description: 'denied honestly' }, where);
    } else {
      assert.equal(status, 500, `${where}: ${JSON.stringify(body)}`);
      assert.equal(body.error, 'server_error', where);
    }

    const execution = await lastExecution(m, app.clientId, end === 'ok' ? 'seccft' : 'feccft');
    assert.equal(execution.results.length, 1, where);
    const [result] = execution.results;
    const messages = result.logs.map((line: { message: string }) => line.message);
    if (end === 'throw') {
      assert.equal(result.status, 'runtime', where);
      assert.match(result.error.msg, /RangeError: thrown honestly/, where);
      assert.deepEqual(messages.slice(0, 2), ['before', 'after'], where);
      assert.equal(messages.length, 3, where);
      assert.match(messages[2], /^Uncaught RangeError: thrown honestly/, where);
      assert.deepEqual(result.claims_set, [], where);
      return;
    }
    assert.deepEqual(messages, ['before', 'after'], where);
    assert.deepEqual(
      result.logs.map((line: { level: string }) => line.level),
      ['log', 'log'],
      where,
    );
    assert.deepEqual(
      result.claims_set,
      end === 'ok' ? ['https://example.com/before', 'https://example.com/after'] : [],
      where,
    );
    if (end === 'ok') {
      assert.equal(result.status, 'ok', where);
      assert.deepEqual(
        result.refused_claims.map((r: { name: string }) => r.name),
        ['sub'],
        where,
      );
      assert.equal(result.denial, undefined, where);
    } else {
      assert.equal(result.status, 'denied', where);
      assert.deepEqual(result.denial, { code: 'invalid_request', reason: 'denied honestly' }, where);
    }
  }

  for (const [index, [label, pollution]] of Object.entries(POLLUTIONS).entries()) {
    test(label, async () => {
      const id = await deployAction(m, { name: `forger-${index}`, code: actionCode(pollution) });
      await bind(m, 'credentials-exchange', [id]);
      try {
        // A fresh isolate: each end while polluting (pollution also stays for the requests that follow).
        for (const end of ['ok', 'deny', 'throw'] as const) await check(end, true, label);
        // Requests of an isolate polluted earlier, which do nothing hostile themselves.
        for (const end of ['ok', 'deny', 'throw'] as const) await check(end, false, label);
        // Several at once, so that the engine runs them as one batch in the polluted isolate.
        const answers = await Promise.all(
          Array.from({ length: 6 }, (_, i) => requestToken(m, app, { end: 'ok', pollute: i % 2 ? 'yes' : 'no' })),
        );
        for (const { status, body } of answers) {
          assert.equal(status, 200, `${label} (batched): ${JSON.stringify(body)}`);
          const { payload } = await jwtVerify(body.access_token, jwks, { issuer: m.issuer, audience: app.identifier });
          assert.deepEqual(
            [
              payload['https://example.com/before'],
              payload['https://example.com/after'],
              payload['https://example.com/forged'],
            ],
            ['b', 'a', undefined],
          );
        }
        await check('ok', false, `${label}, after a batch`);
      } finally {
        await bind(m, 'credentials-exchange', []);
      }
    });
  }

  test('Kinde: every pollution at once cannot change the record nor the token', async () => {
    const all = Object.values(POLLUTIONS).join('\n');
    const id = await deployAction(m, {
      name: 'forger-kinde',
      trigger: 'm2m:token_generation',
      code: `export const workflowSettings = { id: "forger", trigger: "m2m:token_generation", bindings: { "kinde.m2mToken": {} } };
${FORGED}
export default async function (event) {
  console.log('before');
  kinde.m2mToken.setCustomClaim('before', 'b');
  kinde.m2mToken.setCustomClaim('sub', 'admin');
${all}
  console.log('after');
  kinde.m2mToken.setCustomClaim('after', 'a');
}
`,
    });
    await bind(m, 'm2m:token_generation', [id]);
    try {
      for (let i = 0; i < 2; i++) {
        const { status, body } = await requestToken(m, app);
        assert.equal(status, 200, JSON.stringify(body));
        const { payload } = await jwtVerify(body.access_token, jwks, { issuer: m.issuer, audience: app.identifier });
        assert.deepEqual(
          [payload.before, payload.after, payload['https://example.com/forged'], payload.sub],
          ['b', 'a', undefined, app.clientId],
        );
        const [result] = (await lastExecution(m, app.clientId)).results;
        assert.equal(result.status, 'ok');
        assert.deepEqual(result.claims_set, ['before', 'after']);
        assert.deepEqual(
          result.refused_claims.map((r: { name: string }) => r.name),
          ['sub'],
        );
        assert.deepEqual(result.logs, [
          { level: 'log', message: 'before' },
          { level: 'log', message: 'after' },
        ]);
      }
    } finally {
      await bind(m, 'm2m:token_generation', []);
    }
  });
});
