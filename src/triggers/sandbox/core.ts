/**
 * The part of the sandbox program shared by Auth0 and Kinde: it runs inside the isolate, before the action's code.
 *
 * It keeps one *invocation* per request: the recorder that `api` / `kinde.*` calls write to (claims, refusals,
 * denial, target scopes, console lines). Nothing here performs I/O; when the action ends, {@link finish} turns the
 * invocation into one JSON string, which is all the host reads back. Built-ins are captured before user code can
 * replace them. Plain JavaScript in a string: it is compiled by V8 inside the isolate, never by Node.
 *
 * Names in scope (from sandbox/bootstrap.ts): `config` (parsed {@link SandboxConfig}).
 */
export const SANDBOX_CORE_SOURCE = String.raw`
var JSONparse = JSON.parse, JSONstringify = JSON.stringify, StringCtor = String, ObjectCreate = Object.create;
var ObjectKeys = Object.keys, ArrayIsArray = Array.isArray, PromiseCtor = Promise, promiseThen = Promise.prototype.then;
var ErrorCtor = Error, TypeErrorCtor = TypeError, RangeErrorCtor = RangeError, reflectApply = Reflect.apply;
var hasOwn = Object.prototype.hasOwnProperty;
/*
 * The record is the host's only view of what an action did, and action code runs in this same realm: it can replace
 * any built-in (JSON.stringify, Array.prototype.join…), pollute prototypes (Object.prototype.toJSON, a getter for
 * 'denial' or for index 0 of every array) and keep them so for the isolate's later requests. So everything that makes
 * or carries a record uses only the intrinsics captured here, before any action code runs, called through
 * reflectApply; holds its data in objects and arrays without a prototype, whose reads and writes never leave their
 * own properties; and writes the record as JSON text from primitive pieces, each string quoted by the captured
 * JSON.stringify (which looks up no toJSON for a primitive). No object is serialised, no action code runs, so the
 * record says what the recorder saw. The host parses it strictly again (sandbox/record.ts) and re-checks every claim
 * (restricted-claims.ts).
 */
var ObjectSetPrototypeOf = Object.setPrototypeOf, ObjectDefineProperty = Object.defineProperty, PromiseResolve = Promise.resolve;
var stringSlice = String.prototype.slice, stringCharCodeAt = String.prototype.charCodeAt, stringIndexOf = String.prototype.indexOf;
var arraySlice = Array.prototype.slice, arrayJoin = Array.prototype.join, symbolToString = Symbol.prototype.toString;
var objectToString = Object.prototype.toString, NumberCtor = Number, parseIntFn = parseInt, parseFloatFn = parseFloat;
var RESTRICTED = ObjectCreate(null);
for (var ri = 0; ri < config.restricted.length; ri++) RESTRICTED[config.restricted[ri]] = true;
var SECRETS = config.secrets;

/** A new array without a prototype: writing or reading an index never reaches Array.prototype. */
function list() { var a = []; ObjectSetPrototypeOf(a, null); return a; }
/** Appends to a {@link list} (or any array whose indexes past its length nothing intercepts). */
function append(a, v) { a[a.length] = v; }
/** A record entry [a, b] of two strings, as JSON text. */
function pairJson(a, b) { return '[' + JSONstringify(a) + ',' + JSONstringify(b) + ']'; }
/** A comma-separated list of JSON texts kept as text, with \`item\` added. */
function joined(text, item) { return text === '' ? item : text + ',' + item; }
/**
 * Makes V8 store a concatenated string as one piece. Until something reads it whole, V8 keeps \`a + b + …\` as a tree
 * of its pieces; a record kept as a tree (a batch holds them until collect()) costs every young-generation GC a copy
 * of each piece: ~2 µs a request in a 64 MB isolate. Reading it as a number reads it whole, once (and is NaN).
 */
function flatten(s) { NumberCtor(s); }
/** A list of strings (target scopes) as a JSON array; anything else in it is dropped. */
function stringsJson(a) {
  var out = '';
  for (var i = 0; i < a.length; i++) if (typeof a[i] === 'string') out = joined(out, JSONstringify(a[i]));
  return '[' + out + ']';
}
function slice(s, start, end) { return reflectApply(stringSlice, s, [start, end]); }
function codeAt(s, i) { return reflectApply(stringCharCodeAt, s, [i]); }
function owns(o, key) { return reflectApply(hasOwn, o, [key]); }
/** A property the host's payload may leave out, read without reaching a getter on Object.prototype. */
function own(o, key) { return owns(o, key) ? o[key] : undefined; }
/** A copy of a list of strings (target scopes), as a {@link list}; anything else in it is dropped. */
function strings(a) {
  var out = list();
  for (var i = 0; i < a.length; i++) if (typeof a[i] === 'string') append(out, a[i]);
  return out;
}
/** A promise of \`value\` with the captured Promise.resolve. */
function resolved(value) { return reflectApply(PromiseResolve, PromiseCtor, [value]); }

/** The invocation whose code runs now: console lines and Kinde's global bindings write to it. */
var current = null;
/**
 * Fetches whose answer has not yet come back into the isolate, and timers pending (sandbox/timers.ts): while any is
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

/** The record's \`refusedCalls\` member as JSON text (with its leading comma), or '' when no call was refused. */
function refusedCallsJson(inv) {
  var counts = inv.refusedCalls;
  if (counts === undefined) return '';
  var kinds = ObjectKeys(counts), out = '';
  for (var i = 0; i < kinds.length; i++) out = joined(out, JSONstringify(kinds[i]) + ':' + counts[kinds[i]]);
  return ',"refusedCalls":{' + out + '}';
}

/** Unfinished invocations by the host's call number \`p.q\`, so that {@link drain} can read a stopped one's console. */
var unfinished = ObjectCreate(null);

/**
 * One request's recorder, from the host's parsed payload \`p\`. An object literal: each field is defined as the
 * recorder's own property at once, so no setter on Object.prototype can take a write and no getter answer a read
 * (a prototype-less object would do the same, but V8 keeps those in slow dictionary mode).
 */
function invocation(p) {
  var q = own(p, 'q');
  var inv = {
    q: q,
    done: false,
    prior: own(p, 'c'),
    bytes: own(p, 'n'),
    /** Claim names in the order first set (a {@link list}); their value JSON is in \`claims\`. */
    names: list(),
    claims: ObjectCreate(null),
    /** Refused claims, as the JSON text of the record's list (without brackets), and how many. */
    refused: '',
    refusedCount: 0,
    denial: null,
    /** The payload's target scopes (Auth0), copied with {@link strings} when the action first changes them. */
    initialTarget: own(p, 't'),
    target: null,
    /** Console lines, as the JSON text of the record's list (without brackets). */
    logs: '',
    logBytes: 0,
    logsTruncated: false,
    sideEffects: 0,
    /** Console lines written (the byte bound alone would not stop empty ones). */
    logLines: 0,
    /** Fetches of this invocation still out, the timers it set (a list, made by the first), its refused calls. */
    fetches: 0,
    timers: null,
    pendingTimers: 0,
    refusedCalls: undefined,
    /** First exception thrown by a timer callback of this invocation. */
    uncaught: undefined,
    /** Kinde: the issuer, for kinde.fetch. */
    issuer: undefined,
    /** The record, once made. */
    record: undefined,
  };
  if (q !== undefined) unfinished[q] = inv;
  return inv;
}

/** UTF-8 length of a well-formed string, in bytes. */
function utf8Length(s) {
  var n = s.length;
  for (var i = 0; i < s.length; i++) {
    var c = codeAt(s, i);
    if (c >= 0x80) n += c < 0x800 || (c >= 0xd800 && c <= 0xdfff) ? 1 : 2;
  }
  return n;
}
function truncateUtf8(s, max) {
  var n = 0;
  for (var i = 0; i < s.length; i++) {
    var c = codeAt(s, i), w = c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdbff ? 4 : c >= 0xdc00 && c <= 0xdfff ? 0 : 3;
    if (n + w > max) return slice(s, 0, i);
    n += w;
    if (w === 4) i++;
  }
  return s;
}

// Claims: the same rules as restricted-claims.ts on the host, so that the action sees what will be issued. Names
// live as keys of a prototype-less object, so \`constructor\` or \`toString\` is a claim like any other.
function entryBytes(name, json) { return utf8Length(JSONstringify(name)) + 1 + utf8Length(json) + 1; }
function refuse(inv, name, reason) {
  if (inv.refusedCount >= 100) return;
  inv.refusedCount++;
  inv.refused = joined(inv.refused, '{"name":' + JSONstringify(slice(name, 0, 200)) + ',"reason":' + JSONstringify(reason) + '}');
}
/** The JSON text of a claim an earlier action set, or undefined (the host re-checks sizes: this is the action's view). */
function priorJson(inv, name) {
  if (!owns(inv.prior, name)) return undefined;
  try {
    var json = JSONstringify(inv.prior[name]);
    return typeof json === 'string' ? json : undefined;
  } catch (e) {
    return undefined;
  }
}
function recordClaim(inv, name, value) {
  if (inv.done) return;
  if (typeof name !== 'string' || name === '') return refuse(inv, StringCtor(name), config.refusal.name);
  if (name === '__proto__') return refuse(inv, name, config.refusal.proto);
  if (RESTRICTED[name] === true) return refuse(inv, name, config.refusal.restricted);
  var json;
  try { json = JSONstringify(value); } catch (e) { json = undefined; }
  if (typeof json !== 'string') return refuse(inv, name, config.refusal.value);
  if (json.length > config.maxClaimsBytes) return refuse(inv, name, config.refusal.size);
  var mine = name in inv.claims, previous = mine ? inv.claims[name] : priorJson(inv, name);
  var next = inv.bytes - (previous === undefined ? 0 : entryBytes(name, previous)) + entryBytes(name, json);
  if (next > config.maxClaimsBytes) return refuse(inv, name, config.refusal.size);
  inv.bytes = next;
  if (!mine) append(inv.names, name);
  inv.claims[name] = json;
}
/** Defines \`name\` as an own property: no setter on Object.prototype can take the value instead. */
function defineOwn(o, name, value) {
  var d = ObjectCreate(null);
  d.value = value;
  d.writable = true;
  d.enumerable = true;
  d.configurable = true;
  ObjectDefineProperty(o, name, d);
}
/** Claims issued so far in the chain, earlier actions' and this one's, as fresh values, each an own property. */
function customClaims(inv) {
  var out = {}, keys = ObjectKeys(inv.prior), i, json;
  for (i = 0; i < keys.length; i++) {
    json = priorJson(inv, keys[i]);
    if (json !== undefined) defineOwn(out, keys[i], JSONparse(json));
  }
  for (i = 0; i < inv.names.length; i++) defineOwn(out, inv.names[i], JSONparse(inv.claims[inv.names[i]]));
  return out;
}

// console: captured per invocation, bounded to config.maxLogBytes of UTF-8 per action. The action's values may run
// its code while printed (a getter, a toJSON), as in Node; the formatting itself uses captured intrinsics only.
function inspect(v, seen) {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string': return seen ? JSONstringify(v) : v;
    case 'undefined': return 'undefined';
    case 'bigint': return StringCtor(v) + 'n';
    case 'symbol': return reflectApply(symbolToString, v, []);
    case 'function': return '[Function: ' + (v.name || '(anonymous)') + ']';
    case 'object': break;
    default: return StringCtor(v);
  }
  if (v instanceof ErrorCtor) {
    var stack = v.stack;
    return typeof stack === 'string' ? stack : v.name + ': ' + v.message;
  }
  var path = list();
  try {
    return JSONstringify(v, function (key, value) {
      if (typeof value === 'bigint') return StringCtor(value) + 'n';
      if (typeof value === 'function') return '[Function: ' + (value.name || '(anonymous)') + ']';
      if (value === undefined) return 'undefined';
      if (typeof value === 'object' && value !== null) {
        while (path.length > 0 && path[path.length - 1] !== this) path.length--;
        for (var i = 0; i < path.length; i++) if (path[i] === value) return '[Circular]';
        append(path, value);
      }
      return value;
    });
  } catch (e) {
    return reflectApply(objectToString, v, []);
  }
}
/** One % directive of a console format string (%s %d %i %f %j %o %O %c), or undefined when \`c\` is none. */
function directive(c, a) {
  switch (c) {
    case 0x73: return typeof a === 'string' ? a : inspect(a, false); // %s
    case 0x64: case 0x69: return typeof a === 'object' ? 'NaN' : StringCtor(c === 0x69 ? parseIntFn(a, 10) : NumberCtor(a)); // %d %i
    case 0x66: return StringCtor(parseFloatFn(a)); // %f
    case 0x63: return ''; // %c
    case 0x6a: case 0x6f: case 0x4f: return inspect(a, true); // %j %o %O
    default: return undefined;
  }
}
function formatLog(args) {
  var out = '', i = 0;
  if (typeof args[0] === 'string' && args.length > 1 && reflectApply(stringIndexOf, args[0], ['%']) >= 0) {
    var f = args[0], from = 0;
    i = 1;
    for (var k = 0; k < f.length - 1; k++) {
      if (codeAt(f, k) !== 0x25) continue;
      var c = codeAt(f, k + 1), text = c === 0x25 ? '%' : i < args.length ? directive(c, args[i]) : undefined;
      if (text === undefined) continue;
      if (c !== 0x25) i++;
      out += slice(f, from, k) + text;
      from = k + 2;
      k++;
    }
    out += slice(f, from, f.length);
  } else if (args.length > 0) {
    out = inspect(args[0], false);
    i = 1;
  }
  for (; i < args.length; i++) out += ' ' + inspect(args[i], false);
  return out;
}
function writeLog(inv, level, args) {
  if (inv === null || inv.done) return;
  if (inv.logsTruncated || inv.logLines >= MAX_LOG_LINES) {
    inv.logsTruncated = true;
    return refuseCall(inv, 'console');
  }
  var message;
  try { message = formatLog(args); } catch (e) { message = '[unprintable]'; }
  if (typeof message !== 'string') message = '[unprintable]';
  var bytes = utf8Length(message), room = config.maxLogBytes - inv.logBytes, isolateRoom = MAX_ISOLATE_LOG_BYTES - isolateLogBytes;
  if (isolateRoom < room) room = isolateRoom;
  if (bytes > room) {
    refuseCall(inv, 'console');
    inv.logsTruncated = true;
    message = truncateUtf8(message, room);
    if (message === '') return;
    bytes = utf8Length(message);
  }
  inv.logs = joined(inv.logs, pairJson(level, message));
  inv.logLines++;
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
  consoleObject[level] = function () { writeLog(current, level, reflectApply(arraySlice, arguments, [])); };
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
      // Each property read once: a getter may answer differently the second time.
      var name = e.name, stack = e.stack;
      return { name: typeof name === 'string' ? name : 'Error', message: slice(StringCtor(e.message), 0, 2000), stack: typeof stack === 'string' ? slice(stack, 0, 4000) : '' };
    }
    return { name: 'Error', message: slice('Uncaught ' + StringCtor(e), 0, 2000), stack: '' };
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
  var claims = '', denial = inv.denial;
  for (var i = 0; i < inv.names.length; i++) claims = joined(claims, pairJson(inv.names[i], inv.claims[inv.names[i]]));
  // Text from primitive pieces: see the note at the top. io first: the host reads it off the front of the string
  // (runtime/version-isolate.ts, ioOutAfter).
  inv.record = '{"io":' + (ioInFlight + timersPending) +
    ',"outcome":"' + (denial !== null ? 'denied' : failed ? 'error' : 'ok') + '"' +
    ',"denial":' + (denial === null ? 'null' : '{"code":' + JSONstringify(typeof denial.code === 'string' ? denial.code : 'server_error') +
      ',"reason":' + JSONstringify(typeof denial.reason === 'string' ? denial.reason : '') + '}') +
    ',"error":' + (error === null ? 'null' : '{"name":' + JSONstringify(error.name) + ',"message":' + JSONstringify(error.message) + '}') +
    ',"claims":[' + claims + '],"refused":[' + inv.refused + ']' +
    ',"target":' + (inv.target === null ? 'null' : stringsJson(inv.target)) +
    ',"logs":[' + inv.logs + '],"logsTruncated":' + (inv.logsTruncated ? 'true' : 'false') + refusedCallsJson(inv) + '}';
  flatten(inv.record);
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
  return '{"logs":[' + inv.logs + '],"logsTruncated":' + (inv.logsTruncated ? 'true' : 'false') + refusedCallsJson(inv) + '}';
}

/**
 * The entry points the host keeps, around the platform's \`start(p)\` (a parsed payload → a promise of its record).
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
    var b = ObjectCreate(null);
    b.list = JSONparse(payloads);
    b.out = list();
    b.next = 0;
    b.open = true;
    b.waiting = -1;
    b.promise = null;
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
    var lines = list();
    for (var i = 0; i < b.list.length; i++) {
      if (typeof b.out[i] === 'string') lines[i] = b.out[i];
      else if (i === b.waiting) {
        waiting[own(b.list[i], 'q')] = b.promise;
        lines[i] = 'P';
      } else lines[i] = 'N';
    }
    var text = reflectApply(arrayJoin, lines, ['\n']);
    return typeof text === 'string' ? text : '';
  }
  function waitFor(q) {
    var promise = waiting[q];
    delete waiting[q];
    return promise === undefined ? resolved(null) : promise;
  }
  // Each entry answers a string (or a promise of one, a boolean, null): an action that broke a built-in this code
  // calls makes an entry fail with a record, never with a thrown value (see sandbox/bootstrap.ts).
  return {
    run: function (payload) {
      try {
        return recordPromise(start(JSONparse(payload)));
      } catch (e) {
        return resolved(brokenRecord(e));
      }
    },
    runAll: function (payloads) {
      try { runAll(payloads); } catch (e) { batch = null; }
    },
    collect: function () {
      try { return collect(); } catch (e) { return ''; }
    },
    waitFor: function (q) {
      try { return recordPromise(waitFor(q)); } catch (e) { return resolved(brokenRecord(e)); }
    },
    drain: function (q) {
      try { var json = drain(q); return typeof json === 'string' ? json : null; } catch (e) { return null; }
    },
    quiet: function () {
      try { return quiet() === true; } catch (e) { return false; }
    },
    fireTimers: function () {
      try { return fireTimers(); } catch (e) { return resolved(0); }
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
  // Text from primitive pieces, as finish() writes: the action may have polluted what JSON.stringify would consult.
  return '{"io":' + (ioInFlight + timersPending) + ',"outcome":"error","denial":null,"error":{"name":' + JSONstringify(StringCtor(error.name)) +
    ',"message":' + JSONstringify(StringCtor(error.message)) + '},"claims":[],"refused":[],"target":null,"logs":[],"logsTruncated":false}';
}

/** Runs the action's entry point and settles to the record, whether it returns, throws or rejects. */
function settle(inv, run) {
  var result;
  try {
    result = run();
  } catch (e) {
    return resolved(finish(inv, true, e));
  }
  return new PromiseCtor(function (resolve) {
    reflectApply(promiseThen, resolved(result), [
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
