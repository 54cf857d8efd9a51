/** Log ids: time-ordered (checkpoint paging is a range scan), unique, 32 hex characters. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newLogId } from '../../src/ids.js';

test('log ids are 32 hex characters, unique and in creation order across many pool refills', () => {
  const ids: string[] = [];
  const start = Date.now();
  for (let i = 0; i < 5_000; i++) ids.push(newLogId(start + Math.floor(i / 1_000)));
  for (const id of ids) assert.match(id, /^[0-9a-f]{32}$/);
  assert.equal(new Set(ids).size, ids.length);
  assert.deepEqual([...ids].sort(), ids);
  // The random part differs from id to id (not one pooled value reused).
  assert.equal(new Set(ids.map((id) => id.slice(16))).size, ids.length);
});
