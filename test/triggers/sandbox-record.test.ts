/**
 * The host's second wall: whatever string comes out of an isolate, the host reads it as a record only when it is one,
 * bounds every field again and re-checks every claim. (The first wall, that action code cannot make the sandbox
 * write a forged record, is tested through the server in triggers-e2e/record-integrity.test.ts.)
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ClaimSet, MAX_CUSTOM_CLAIMS_BYTES, REFUSAL } from '../../src/triggers/restricted-claims.js';
import { parseConsole, parseRecord } from '../../src/triggers/sandbox/record.js';

const record = (fields: Record<string, unknown>) =>
  JSON.stringify({
    io: 0,
    outcome: 'ok',
    denial: null,
    error: null,
    claims: [],
    refused: [],
    target: null,
    logs: [],
    logsTruncated: false,
    ...fields,
  });

describe('a forged record is bounded and re-checked by the host', () => {
  test('claims a record carries are offered to the host rules: restricted, __proto__, oversized and non-JSON are refused', () => {
    const parsed = parseRecord(
      record({
        claims: [
          ['sub', '"evil"'],
          ['__proto__', '{"polluted":true}'],
          ['https://t/big', JSON.stringify('x'.repeat(MAX_CUSTOM_CLAIMS_BYTES))],
          ['https://t/bad', '{not json'],
          [42, '1'],
          ['constructor', '"kept"'],
          ['only-one-element'],
        ],
      }),
      1000,
    );
    assert.ok(parsed);
    const claims = new ClaimSet();
    const { set, refused } = claims.offerAll(parsed.claims);
    assert.deepEqual(set, ['constructor']);
    assert.deepEqual(refused, [
      { name: 'sub', reason: REFUSAL.restricted },
      { name: '__proto__', reason: REFUSAL.proto },
      { name: 'https://t/big', reason: REFUSAL.size },
      { name: 'https://t/bad', reason: REFUSAL.value },
      { name: '42', reason: REFUSAL.name },
    ]);
    const object = claims.toObject();
    assert.deepEqual(Object.keys(object), ['constructor']);
    assert.equal(Object.getPrototypeOf(object), Object.prototype);
    assert.equal(claims.toJson(), '{"constructor":"kept"}');
  });

  test("console lines are bounded again, unknown levels dropped; a denial code outside Auth0's three is server_error", () => {
    const parsed = parseRecord(
      record({
        outcome: 'denied',
        denial: { code: 'access_denied', reason: 'r'.repeat(5000) },
        logs: [
          ['log', 'x'.repeat(500)],
          ['evil', 'dropped'],
          ['log', 'more'],
        ],
      }),
      100,
    );
    assert.ok(parsed);
    assert.deepEqual(parsed.denial, { code: 'server_error', reason: 'r'.repeat(1000) });
    // access_denied is Kinde's kinde.auth.denyAccess: kept for a workflow, not for an Auth0 action.
    const kinde = parseRecord(
      record({ outcome: 'denied', denial: { code: 'access_denied', reason: 'no' } }),
      100,
      'kinde',
    );
    assert.deepEqual(kinde?.denial, { code: 'access_denied', reason: 'no' });
    assert.deepEqual(parsed.logs, [{ level: 'log', message: 'x'.repeat(100) }]);
    assert.equal(parsed.logsTruncated, true);
    assert.deepEqual(parseConsole(JSON.stringify({ logs: [['warn', 'w']], logsTruncated: false }), 100), {
      logs: [{ level: 'warn', message: 'w' }],
      logsTruncated: false,
    });
  });

  test('what is not a record is refused: not JSON, too long, a denial without its reason object, missing lists', () => {
    assert.equal(parseRecord('{"io":0,"outcome":"ok"', 100), undefined);
    assert.equal(parseRecord(record({ logs: [['log', 'x'.repeat(3 * 1024 * 1024)]] }), 100), undefined);
    assert.equal(parseRecord(record({ outcome: 'denied' }), 100), undefined);
    assert.equal(parseRecord(record({ outcome: 'fine' }), 100), undefined);
    assert.equal(parseRecord(record({ claims: { sub: 'evil' } }), 100), undefined);
    assert.equal(parseRecord('[]', 100), undefined);
  });
});
