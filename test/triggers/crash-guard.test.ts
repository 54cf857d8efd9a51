/**
 * The crash guard's journal (docs/security.md, "quarantine"): what a dead process left open is read back exactly,
 * whatever order its lines landed in, and nothing a live or cleanly stopped process wrote is taken for a crash.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { CrashGuard, parseJournal } from '../../src/triggers/runtime/crash-guard.js';

describe('crash guard journal', () => {
  test('an entry with no clearing line of the same session is a suspect; the last phase begun names it', () => {
    const text = [
      '+\ts1\tv1\tprewarm\t2025-01-01T00:00:00.000Z',
      '-\ts1\tv1\tprewarm', // cleared
      '+\ts1\tv2\tprewarm\t2025-01-01T00:00:01.000Z',
      '+\ts1\tv2\tfirst_run\t2025-01-01T00:00:01.000Z', // same ms: the first run is what it was doing
      '-\ts0\tv3\tprewarm', // an earlier process's late clearing line …
      '+\ts1\tv3\tprewarm\t2025-01-01T00:00:02.000Z', // … does not clear this one's entry
      '+\ts1\tv4\tfirst_run\t2025-01-01T00:00:03.000Z',
      '+\ts1\tv7\tprewarm\t2025-01-01T00:00:03.000Z', // cleared by a line appended asynchronously, after others
      '-\ts1\tv4\tfirst_run',
      '-\ts1\tv7\tprewarm',
      '+\ts1\tv5\tprewarm\t2025-01-01T00:00:0', // cut short by the crash
      '+\ts1\tv6\tsomething\t2025-01-01T00:00:04.000Z',
      '',
    ].join('\n');
    assert.deepEqual(parseJournal(text), [
      { versionId: 'v2', phase: 'first_run', since: new Date('2025-01-01T00:00:01.000Z') },
      { versionId: 'v3', phase: 'prewarm', since: new Date('2025-01-01T00:00:02.000Z') },
    ]);
  });

  test('one write per version and phase per process; cleared entries and a clean close leave no suspect', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'minter-crash-guard-'));
    const file = join(dir, 'sub', 'journal');
    try {
      const errors: unknown[] = [];
      const { guard, suspects } = CrashGuard.open(file, (e) => errors.push(e));
      assert.deepEqual(suspects, []);
      assert.equal(guard.enter('v1', 'prewarm'), true);
      assert.equal(guard.enter('v1', 'prewarm'), false, 'never twice in one process');
      assert.equal(guard.enter('v1', 'first_run'), true);
      assert.deepEqual(
        parseJournal(await readFile(file, 'utf8')).map((s) => [s.versionId, s.phase]),
        [['v1', 'first_run']],
      );
      guard.leave('v1', 'prewarm');
      guard.leave('v1', 'first_run');
      for (let i = 0; i < 100 && parseJournal(await readFile(file, 'utf8')).length > 0; i++) await sleep(10);
      assert.deepEqual(parseJournal(await readFile(file, 'utf8')), []);
      guard.enter('v2', 'prewarm');
      assert.equal(CrashGuard.open(file, () => undefined).suspects.length, 1, 'what a dead process would leave');
      guard.close();
      assert.equal(await readFile(file, 'utf8'), '');
      assert.equal(guard.enter('v3', 'prewarm'), false, 'closed');
      assert.deepEqual(errors, []);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
