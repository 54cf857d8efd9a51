/**
 * The entry points the host keeps as References (runtime/isolate-factory.ts), around the platform's `start(p)` (a
 * parsed payload → a promise of its record).
 *
 * `run(payload)` runs one request. A batch runs several in one host call: `runAll(payloads)` (a JSON array) starts
 * them one after another, each once the one before has settled, so that each runs alone as with `run` (console
 * lines go to the right request); `collect()`, which the host calls right after (isolated-vm has run the microtasks
 * by then), answers one line per request — its record, `P` (started, still waiting: for host I/O, or for ever) or
 * `N` (not started) — and closes the batch: nothing more starts, and a waiting one is left to `waitFor(q)`.
 *
 * Each entry answers a string (or a promise of one, a boolean, null): an action that broke a built-in this code
 * calls makes an entry fail with a record, never with a thrown value (see sandbox/bootstrap.ts).
 */
import type { PayloadBase } from '../boundary.js';
import { JSONparse, ObjectCreate, PromiseCtor, arrayJoin, promiseThen, reflectApply } from './intrinsics.js';
import type { Invocation } from './invocation.js';
import { quiet } from './io.js';
import { brokenRecord, drain, finish } from './record.js';
import { list, own, resolved } from './safe.js';
import { fireTimers } from './timers.js';

/** A platform's per-request entry point: a parsed payload → a promise of its record. */
export type Start = (p: PayloadBase) => Promise<string>;

/** What `load` answers when the action loaded (sandbox/bootstrap.ts). */
export interface Entries {
  run(payload: string): Promise<string | null>;
  runAll(payloads: string): void;
  collect(): string;
  waitFor(q: number): Promise<string | null>;
  drain(q: number): string | null;
  quiet(): boolean;
  fireTimers(): Promise<number>;
}

/** A batch in progress: its payloads, their records by index, and the one that waits. */
interface Batch {
  list: PayloadBase[];
  out: string[];
  next: number;
  open: boolean;
  waiting: number;
  promise: Promise<string> | null;
}

/** The entry points around `start` (see above). */
export function makeEntries(start: Start): Entries {
  let batch: Batch | null = null;
  const waiting: Record<number, Promise<string | null>> = ObjectCreate(null);
  function runAll(payloads: string): void {
    const b: Batch = ObjectCreate(null);
    b.list = JSONparse(payloads);
    b.out = list();
    b.next = 0;
    b.open = true;
    b.waiting = -1;
    b.promise = null;
    batch = b;
    step(b);
  }
  function step(b: Batch): void {
    while (b.open && b.next < b.list.length) {
      const i = b.next++;
      let settled: Promise<string>;
      try {
        settled = start(b.list[i]!);
      } catch {
        continue; // reported as not started: the host runs it alone, where the error surfaces
      }
      b.waiting = i;
      b.promise = settled;
      reflectApply(promiseThen, settled, [
        function (record: string) {
          b.out[i] = record;
          if (b.waiting === i) b.waiting = -1;
          step(b);
        },
      ]);
      return;
    }
  }
  function collect(): string {
    const b = batch;
    batch = null;
    if (b === null) return '';
    b.open = false;
    const lines = list<string>();
    for (let i = 0; i < b.list.length; i++) {
      if (typeof b.out[i] === 'string') lines[i] = b.out[i]!;
      else if (i === b.waiting) {
        waiting[own(b.list[i]!, 'q')!] = b.promise!;
        lines[i] = 'P';
      } else lines[i] = 'N';
    }
    const text: unknown = reflectApply(arrayJoin, lines, ['\n']);
    return typeof text === 'string' ? text : '';
  }
  function waitFor(q: number): Promise<string | null> {
    const promise = waiting[q];
    delete waiting[q];
    return promise === undefined ? resolved(null) : promise;
  }
  return {
    run: function (payload) {
      try {
        return recordPromise(start(JSONparse(payload)));
      } catch (e) {
        return resolved(brokenRecord(e));
      }
    },
    runAll: function (payloads) {
      try {
        runAll(payloads);
      } catch {
        batch = null;
      }
    },
    collect: function () {
      try {
        return collect();
      } catch {
        return '';
      }
    },
    waitFor: function (q) {
      try {
        return recordPromise(waitFor(q));
      } catch (e) {
        return resolved(brokenRecord(e));
      }
    },
    drain: function (q) {
      try {
        const json = drain(q);
        return typeof json === 'string' ? json : null;
      } catch {
        return null;
      }
    },
    quiet: function () {
      try {
        return quiet() === true;
      } catch {
        return false;
      }
    },
    fireTimers: function () {
      try {
        return fireTimers();
      } catch {
        return resolved(0);
      }
    },
  };
}

/** A native promise of the record `settled` settles to: a string, null (nothing was waiting), or a failure record. */
function recordPromise(settled: Promise<unknown>): Promise<string | null> {
  return new PromiseCtor(function (resolve) {
    reflectApply(promiseThen, settled, [
      function (record: unknown) {
        resolve(typeof record === 'string' || record === null ? record : brokenRecord());
      },
      function (e: unknown) {
        resolve(brokenRecord(e));
      },
    ]);
  });
}

/** Runs the action's entry point and settles to the record, whether it returns, throws or rejects. */
export function settle(inv: Invocation, run: () => unknown): Promise<string> {
  let result: unknown;
  try {
    result = run();
  } catch (e) {
    return resolved(finish(inv, true, e));
  }
  return new PromiseCtor(function (resolve) {
    reflectApply(promiseThen, resolved(result), [
      function () {
        resolve(finish(inv, false));
      },
      function (e: unknown) {
        resolve(finish(inv, true, e));
      },
    ]);
  });
}
