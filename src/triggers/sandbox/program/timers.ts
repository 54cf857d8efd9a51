/**
 * Timers inside the isolate: `setTimeout` / `clearTimeout` keep every pending timer here, in one heap per isolate
 * ordered by due time (timer-heap.ts), and the host holds a single Node timer for the earliest (`hostArm`,
 * runtime/host-bridge.ts). When it rings, the host calls `fireTimers()`, which runs the due callbacks in order, each
 * followed by its own microtasks as in Node, and answers when the next one is due. So the host holds O(1) per isolate
 * however many timers an action sets (one host timer and promise each used to cost ~8 KB of the server's memory:
 * 100,000 of them, ~800 MB).
 *
 * A timer belongs to the invocation that set it: it runs in that invocation (its console, its uncaught errors) and is
 * cancelled when that invocation ends, so no callback runs after an execution's record is made — on an isolate that
 * may meanwhile serve another client. A timer set outside any invocation (top-level code) never runs. Caps:
 * `config.maxTimers` pending per invocation, `config.maxIsolateTimers` per isolate (in-isolate memory only, within
 * the isolate's memory limit); past them `setTimeout` throws a RangeError and the refusal is counted in the record
 * (`refused_calls.setTimeout`).
 */
import { config, host } from './host.js';
import {
  DateNow,
  MathFloor,
  MathMax,
  ObjectCreate,
  PromiseCtor,
  RangeErrorCtor,
  TypeErrorCtor,
  arraySlice,
  promiseThen,
  reflectApply,
} from './intrinsics.js';
import { current, refuseCall, setCurrent, type Invocation } from './invocation.js';
import { resolved } from './safe.js';
import { heap, heapInsert, heapRemove, type Timer } from './timer-heap.js';

/** Node's longest delay (TIMEOUT_MAX); a longer or invalid one becomes 1 ms, as in Node. */
const TIMEOUT_MAX = 2147483647;
const NO_ARGS: unknown[] = [];
let nextTimer = 1;
let armedAt = Infinity;
/** Pending timers by id. */
const timerById: Record<number, Timer> = ObjectCreate(null);

/**
 * Node's timers count from the event loop's time, read once per turn: timers set in one synchronous run share it, so
 * setTimeout(a, 10) then setTimeout(c, 5) fires c first however long the code between the two calls took (on a busy
 * machine, more than 5 ms). Here the clock is read at the first setTimeout of a run and kept until its microtasks.
 */
let turnNow = -1;
function forgetTurnNow(): void {
  turnNow = -1;
}
function loopNow(): number {
  if (turnNow < 0) {
    turnNow = DateNow();
    reflectApply(promiseThen, resolved(undefined), [forgetTurnNow]);
  }
  return turnNow;
}

/**
 * Asks the host to ring when the earliest timer is due, unless it will already ring by then; 0 disarms. While
 * {@link fireTimers} runs, `armedAt` is 0: the host re-arms with what that call answers, so no call is made here.
 */
function arm(): void {
  const first = heap[0];
  if (first === undefined) {
    if (armedAt !== Infinity && armedAt !== 0) {
      armedAt = Infinity;
      host.arm.applySync(undefined, [0]);
    }
    return;
  }
  if (first.at >= armedAt) return;
  armedAt = first.at;
  host.arm.applySync(undefined, [MathMax(1, first.at - DateNow())]);
}

function unschedule(t: Timer): void {
  heapRemove(t);
  delete timerById[t.id];
  const inv = t.inv;
  inv.pendingTimers--;
  // The invocation's list keeps cleared timers until it ends; compact it when they are most of it.
  const timers = inv.timers!;
  if (timers.length > 64 && timers.length > 2 * inv.pendingTimers) {
    const kept: Timer[] = [];
    for (let k = 0; k < timers.length; k++) if (timers[k]!.i >= 0) kept[kept.length] = timers[k]!;
    inv.timers = kept;
  }
}

