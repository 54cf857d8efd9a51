/** Which versions a lost sandbox process quarantines (crash-attribution.ts; docs/security.md, "quarantine"). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CrashAttribution, STRIKE_WINDOW_MS } from '../../src/triggers/crash-attribution.js';

const how = 'signal SIGABRT';

describe('crash attribution', () => {
  test('the one version loading is quarantined at once', () => {
    assert.deepEqual(new CrashAttribution().lost({ how, loading: ['v1'], firstRuns: [] }), [
      { versionId: 'v1', reason: 'the sandbox process ended (signal SIGABRT) while this version was loading' },
    ]);
  });

  test('the one version running its first request is quarantined at once', () => {
    assert.deepEqual(new CrashAttribution().lost({ how, loading: [], firstRuns: ['v1'] }), [
      { versionId: 'v1', reason: 'the sandbox process ended (signal SIGABRT) while this version was running its first request' },
    ]);
  });

  test('no suspect (only versions that served before were running): nothing is quarantined', () => {
    assert.deepEqual(new CrashAttribution().lost({ how, loading: [], firstRuns: [] }), []);
  });

  test('several suspects: each on its second loss within the window, the innocent one too', () => {
    const attribution = new CrashAttribution();
    const t0 = 1_000_000;
    assert.deepEqual(attribution.lost({ how, loading: ['culprit', 'innocent'], firstRuns: [] }, t0), []);
    assert.deepEqual(
      attribution.lost({ how, loading: ['culprit'], firstRuns: ['other'] }, t0 + 1000).map((q) => q.versionId),
      ['culprit'],
    );
    assert.match(attribution.lost({ how, loading: ['culprit', 'other'], firstRuns: [] }, t0 + 2000)[0]!.reason, /^the sandbox process ended \(signal SIGABRT\) while this version was loading \(one of 2 suspects, as in a loss less than 10 minutes before\)$/);
  });

  test('a strike older than the window is forgotten', () => {
    const attribution = new CrashAttribution();
    assert.deepEqual(attribution.lost({ how, loading: ['a', 'b'], firstRuns: [] }, 0), []);
    assert.deepEqual(attribution.lost({ how, loading: ['a', 'b'], firstRuns: [] }, STRIKE_WINDOW_MS + 1), []);
  });

  test('a draft (a test run) is never quarantined, and still counts as a suspect', () => {
    const attribution = new CrashAttribution();
    assert.deepEqual(attribution.lost({ how, loading: [], firstRuns: ['draft-1'] }), []);
    assert.deepEqual(attribution.lost({ how, loading: ['v1'], firstRuns: ['draft-2'] }), []);
    assert.deepEqual(attribution.stuck('draft-3', false), []);
  });

  test('a stuck call quarantines a version that never finished a run, not one that served before', () => {
    const attribution = new CrashAttribution();
    assert.equal(attribution.stuck('v1', false).length, 1);
    assert.deepEqual(attribution.stuck('v2', true), []);
  });
});
