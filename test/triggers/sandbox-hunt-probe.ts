/**
 * The crash hunt's probe: code that runs inside an action's isolate, finds every function the action can reach and
 * calls each with odd receivers and arguments (see sandbox-crash-hunt.test.ts).
 *
 * Reachable functions: everything on the global object, `event` and `api` / `kinde`, followed through own property
 * values, accessors (getters and setters are functions too), prototypes and `.prototype`, breadth first, each object
 * once. The order is stable (sorted names), so every child process numbers the functions alike and takes its share.
 * Progress goes to the host synchronously before each function (`report`), so a crash names the function it was in.
 */

/** What the probe needs from the platform: how to report progress, and the roots beyond the global object. */
export interface ProbePlatform {
  /** Statement body of the entry point's head: defines `report(text)` and `roots` (an object of named roots). */
  prologue: string;
  /** Wraps the probe body (which uses `start`, `stop`, `skip`) into the action module. */
  module(body: string): string;
}

/** The Node built-ins an Auth0 action may require (issue 13): each a root, so their functions are hunted too. */
const NODE_MODULES = [
  'buffer',
  'crypto',
  'events',
  'http',
  'https',
  'os',
  'path',
  'querystring',
  'stream',
  'string_decoder',
  'url',
  'util',
];

export const AUTH0_PROBE: ProbePlatform = {
  prologue: `
    var report = function (text) { api.cache.get('~' + text); };
    var modules = {};
    ${JSON.stringify(NODE_MODULES)}.forEach(function (name) { modules[name] = require(name); });
    modules.globals = { Buffer: Buffer, crypto: crypto, TextEncoder: TextEncoder, TextDecoder: TextDecoder, structuredClone: structuredClone };
    var roots = { event: event, api: api, modules: modules };
    var settings = JSON.parse(event.secrets.SETTINGS);`,
  module: (body) => `exports.onExecuteCredentialsExchange = async (event, api) => {\n${body}\n};`,
};

export const KINDE_PROBE: ProbePlatform = {
  prologue: `
    var report = function (text) { kinde.fetch(kinde.env.get('ISSUER').value + '/api/v1/~' + encodeURIComponent(text)); };
    var roots = { event: event, kinde: kinde };
    var settings = JSON.parse(kinde.env.get('SETTINGS').value);`,
  module: (body) =>
    `module.exports = { workflowSettings: { id: 'hunt', trigger: 'm2m:token_generation', bindings: { 'kinde.fetch': {}, 'kinde.env': {}, 'kinde.m2mToken': {}, 'url': {} } },\n` +
    `  default: async function (event) {\n${body}\n} };`,
};

/**
 * The probe body. `settings` carries `{ start, chunk, chunks, skip, only, list, tame }`: functions are numbered from 0
 * in the stable order; this run calls those with `index % chunks === chunk` from `start` on; `tame` leaves out the
 * values 2³²−1 long; the functions named in `skip` get neither those nor the 1 MB string (see the test); `only`, when given, lists
 * the only paths to call (the Kinde pass calls what the Auth0 pass did not); `list` calls none. Reports: `n <count>` and
 * `calls <per function> <per skipped function>` once, `f <index> <path>` before each function, `done` at the end.
 */