/** Cancels an invocation's pending timers when it ends (release in record.ts). */
export function cancelTimers(inv: Invocation): void {
  const timers = inv.timers!;
  for (let k = 0; k < timers.length; k++) if (timers[k]!.i >= 0) unschedule(timers[k]!);
  inv.timers = null;
  arm();
}

/** What `setTimeout` answers, as Node's Timeout: `ref` / `unref` / `hasRef`, and its id as a primitive. */
interface TimeoutObject {
  id: number;
}
function Timeout(this: TimeoutObject, id: number): void {
  this.id = id;
}
Timeout.prototype.ref = function (this: TimeoutObject) {
  return this;
};
Timeout.prototype.unref = function (this: TimeoutObject) {
  return this;
};
Timeout.prototype.hasRef = function () {
  return true;
};
Timeout.prototype[Symbol.toPrimitive] = function (this: TimeoutObject) {
  return this.id;
};
const TimeoutCtor = Timeout as unknown as new (id: number) => TimeoutObject;

/** Node's `setTimeout`: the timer runs in the invocation that set it, or never once that one ended. */
export function setTimeout(callback: unknown, delay?: unknown): TimeoutObject {
  if (typeof callback !== 'function') throw new TypeErrorCtor('The "callback" argument must be of type function');
  const inv = current;
  const id = nextTimer++;
  const ms = Number(delay);
  if (inv === null || inv.done) return new TimeoutCtor(id);
  if (inv.pendingTimers >= config.maxTimers) {
    refuseCall(inv, 'setTimeout');
    throw new RangeErrorCtor(
      'setTimeout refused: an execution may have at most ' + config.maxTimers + ' timers pending',
    );
  }
  if (heap.length >= config.maxIsolateTimers) {
    refuseCall(inv, 'setTimeout');
    throw new RangeErrorCtor(
      'setTimeout refused: at most ' +
        config.maxIsolateTimers +
        ' timers may be pending on one isolate of an action version',
    );
  }
  const t: Timer = {
    id: id,
    at: loopNow() + (ms >= 1 && ms <= TIMEOUT_MAX ? MathFloor(ms) : 1),
    inv: inv,
    i: heap.length,
    callback: callback as Timer['callback'],
    // eslint-disable-next-line prefer-rest-params -- Node passes the arguments after the delay to the callback
    args: arguments.length > 2 ? reflectApply(arraySlice, arguments, [2]) : NO_ARGS,
  };
  if (inv.timers === null) inv.timers = [];
  inv.timers[inv.timers.length] = t;
  inv.pendingTimers++;
  timerById[id] = t;
  heapInsert(t);
  arm();
  return new TimeoutCtor(id);
}

/** Node's `clearTimeout`, by Timeout or by id. */
export function clearTimeout(timer: unknown): void {
  const t = timerById[timer instanceof Timeout ? (timer as TimeoutObject).id : Number(timer)];
  if (t === undefined) return;
  unschedule(t);
  arm();
}

/**
 * The host's timer rang: runs the timers due by now in order, each callback followed by the microtasks it queued
 * (as Node does). Answers a promise of the ms until the next timer is due (0: none), with which the host re-arms:
 * one crossing per ring, where asking the host from here (a synchronous call) would block this thread on the host's.
 */
export function fireTimers(): Promise<number> {
  armedAt = 0;
  const now = DateNow();
  return new PromiseCtor<number>(function (resolve) {
    function next(): void {
      const t = heap[0];
      if (t === undefined || t.at > now) {
        armedAt = t === undefined ? Infinity : t.at;
        return resolve(t === undefined ? 0 : MathMax(1, t.at - DateNow()));
      }
      unschedule(t);
      setCurrent(t.inv);
      try {
        reflectApply(t.callback, undefined, t.args);
      } catch (e) {
        if (!t.inv.done && t.inv.uncaught === undefined) t.inv.uncaught = e;
      }
      reflectApply(promiseThen, resolved(undefined), [next]);
    }
    next();
  });
}
