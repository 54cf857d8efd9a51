/**
 * The isolate's pending timers (timers.ts) in one binary min-heap ordered by due time, then by id; each timer knows
 * its index `i` (-1 once out of the heap).
 */
import { setTimersPending } from './io.js';
import type { Timer } from './invocation.js';

export type { Timer } from './invocation.js';

/** The heap: `heap[0]` is due first. */
export const heap: Timer[] = [];

function earlier(a: Timer, b: Timer): boolean {
  return a.at < b.at || (a.at === b.at && a.id < b.id);
}

function place(t: Timer, i: number): void {
  heap[i] = t;
  t.i = i;
}

function siftUp(i: number): void {
  const t = heap[i]!;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!earlier(t, heap[parent]!)) break;
    place(heap[parent]!, i);
    i = parent;
  }
  place(t, i);
}

function siftDown(i: number): void {
  const t = heap[i]!;
  const n = heap.length;
  for (;;) {
    let child = 2 * i + 1;
    if (child >= n) break;
    if (child + 1 < n && earlier(heap[child + 1]!, heap[child]!)) child++;
    if (!earlier(heap[child]!, t)) break;
    place(heap[child]!, i);
    i = child;
  }
  place(t, i);
}

/** Adds `t` (its `i` is ignored). */
export function heapInsert(t: Timer): void {
  t.i = heap.length;
  heap[heap.length] = t;
  siftUp(t.i);
  setTimersPending(heap.length);
}

/** Takes `t` out of the heap. */
export function heapRemove(t: Timer): void {
  const last = heap.pop()!;
  if (last !== t) {
    place(last, t.i);
    siftUp(last.i);
    siftDown(last.i);
  }
  t.i = -1;
  setTimersPending(heap.length);
}