export const PROBE_BODY = String.raw`
  'use strict';
  var apply = Reflect.apply, construct = Reflect.construct, ownKeys = Reflect.ownKeys, getProto = Reflect.getPrototypeOf;
  var getDesc = Reflect.getOwnPropertyDescriptor, StringC = String, push = Array.prototype.push, sort = Array.prototype.sort;
  var then = Promise.prototype.then, isArray = Array.isArray, ProxyC = Proxy, revocable = Proxy.revocable, SymbolC = Symbol;
  var ObjectCreate = Object.create, noop = function () {};

  // Every function reachable from the roots, with a stable name: what the global object reaches first, then what
  // only the platform's other roots reach.
  var seen = new Set(), found = [], queue = [];
  function visit(value, path) {
    if (value === null || (typeof value !== 'object' && typeof value !== 'function') || seen.has(value)) return;
    seen.add(value);
    if (typeof value === 'function') apply(push, found, [{ f: value, path: path }]);
    apply(push, queue, [{ v: value, path: path }]);
  }
  function explore(from) {
    for (var qi = from; qi < queue.length; qi++) {
      var item = queue[qi], keys;
      try { keys = ownKeys(item.v); } catch (e) { continue; }
      var names = [];
      for (var ki = 0; ki < keys.length; ki++) apply(push, names, [{ key: keys[ki], name: typeof keys[ki] === 'symbol' ? '[' + StringC(keys[ki].description) + ']' : keys[ki] }]);
      apply(sort, names, [function (a, b) { return a.name < b.name ? -1 : a.name > b.name ? 1 : 0; }]);
      for (var ni = 0; ni < names.length; ni++) {
        var d;
        try { d = getDesc(item.v, names[ni].key); } catch (e) { continue; }
        if (d === undefined) continue;
        var at = item.path + '.' + names[ni].name;
        if ('value' in d) visit(d.value, at);
        if (d.get) visit(d.get, 'get ' + at);
        if (d.set) visit(d.set, 'set ' + at);
      }
      var proto;
      try { proto = getProto(item.v); } catch (e) { proto = null; }
      visit(proto, item.path + '.__proto__');
    }
    return queue.length;
  }
  visit(globalThis, 'globalThis');
  var explored = explore(0);
  var rootNames = Object.keys(roots).sort();
  for (var r = 0; r < rootNames.length; r++) visit(roots[rootNames[r]], rootNames[r]);
  explore(explored);
  report('n ' + found.length);
  if (settings.list) {
    for (var li = 0; li < found.length; li++) report('f ' + li + ' ' + found[li].path);
    report('done');
    return;
  }

  // Odd values: receivers and arguments.
  var throwing = { get: function () { throw new TypeError('trap'); } };
  function throwingProxy(target) {
    return new ProxyC(target, { get: throwing.get, has: throwing.get, ownKeys: throwing.get, getPrototypeOf: throwing.get,
      getOwnPropertyDescriptor: throwing.get, defineProperty: throwing.get, set: throwing.get, apply: throwing.get, construct: throwing.get });
  }
  var revoked = revocable({}, {}); revoked.revoke();
  // Deep nesting: an object 20,000 levels deep (recursive algorithms: JSON, copies), an array 500 deep (joining a
  // nested array is quadratic in V8: 10,000 levels cost 160 ms per string conversion).
  var deepObject = {}; for (var i = 0; i < 20000; i++) deepObject = { a: deepObject };
  var deep = []; for (var j = 0; j < 500; j++) deep = [deep];
  var cyclic = { a: 1 }; cyclic.self = cyclic;
  var rab = new ArrayBuffer(16, { maxByteLength: 64 }), shrunk = new Uint8Array(rab, 8); rab.resize(4);
  var rejected = Promise.reject(new Error('odd')); apply(then, rejected, [noop, noop]);
  var hugeArrayLike = { length: 4294967295 }, holey = new Array(4294967295), long = 'x'.repeat(1048576);
  var values = [
    undefined, null, true, 0, -0, -1, 0.5, 2147483648, 4294967295, 4294967296, 9007199254740991, -9007199254740992,
    1e308, 5e-324, NaN, Infinity, -Infinity,
    '', 'a', '\u0000\ud800', long, '__proto__', 'en-US-u-ca-islamic-x-' + 'a'.repeat(60),
    -1n, 18446744073709551616n, 2n ** 65536n, SymbolC('odd'),
    {}, [1, 2, 3], ObjectCreate(null), cyclic, deep, deepObject, hugeArrayLike, { length: -1 }, holey,
    { get x() { throw new Error('getter'); }, valueOf: function () { throw new Error('valueOf'); }, toString: function () { throw new Error('toString'); } },
    { valueOf: function () { return {}; }, toString: function () { return {}; } },
    { [SymbolC.toPrimitive]: function () { return 4294967295; } },
    { [SymbolC.iterator]: function () { throw new Error('iterator'); } },
    throwingProxy({}), throwingProxy(function () {}), new ProxyC([], {}), revoked.proxy,
    function () { throw new Error('callback'); }, function () { return throwingProxy({}); }, class {},
    new Date(NaN), new Date(8.64e15), /(a+)+$/u, /(?:)/g,
    new Uint8Array(16), new BigInt64Array(2), new ArrayBuffer(8), rab, shrunk, new DataView(new ArrayBuffer(8)),
    new Map([[1, 2]]), new WeakRef({}), rejected, new Error('e'),
  ];
  // Values whose length makes a built-in loop 2^32 times (left out unless the hunt runs with them), and the long string
  // (left out for the built-ins that make one key per character of it: the test's KNOWN_UNINTERRUPTIBLE).
  var huge = new Set([hugeArrayLike, holey]), hugeOrLong = new Set([hugeArrayLike, holey, long]);
  var argSets = [[]];
  for (var vi = 0; vi < values.length; vi++) apply(push, argSets, [[values[vi]]]);
  apply(push, argSets, [[0, 4294967295], [-1, NaN], [9007199254740991, 9007199254740991], [4294967295, -1], [Infinity, 0],
    ['x'.repeat(65536), 4294967295], [{}, throwingProxy({}), 1], ['en', { timeZone: 'Etc/GMT+14', calendar: 'islamic-umalqura' }]]);
  var receivers = [undefined, {}, 'str', throwingProxy({}), hugeArrayLike, shrunk];

  function swallow(result) {
    if (result !== null && (typeof result === 'object' || typeof result === 'function')) {
      try { if (typeof result.then === 'function') apply(then, result, [noop, noop]); } catch (e) {}
    }
  }

  /** The receivers and argument sets without any value of \`leftOut\`. */
  function without(leftOut) {
    var set = { receivers: [], argSets: [] };
    for (var ti = 0; ti < receivers.length; ti++) if (!leftOut.has(receivers[ti])) apply(push, set.receivers, [receivers[ti]]);
    outer: for (var tj = 0; tj < argSets.length; tj++) {
      for (var tk = 0; tk < argSets[tj].length; tk++) if (leftOut.has(argSets[tj][tk])) continue outer;
      apply(push, set.argSets, [argSets[tj]]);
    }
    return set;
  }
  var all = { receivers: receivers, argSets: argSets }, tame = without(huge), mild = without(hugeOrLong);
  var count = function (set) { return (set.receivers.length + 1) * set.argSets.length; };
  report('calls ' + count(settings.tame ? tame : all) + ' ' + count(mild));

  var skip = new Set(settings.skip), only = settings.only ? new Set(settings.only) : null;
  for (var fi = settings.start; fi < found.length; fi++) {
    if (fi % settings.chunks !== settings.chunk) continue;
    var entry = found[fi];
    if (only !== null && !only.has(entry.path)) continue;
    var odd = skip.has(entry.path) ? mild : settings.tame ? tame : all;
    report('f ' + fi + ' ' + entry.path);
    for (var ri = 0; ri < odd.receivers.length; ri++) {
      for (var ai = 0; ai < odd.argSets.length; ai++) {
        try { swallow(apply(entry.f, odd.receivers[ri], odd.argSets[ai])); } catch (e) {}
      }
    }
    for (var ci = 0; ci < odd.argSets.length; ci++) {
      try { swallow(construct(entry.f, odd.argSets[ci])); } catch (e) {}
    }
  }
  report('done');
`;
