/**
 * HTTP inside the isolate: request normalisation shared by `fetch` (Auth0) and `kinde.fetch`, plus a WHATWG-shaped
 * `Headers` / `Response` pair and the global async `fetch`. The request crosses to the host as two strings (URL and
 * JSON init) through the `hostFetch` Reference; the answer comes back as one JSON string. The egress guard lives on the
 * host (`HostServices.fetch`).
 *
 * Names in scope: the core (sandbox/core.ts), `URLSearchParams` (sandbox/url.ts), `hostFetch` (a Reference).
 */
export const SANDBOX_FETCH_SOURCE = String.raw`
/** URL, method, lower-cased headers and a string body, from fetch-style arguments. */
function requestParts(input, init, objectBodyAsJson) {
  var url = typeof input === 'string' ? input
    : input !== null && typeof input === 'object' && typeof input.href === 'string' ? input.href
    : input !== null && typeof input === 'object' && typeof input.url === 'string' ? input.url
    : StringCtor(input);
  if (init === undefined || init === null) init = {};
  var method = init.method === undefined ? 'GET' : StringCtor(init.method).toUpperCase();
  var headers = ObjectCreate(null), h = init.headers;
  if (h !== undefined && h !== null) {
    if (ArrayIsArray(h)) {
      for (var i = 0; i < h.length; i++) headers[StringCtor(h[i][0]).toLowerCase()] = StringCtor(h[i][1]);
    } else if (typeof h.forEach === 'function') {
      h.forEach(function (value, key) { headers[StringCtor(key).toLowerCase()] = StringCtor(value); });
    } else {
      var keys = ObjectKeys(h);
      for (var k = 0; k < keys.length; k++) headers[keys[k].toLowerCase()] = StringCtor(h[keys[k]]);
    }
  }
  var body = init.body;
  if (body === undefined || body === null) body = undefined;
  else if (body instanceof URLSearchParams) {
    if (headers['content-type'] === undefined) headers['content-type'] = 'application/x-www-form-urlencoded;charset=UTF-8';
    body = body.toString();
  } else if (typeof body === 'string') {
    if (headers['content-type'] === undefined) headers['content-type'] = 'text/plain;charset=UTF-8';
  } else if (objectBodyAsJson && typeof body === 'object') {
    if (headers['content-type'] === undefined) headers['content-type'] = 'application/json';
    body = JSONstringify(body);
  } else body = StringCtor(body);
  var plainHeaders = {}, names = ObjectKeys(headers);
  for (var n = 0; n < names.length; n++) plainHeaders[names[n]] = headers[names[n]];
  return { url: url, init: { method: method, headers: plainHeaders, body: body } };
}

class Headers {
  #map = ObjectCreate(null);
  constructor(init) {
    if (init === undefined || init === null) return;
    var self = this;
    if (ArrayIsArray(init)) init.forEach(function (pair) { self.append(pair[0], pair[1]); });
    else if (typeof init.forEach === 'function') init.forEach(function (value, key) { self.append(key, value); });
    else ObjectKeys(init).forEach(function (key) { self.append(key, init[key]); });
  }
  append(name, value) {
    name = StringCtor(name).toLowerCase();
    value = StringCtor(value);
    this.#map[name] = name in this.#map ? this.#map[name] + ', ' + value : value;
  }
  set(name, value) { this.#map[StringCtor(name).toLowerCase()] = StringCtor(value); }
  get(name) { name = StringCtor(name).toLowerCase(); return name in this.#map ? this.#map[name] : null; }
  has(name) { return StringCtor(name).toLowerCase() in this.#map; }
  delete(name) { delete this.#map[StringCtor(name).toLowerCase()]; }
  forEach(callback, thisArg) {
    var keys = ObjectKeys(this.#map).sort();
    for (var i = 0; i < keys.length; i++) callback.call(thisArg, this.#map[keys[i]], keys[i], this);
  }
  *entries() { var keys = ObjectKeys(this.#map).sort(); for (var i = 0; i < keys.length; i++) yield [keys[i], this.#map[keys[i]]]; }
  *keys() { var keys = ObjectKeys(this.#map).sort(); for (var i = 0; i < keys.length; i++) yield keys[i]; }
  *values() { var keys = ObjectKeys(this.#map).sort(); for (var i = 0; i < keys.length; i++) yield this.#map[keys[i]]; }
  [Symbol.iterator]() { return this.entries(); }
  get [Symbol.toStringTag]() { return 'Headers'; }
}

class Response {
  #body;
  #used = false;
  constructor(body, init) {
    init = init || {};
    this.#body = body === undefined || body === null ? '' : StringCtor(body);
    this.status = init.status === undefined ? 200 : init.status;
    this.statusText = init.statusText === undefined ? '' : StringCtor(init.statusText);
    this.ok = this.status >= 200 && this.status <= 299;
    this.headers = init.headers instanceof Headers ? init.headers : new Headers(init.headers);
    this.url = init.url === undefined ? '' : init.url;
    this.redirected = false;
    this.type = 'basic';
  }
  get bodyUsed() { return this.#used; }
  #consume() {
    if (this.#used) return PromiseCtor.reject(new TypeErrorCtor('Body is unusable: Body has already been read'));
    this.#used = true;
    return PromiseCtor.resolve(this.#body);
  }
  text() { return this.#consume(); }
  json() { return reflectApply(promiseThen, this.#consume(), [JSONparse]); }
  clone() {
    if (this.#used) throw new TypeErrorCtor('Response.clone: Body has already been consumed.');
    return new Response(this.#body, { status: this.status, statusText: this.statusText, headers: new Headers(this.headers), url: this.url });
  }
  get [Symbol.toStringTag]() { return 'Response'; }
}

/**
 * Global fetch (Auth0 actions run on Node, which has one): asynchronous, answered by HostServices.fetch. At most
 * \`config.maxFetches\` may be out per invocation (the host caps them per isolate too): past that, fetch rejects at once
 * and the refusal is counted in the record (\`refused_calls.fetch\`).
 */
function fetch(input, init) {
  var inv = current;
  if (inv !== null && inv.fetches >= config.maxFetches) {
    refuseCall(inv, 'fetch');
    return PromiseCtor.reject(new TypeErrorCtor('fetch refused: an execution may have at most ' + config.maxFetches + ' fetches pending'));
  }
  return new PromiseCtor(function (resolve, reject) {
    var req = requestParts(input, init, false);
    var pending = hostFetch.apply(undefined, [req.url, JSONstringify(req.init)], { result: { promise: true, copy: true } });
    ioStarted();
    if (inv !== null) inv.fetches++;
    function returned() {
      ioReturned();
      if (inv !== null) inv.fetches--;
      // Interleaved requests on one isolate: the code resuming after this await belongs to inv.
      current = inv;
    }
    reflectApply(promiseThen, pending, [
      function (raw) {
        returned();
        var r = JSONparse(raw);
        if (r.refused === true) refuseCall(inv, 'fetch');
        if (r.error !== undefined) reject(new TypeErrorCtor((r.refused === true ? 'fetch refused: ' : 'fetch failed: ') + r.error));
        else resolve(new Response(r.body, { status: r.status, statusText: r.statusText, headers: r.headers, url: req.url }));
      },
      function (e) {
        returned();
        reject(new TypeErrorCtor('fetch failed: ' + hostMessage(e)));
      },
    ]);
  });
}
`;
