/**
 * Timers inside the isolate: `setTimeout` / `clearTimeout` keep every pending timer here, in one heap per isolate
 * ordered by due time, and the host holds a single Node timer for the earliest (`hostArm`, runtime/host-bridge.ts).
 * When it rings, the host calls `fireTimers()`, which runs the due callbacks in order, each followed by its own microtasks as
 * in Node, and answers when the next one is due. So the host holds O(1) per isolate however many timers an action sets (one host timer and promise each
 * used to cost ~8 KB of the server's memory: 100,000 of them, ~800 MB).
 *
 * A timer belongs to the invocation that set it: it runs in that invocation (its console, its uncaught errors) and is
 * cancelled when that invocation ends, so no callback runs after an execution's record is made — on an isolate that
 * may meanwhile serve another client. A timer set outside any invocation (top-level code) never runs. Caps:
 * `config.maxTimers` pending per invocation, `config.maxIsolateTimers` per isolate (in-isolate memory only, within
 * the isolate's memory limit); past them `setTimeout` throws a RangeError and the refusal is counted in the record
 * (`refused_calls.setTimeout`).
 *
 * Names in scope: the core (sandbox/core.ts), `hostArm` (a Reference).
 */
export const SANDBOX_TIMERS_SOURCE = String.raw`
/** Node's longest delay (TIMEOUT_MAX); a longer or invalid one becomes 1 ms, as in Node. */
var TIMEOUT_MAX = 2147483647;
var MathFloor = Math.floor, MathMax = Math.max, DateNow = Date.now, arraySlice = Array.prototype.slice, NO_ARGS = [];
/** Binary min-heap of timers by (at, id); each timer knows its index \`i\`. */
var heap = [], nextTimer = 1, armedAt = Infinity;
/** Pending timers by id. */
var timerById = ObjectCreate(null);
/**
 * Node's timers count from the event loop's time, read once per turn: timers set in one synchronous run share it, so
 * setTimeout(a, 10) then setTimeout(c, 5) fires c first however long the code between the two calls took (on a busy
 * machine, more than 5 ms). Here the clock is read at the first setTimeout of a run and kept until its microtasks.
 */
var turnNow = -1;
function forgetTurnNow() { turnNow = -1; }
function loopNow() {
  if (turnNow < 0) {
    turnNow = DateNow();
    reflectApply(promiseThen, resolved(undefined), [forgetTurnNow]);
  }
  return turnNow;
}

function earlier(a, b) { return a.at < b.at || (a.at === b.at && a.id < b.id); }
function place(t, i) { heap[i] = t; t.i = i; }
function siftUp(i) {
  var t = heap[i];
  while (i > 0) {
    var parent = (i - 1) >> 1;
    if (!earlier(t, heap[parent])) break;
    place(heap[parent], i);
    i = parent;
  }
  place(t, i);
}
function siftDown(i) {
  var t = heap[i], n = heap.length;
  for (;;) {
    var child = 2 * i + 1;
    if (child >= n) break;
    if (child + 1 < n && earlier(heap[child + 1], heap[child])) child++;
    if (!earlier(heap[child], t)) break;
    place(heap[child], i);
    i = child;
  }
  place(t, i);
}
function heapRemove(t) {
  var last = heap.pop();
  if (last !== t) {
    place(last, t.i);
    siftUp(last.i);
    siftDown(last.i);
  }
  t.i = -1;
  timersPending = heap.length;
}

/**
 * Asks the host to ring when the earliest timer is due, unless it will already ring by then; 0 disarms. While
 * {@link fireTimers} runs, \`armedAt\` is 0: the host re-arms with what that call answers, so no call is made here.
 */
function arm() {
  var first = heap[0];
  if (first === undefined) {
    if (armedAt !== Infinity && armedAt !== 0) {
      armedAt = Infinity;
      hostArm.applySync(undefined, [0]);
    }
    return;
  }
  if (first.at >= armedAt) return;
  armedAt = first.at;
  hostArm.applySync(undefined, [MathMax(1, first.at - DateNow())]);
}

function unschedule(t) {
  heapRemove(t);
  delete timerById[t.id];
  var inv = t.inv;
  inv.pendingTimers--;
  // The invocation's list keeps cleared timers until it ends; compact it when they are most of it.
  if (inv.timers.length > 64 && inv.timers.length > 2 * inv.pendingTimers) {
    var kept = [];
    for (var k = 0; k < inv.timers.length; k++) if (inv.timers[k].i >= 0) kept[kept.length] = inv.timers[k];
    inv.timers = kept;
  }
}

/** Cancels an invocation's pending timers when it ends (release in sandbox/core.ts). */
function cancelTimers(inv) {
  var list = inv.timers;
  for (var k = 0; k < list.length; k++) if (list[k].i >= 0) unschedule(list[k]);
  inv.timers = null;
  arm();
}

function Timeout(id) { this.id = id; }
Timeout.prototype.ref = function () { return this; };
Timeout.prototype.unref = function () { return this; };
Timeout.prototype.hasRef = function () { return true; };
Timeout.prototype[Symbol.toPrimitive] = function () { return this.id; };

function setTimeout(callback, delay) {
  if (typeof callback !== 'function') throw new TypeErrorCtor('The "callback" argument must be of type function');
  var inv = current, id = nextTimer++, ms = Number(delay);
  if (inv === null || inv.done) return new Timeout(id);
  if (inv.pendingTimers >= config.maxTimers) {
    refuseCall(inv, 'setTimeout');
    throw new RangeErrorCtor('setTimeout refused: an execution may have at most ' + config.maxTimers + ' timers pending');
  }
  if (heap.length >= config.maxIsolateTimers) {
    refuseCall(inv, 'setTimeout');
    throw new RangeErrorCtor('setTimeout refused: at most ' + config.maxIsolateTimers + ' timers may be pending on one isolate of an action version');
  }
  var t = { id: id, at: loopNow() + (ms >= 1 && ms <= TIMEOUT_MAX ? MathFloor(ms) : 1), inv: inv, i: heap.length,
    callback: callback, args: arguments.length > 2 ? reflectApply(arraySlice, arguments, [2]) : NO_ARGS };
  if (inv.timers === null) inv.timers = [];
  inv.timers[inv.timers.length] = t;
  inv.pendingTimers++;
  timerById[id] = t;
  heap[heap.length] = t;
  siftUp(t.i);
  timersPending = heap.length;
  arm();
  return new Timeout(id);
}

function clearTimeout(timer) {
  var t = timerById[timer instanceof Timeout ? timer.id : Number(timer)];
  if (t === undefined) return;
  unschedule(t);
  arm();
}

/**
 * The host's timer rang: runs the timers due by now in order, each callback followed by the microtasks it queued
 * (as Node does). Answers a promise of the ms until the next timer is due (0: none), with which the host re-arms:
 * one crossing per ring, where asking the host from here (a synchronous call) would block this thread on the host's.
 */
function fireTimers() {
  armedAt = 0;
  var now = DateNow();
  return new PromiseCtor(function (resolve) {
    function next() {
      var t = heap[0];
      if (t === undefined || t.at > now) {
        armedAt = t === undefined ? Infinity : t.at;
        return resolve(t === undefined ? 0 : MathMax(1, t.at - DateNow()));
      }
      unschedule(t);
      current = t.inv;
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
`;
