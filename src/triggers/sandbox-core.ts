/**
 * The part of the sandbox program shared by both dialects: it runs inside the isolate, before the action's code.
 *
 * It keeps one *invocation* per request: the recorder that `api` / `kinde.*` calls write to (claims, refusals,
 * denial, target scopes, console lines). Nothing here performs I/O; when the action ends, {@link finish} turns the
 * invocation into one JSON string, which is all the host reads back. Built-ins are captured before user code can
 * replace them. Plain JavaScript in a string: it is compiled by V8 inside the isolate, never by Node.
 *
 * Names in scope (from sandbox-bootstrap): `config` (parsed {@link SandboxConfig}).
 */
export const SANDBOX_CORE_SOURCE = String.raw`
var JSONparse = JSON.parse, JSONstringify = JSON.stringify, StringCtor = String, ObjectCreate = Object.create;
var ObjectKeys = Object.keys, ArrayIsArray = Array.isArray, PromiseCtor = Promise, promiseThen = Promise.prototype.then;
var ErrorCtor = Error, TypeErrorCtor = TypeError, RangeErrorCtor = RangeError, reflectApply = Reflect.apply;
var hasOwn = Object.prototype.hasOwnProperty, arrayJoin = Array.prototype.join, promiseResolve = Promise.resolve;
var RESTRICTED = ObjectCreate(null);
for (var ri = 0; ri < config.restricted.length; ri++) RESTRICTED[config.restricted[ri]] = true;
var SECRETS = config.secrets;

/** The invocation whose code runs now: console lines and Kinde's global bindings write to it. */
var current = null;
/**
 * Fetches whose answer has not yet come back into the isolate, and timers pending (sandbox-timers.ts): while any is
 * out, code may resume on the isolate's own thread at any time. {@link quiet} tells the host when none is.
 */
var ioInFlight = 0;
var timersPending = 0;
function ioStarted() { ioInFlight++; }
function ioReturned() { ioInFlight--; }
/** Whether nothing can resume in this isolate unasked: no host I/O out (the host calls this when no call runs). */
function quiet() { return ioInFlight === 0 && timersPending === 0; }

/** Console lines one invocation may write (empty ones cost no bytes, so the byte bound alone would not stop them). */
var MAX_LOG_LINES = 1000;
/** Console bytes all unfinished invocations of this isolate may hold together. */
var MAX_ISOLATE_LOG_BYTES = Math.max(1048576, config.maxLogBytes * 16);
var isolateLogBytes = 0;
/** Counts a call refused by a cap (\`setTimeout\`, \`fetch\`, \`console\`): the host shows it as \`refused_calls\`. */
function refuseCall(inv, kind) {
  if (inv === null || inv.done) return;
  if (inv.refusedCalls === undefined) inv.refusedCalls = ObjectCreate(null);
  inv.refusedCalls[kind] = (inv.refusedCalls[kind] || 0) + 1;
}

/** Unfinished invocations by the host's call number \`p.q\`, so that {@link drain} can read a stopped one's console. */
var unfinished = ObjectCreate(null);

function Invocation(p) {
  this.q = p.q;
  if (p.q !== undefined) unfinished[p.q] = this;
  this.done = false;
  this.prior = p.c;
  this.bytes = p.n;
  this.names = [];
  this.claims = ObjectCreate(null);
  this.refused = [];
  this.denial = null;
  this.initialTarget = p.t || [];
  this.target = null;
  this.logs = [];
  this.logBytes = 0;
  this.logsTruncated = false;
  this.sideEffects = 0;
  /** Fetches of this invocation still out, the timers it set (a list, made by the first), its refused calls. */
  this.fetches = 0;
  this.timers = null;
  this.pendingTimers = 0;
  this.refusedCalls = undefined;
  /** First exception thrown by a timer callback of this invocation. */
  this.uncaught = undefined;
}

/** UTF-8 length of a well-formed string, in bytes. */
function utf8Length(s) {
  var n = s.length;
  for (var i = 0; i < s.length; i++) {
    var c = s.charCodeAt(i);
    if (c >= 0x80) n += c < 0x800 || (c >= 0xd800 && c <= 0xdfff) ? 1 : 2;
  }
  return n;
}
function truncateUtf8(s, max) {
  var n = 0;
  for (var i = 0; i < s.length; i++) {
    var c = s.charCodeAt(i), w = c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdbff ? 4 : c >= 0xdc00 && c <= 0xdfff ? 0 : 3;
    if (n + w > max) return s.slice(0, i);
    n += w;
    if (w === 4) i++;
  }
  return s;
}

// Claims: the same rules as restricted-claims.ts on the host, so that the action sees what will be issued.
function entryBytes(name, json) { return utf8Length(JSONstringify(name)) + 1 + utf8Length(json) + 1; }
function refuse(inv, name, reason) { if (inv.refused.length < 100) inv.refused[inv.refused.length] = { name: name.slice(0, 200), reason: reason }; }
function recordClaim(inv, name, value) {
  if (inv.done) return;
  if (typeof name !== 'string' || name === '') return refuse(inv, StringCtor(name), config.refusal.name);
  if (RESTRICTED[name] === true) return refuse(inv, name, config.refusal.restricted);
  var json;
  try { json = JSONstringify(value); } catch (e) { json = undefined; }
  if (typeof json !== 'string') return refuse(inv, name, config.refusal.value);
  if (json.length > config.maxClaimsBytes) return refuse(inv, name, config.refusal.size);
  var previous = name in inv.claims ? inv.claims[name] : hasOwn.call(inv.prior, name) ? JSONstringify(inv.prior[name]) : undefined;
  var next = inv.bytes - (previous === undefined ? 0 : entryBytes(name, previous)) + entryBytes(name, json);
  if (next > config.maxClaimsBytes) return refuse(inv, name, config.refusal.size);
  inv.bytes = next;
  if (!(name in inv.claims)) inv.names[inv.names.length] = name;
  inv.claims[name] = json;
}
/** Claims issued so far in the chain, earlier actions' and this one's, as fresh values. */
function customClaims(inv) {
  var out = {}, keys = ObjectKeys(inv.prior), i;
  for (i = 0; i < keys.length; i++) out[keys[i]] = JSONparse(JSONstringify(inv.prior[keys[i]]));
  for (i = 0; i < inv.names.length; i++) out[inv.names[i]] = JSONparse(inv.claims[inv.names[i]]);
  return out;
}

// console: captured per invocation, bounded to config.maxLogBytes of UTF-8 per action.
function inspect(v, seen) {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string': return seen ? JSONstringify(v) : v;
    case 'undefined': return 'undefined';
    case 'bigint': return StringCtor(v) + 'n';
    case 'symbol': return v.toString();
    case 'function': return '[Function: ' + (v.name || '(anonymous)') + ']';
    case 'object': break;
    default: return StringCtor(v);
  }
  if (v instanceof ErrorCtor) return typeof v.stack === 'string' ? v.stack : v.name + ': ' + v.message;
  var stack = [];
  try {
    return JSONstringify(v, function (key, value) {
      if (typeof value === 'bigint') return StringCtor(value) + 'n';
      if (typeof value === 'function') return '[Function: ' + (value.name || '(anonymous)') + ']';
      if (value === undefined) return 'undefined';
      if (typeof value === 'object' && value !== null) {
        while (stack.length > 0 && stack[stack.length - 1] !== this) stack.pop();
        if (stack.indexOf(value) >= 0) return '[Circular]';
        stack[stack.length] = value;
      }
      return value;
    });
  } catch (e) {
    return Object.prototype.toString.call(v);
  }
}
function formatLog(args) {
  var out = '', i = 0;
  if (typeof args[0] === 'string' && args[0].indexOf('%') >= 0 && args.length > 1) {
    i = 1;
    out = args[0].replace(/%[sdifjoOc%]/g, function (m) {
      if (m === '%%') return '%';
      if (i >= args.length) return m;
      var a = args[i++];
      switch (m) {
        case '%s': return typeof a === 'string' ? a : inspect(a, false);
        case '%d': case '%i': return typeof a === 'object' ? 'NaN' : StringCtor(m === '%i' ? parseInt(a, 10) : Number(a));
        case '%f': return StringCtor(parseFloat(a));
        case '%c': return '';
        default: return inspect(a, true);
      }
    });
  } else if (args.length > 0) {
    out = inspect(args[0], false);
    i = 1;
  }
  for (; i < args.length; i++) out += ' ' + inspect(args[i], false);
  return out;
}
function writeLog(inv, level, args) {
  if (inv === null || inv.done) return;
  if (inv.logsTruncated || inv.logs.length >= MAX_LOG_LINES) {
    inv.logsTruncated = true;
    return refuseCall(inv, 'console');
  }
  var message;
  try { message = formatLog(args); } catch (e) { message = '[unprintable]'; }
  var bytes = utf8Length(message), room = Math.min(config.maxLogBytes - inv.logBytes, MAX_ISOLATE_LOG_BYTES - isolateLogBytes);
  if (bytes > room) {
    refuseCall(inv, 'console');
    inv.logsTruncated = true;
    message = truncateUtf8(message, room);
    if (message === '') return;
    bytes = utf8Length(message);
  }
  inv.logs[inv.logs.length] = [level, message];
  inv.logBytes += bytes;
  isolateLogBytes += bytes;
}
/** Ends what an invocation holds in the isolate: its console bytes, its pending timers. */
function release(inv) {
  inv.done = true;
  if (current === inv) current = null;
  delete unfinished[inv.q];
  isolateLogBytes -= inv.logBytes;
  if (inv.timers !== null) cancelTimers(inv);
}
var consoleObject = {};
['log', 'info', 'warn', 'error', 'debug'].forEach(function (level) {
  consoleObject[level] = function () { writeLog(current, level, Array.prototype.slice.call(arguments)); };
});
consoleObject.trace = consoleObject.debug;
consoleObject.dir = consoleObject.log;
globalThis.console = consoleObject;

/** CommonJS require: there are no modules in the sandbox; say so plainly. */
function require(name) {
  throw new ErrorCtor("Modules are not available in Minter actions: require('" + StringCtor(name) +
    "') cannot be loaded. Only the platform globals (fetch, URL, console, api / kinde bindings) exist.");
}

function describeError(e) {
  try {
    if (e !== null && typeof e === 'object') {
      var name = typeof e.name === 'string' ? e.name : 'Error';
      return { name: name, message: StringCtor(e.message).slice(0, 2000), stack: typeof e.stack === 'string' ? e.stack.slice(0, 4000) : '' };
    }
    return { name: 'Error', message: 'Uncaught ' + StringCtor(e).slice(0, 2000), stack: '' };
  } catch (err) {
    return { name: 'Error', message: 'Uncaught exception', stack: '' };
  }
}

/** Ends an invocation once: the JSON record the host reads. Calls made after this are ignored. */
function finish(inv, failed, err) {
  if (inv.done) return inv.record;
  if (!failed && inv.uncaught !== undefined) {
    failed = true;
    err = inv.uncaught;
  }
  var error = failed ? describeError(err) : null;
  if (error !== null) writeLog(inv, 'error', ['Uncaught ' + (error.stack !== '' ? error.stack : error.name + ': ' + error.message)]);
  release(inv);
  var claims = [];
  for (var i = 0; i < inv.names.length; i++) claims[i] = [inv.names[i], inv.claims[inv.names[i]]];
  // io first: the host reads it off the front of the string (version-isolate.ts, ioOutAfter).
  inv.record = JSONstringify({
    io: ioInFlight + timersPending,
    outcome: inv.denial !== null ? 'denied' : failed ? 'error' : 'ok',
    denial: inv.denial,
    error: error === null ? null : { name: error.name, message: error.message },
    claims: claims,
    refused: inv.refused,
    target: inv.target,
    logs: inv.logs,
    logsTruncated: inv.logsTruncated,
    refusedCalls: inv.refusedCalls,
  });
  return inv.record;
}

/**
 * Ends an invocation the host stopped (out of time): its console so far, as JSON, or null when it already ended.
 * Whatever the action still does afterwards is ignored, as after {@link finish}.
 */
function drain(q) {
  var inv = unfinished[q];
  if (inv === undefined) return null;
  release(inv);
  return JSONstringify({ logs: inv.logs, logsTruncated: inv.logsTruncated, refusedCalls: inv.refusedCalls });
}

/**
 * The entry points the host keeps, around the dialect's \`start(p)\` (a parsed payload → a promise of its record).
 *
 * \`run(payload)\` runs one request. A batch runs several in one host call: \`runAll(payloads)\` (a JSON array) starts
 * them one after another, each once the one before has settled, so that each runs alone as with \`run\` (console
 * lines go to the right request); \`collect()\`, which the host calls right after (isolated-vm has run the microtasks
 * by then), answers one line per request — its record, \`P\` (started, still waiting: for host I/O, or for ever) or
 * \`N\` (not started) — and closes the batch: nothing more starts, and a waiting one is left to \`waitFor(q)\`.
 */
function makeEntries(start) {
  var batch = null, waiting = ObjectCreate(null);
  function runAll(payloads) {
    var b = { list: JSONparse(payloads), out: [], next: 0, open: true, waiting: -1, promise: null };
    batch = b;
    step(b);
  }
  function step(b) {
    while (b.open && b.next < b.list.length) {
      var i = b.next++, settled;
      try {
        settled = start(b.list[i]);
      } catch (e) {
        continue; // reported as not started: the host runs it alone, where the error surfaces
      }
      b.waiting = i;
      b.promise = settled;
      reflectApply(promiseThen, settled, [function (record) {
        b.out[i] = record;
        if (b.waiting === i) b.waiting = -1;
        step(b);
      }]);
      return;
    }
  }
  function collect() {
    var b = batch;
    batch = null;
    if (b === null) return '';
    b.open = false;
    var lines = [];
    for (var i = 0; i < b.list.length; i++) {
      if (b.out[i] !== undefined) lines[i] = b.out[i];
      else if (i === b.waiting) {
        waiting[b.list[i].q] = b.promise;
        lines[i] = 'P';
      } else lines[i] = 'N';
    }
    var text = reflectApply(arrayJoin, lines, ['\n']);
    return typeof text === 'string' ? text : '';
  }
  function waitFor(q) {
    var promise = waiting[q];
    delete waiting[q];
    return promise === undefined ? reflectApply(promiseResolve, PromiseCtor, [null]) : promise;
  }
  // Each entry answers a string (or a promise of one, a boolean, null): an action that broke a built-in this code
  // calls makes an entry fail with a record, never with a thrown value (see sandbox-bootstrap.ts).
  return {
    run: function (payload) {
      try {
        return recordPromise(start(JSONparse(payload)));
      } catch (e) {
        return reflectApply(promiseResolve, PromiseCtor, [brokenRecord(e)]);
      }
    },
    runAll: function (payloads) {
      try { runAll(payloads); } catch (e) { batch = null; }
    },
    collect: function () {
      try { return collect(); } catch (e) { return ''; }
    },
    waitFor: function (q) {
      try { return recordPromise(waitFor(q)); } catch (e) { return reflectApply(promiseResolve, PromiseCtor, [brokenRecord(e)]); }
    },
    drain: function (q) {
      try { var json = drain(q); return typeof json === 'string' ? json : null; } catch (e) { return null; }
    },
    quiet: function () {
      try { return quiet() === true; } catch (e) { return false; }
    },
    fireTimers: function () {
      try { return fireTimers(); } catch (e) { return reflectApply(promiseResolve, PromiseCtor, [0]); }
    },
  };
}

/** A native promise of the record \`settled\` settles to: a string, null (nothing was waiting), or a failure record. */
function recordPromise(settled) {
  return new PromiseCtor(function (resolve) {
    reflectApply(promiseThen, settled, [
      function (record) { resolve(typeof record === 'string' || record === null ? record : brokenRecord()); },
      function (e) { resolve(brokenRecord(e)); },
    ]);
  });
}

/** The record of a call whose own sandbox code failed (the action replaced something it relies on). */
function brokenRecord(e) {
  var error = describeError(e === undefined ? new ErrorCtor('The action returned no record') : e);
  return JSONstringify({
    io: ioInFlight, outcome: 'error', denial: null, error: { name: error.name, message: error.message },
    claims: [], refused: [], target: null, logs: [], logsTruncated: false,
  });
}

/** Runs the action's entry point and settles to the record, whether it returns, throws or rejects. */
function settle(inv, run) {
  var result;
  try {
    result = run();
  } catch (e) {
    return reflectApply(promiseResolve, PromiseCtor, [finish(inv, true, e)]);
  }
  return new PromiseCtor(function (resolve) {
    reflectApply(promiseThen, reflectApply(promiseResolve, PromiseCtor, [result]), [
      function () { resolve(finish(inv, false)); },
      function (e) { resolve(finish(inv, true, e)); },
    ]);
  });
}

/** Turns a Reference call's failure into a plain message the action can read. */
function hostMessage(e) {
  return e !== null && typeof e === 'object' && typeof e.message === 'string' ? e.message : StringCtor(e);
}
`;
