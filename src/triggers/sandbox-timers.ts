/**
 * Timers inside the isolate: `setTimeout` / `clearTimeout` keep every pending timer here, in one heap per isolate
 * ordered by due time, and the host holds a single Node timer for the earliest (`hostArm`, host-bridge.ts). When it
 * rings, the host calls `fireTimers()`, which runs the due callbacks in order, each followed by its own microtasks as
 * in Node. So the host holds O(1) per isolate however many timers an action sets (one host timer and promise each
 * used to cost ~8 KB of the server's memory: 100,000 of them, ~800 MB).
 *
 * A timer belongs to the invocation that set it: it runs in that invocation (its console, its uncaught errors) and is
 * cancelled when that invocation ends, so no callback runs after an execution's record is made — on an isolate that
 * may meanwhile serve another client. A timer set outside any invocation (top-level code) never runs. Caps:
 * `config.maxTimers` pending per invocation, `config.maxIsolateTimers` per isolate (in-isolate memory only, within
 * the isolate's memory limit); past them `setTimeout` throws a RangeError and the refusal is counted in the record
 * (`refused_calls.setTimeout`).
 *
 * Names in scope: the core (sandbox-core.ts), `hostArm` (a Reference).
 */
export const SANDBOX_TIMERS_SOURCE = String.raw`
/** Node's longest delay (TIMEOUT_MAX); a longer or invalid one becomes 1 ms, as in Node. */
var TIMEOUT_MAX = 2147483647;
var MathFloor = Math.floor, DateNow = Date.now;
/** Binary min-heap of timers by (at, id); each timer knows its index \`i\`. */
var heap = [], nextTimer = 1, armedAt = Infinity;
/** Pending timers by id. */
var timerById = ObjectCreate(null);

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

/** Asks the host to ring when the earliest timer is due, unless it will already ring by then; 0 disarms. */
function arm() {
  var first = heap[0];
  if (first === undefined) {
    if (armedAt !== Infinity) {
      armedAt = Infinity;
      hostArm.applySync(undefined, [0]);
    }
    return;
  }
  if (first.at >= armedAt) return;
  armedAt = first.at;
  hostArm.applySync(undefined, [Math.max(1, first.at - DateNow())]);
}

function unschedule(t) {
  heapRemove(t);
  t.inv.pendingTimers--;
  delete t.inv.timers[t.id];
  delete timerById[t.id];
}

/** Cancels an invocation's pending timers when it ends (sandbox-core's release). */
function cancelTimers(inv) {
  var ids = ObjectKeys(inv.timers);
  for (var k = 0; k < ids.length; k++) unschedule(inv.timers[ids[k]]);
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
  var t = { id: id, at: DateNow() + (ms >= 1 && ms <= TIMEOUT_MAX ? MathFloor(ms) : 1), inv: inv, i: heap.length,
    callback: callback, args: Array.prototype.slice.call(arguments, 2) };
  if (inv.timers === null) inv.timers = ObjectCreate(null);
  inv.timers[id] = t;
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
 * (as Node does), then asks for the next ring. Answers a promise the host awaits (within its own timeout).
 */
function fireTimers() {
  armedAt = Infinity;
  var now = DateNow();
  return new PromiseCtor(function (resolve) {
    function next() {
      var t = heap[0];
      if (t === undefined || t.at > now) {
        arm();
        return resolve(true);
      }
      unschedule(t);
      current = t.inv;
      try {
        reflectApply(t.callback, undefined, t.args);
      } catch (e) {
        if (!t.inv.done && t.inv.uncaught === undefined) t.inv.uncaught = e;
      }
      reflectApply(promiseThen, PromiseCtor.resolve(), [next]);
    }
    next();
  });
}
`;
