/**
 * WHATWG URL inside the isolate, part 3 of 3: `application/x-www-form-urlencoded` and the `URL` / `URLSearchParams`
 * classes, assembled with parts 1–2 into {@link SANDBOX_URL_SOURCE}.
 */
import { URL_HOST_SOURCE } from './url-host.js';
import { URL_PARSER_SOURCE } from './url-parser.js';

const URL_CLASSES_SOURCE = String.raw`
  // application/x-www-form-urlencoded (https://url.spec.whatwg.org/#application/x-www-form-urlencoded).
  function formEncode(s) {
    return encodeURIComponent(s).replace(/[!'()~]|%20/g, function (m) {
      return m === '%20' ? '+' : '%' + m.charCodeAt(0).toString(16).toUpperCase();
    });
  }
  function formParse(input) {
    var list = [], seqs = input.split('&');
    for (var i = 0; i < seqs.length; i++) {
      if (seqs[i] === '') continue;
      var eq = seqs[i].indexOf('='), name = eq < 0 ? seqs[i] : seqs[i].slice(0, eq), value = eq < 0 ? '' : seqs[i].slice(eq + 1);
      list.push([percentDecode(name.replace(/\+/g, ' ')), percentDecode(value.replace(/\+/g, ' '))]);
    }
    return list;
  }
  function formSerialize(list) {
    var out = [];
    for (var i = 0; i < list.length; i++) out.push(formEncode(list[i][0]) + '=' + formEncode(list[i][1]));
    return out.join('&');
  }
  function needArgs(n, got, what) {
    if (got < n) throw new TypeError("Failed to execute '" + what + "': " + n + ' argument' + (n > 1 ? 's' : '') + ' required, but only ' + got + ' present.');
  }

  class URLSearchParams {
    #list = [];
    #url = null;
    constructor(init) {
      if (init === undefined || init === null) return;
      if (typeof init === 'object' || typeof init === 'function') {
        if (typeof init[Symbol.iterator] === 'function') {
          for (var pair of init) {
            if ((typeof pair !== 'object' && typeof pair !== 'function') || pair === null || typeof pair[Symbol.iterator] !== 'function') {
              throw new TypeError("Failed to construct 'URLSearchParams': The provided value cannot be converted to a sequence.");
            }
            var items = Array.from(pair);
            if (items.length !== 2) throw new TypeError("Failed to construct 'URLSearchParams': Sequence initializer must only contain pair elements");
            this.#list.push([toUSV(items[0]), toUSV(items[1])]);
          }
        } else {
          var keys = Reflect.ownKeys(init);
          for (var i = 0; i < keys.length; i++) {
            var desc = Reflect.getOwnPropertyDescriptor(init, keys[i]);
            if (typeof keys[i] === 'string' && desc && desc.enumerable) this.#list.push([toUSV(keys[i]), toUSV(init[keys[i]])]);
          }
        }
        return;
      }
      var s = toUSV(init);
      this.#list = formParse(s[0] === '?' ? s.slice(1) : s);
    }
    static _attach(params, url, query) { params.#url = url; params.#list = query ? formParse(query) : []; }
    static _reset(params, query) { params.#list = query ? formParse(query) : []; }
    #update() {
      if (!this.#url) return;
      var s = formSerialize(this.#list);
      this.#url.query = s === '' ? null : s;
      if (s === '') stripOpaqueSpaces(this.#url);
    }
    get size() { return this.#list.length; }
    append(name, value) { needArgs(2, arguments.length, 'URLSearchParams.append'); this.#list.push([toUSV(name), toUSV(value)]); this.#update(); }
    delete(name, value) {
      needArgs(1, arguments.length, 'URLSearchParams.delete');
      name = toUSV(name);
      var v = value === undefined ? undefined : toUSV(value);
      this.#list = this.#list.filter(function (p) { return !(p[0] === name && (v === undefined || p[1] === v)); });
      this.#update();
    }
    get(name) {
      needArgs(1, arguments.length, 'URLSearchParams.get');
      name = toUSV(name);
      for (var i = 0; i < this.#list.length; i++) if (this.#list[i][0] === name) return this.#list[i][1];
      return null;
    }
    getAll(name) {
      needArgs(1, arguments.length, 'URLSearchParams.getAll');
      name = toUSV(name);
      return this.#list.filter(function (p) { return p[0] === name; }).map(function (p) { return p[1]; });
    }
    has(name, value) {
      needArgs(1, arguments.length, 'URLSearchParams.has');
      name = toUSV(name);
      var v = value === undefined ? undefined : toUSV(value);
      return this.#list.some(function (p) { return p[0] === name && (v === undefined || p[1] === v); });
    }
    set(name, value) {
      needArgs(2, arguments.length, 'URLSearchParams.set');
      name = toUSV(name); value = toUSV(value);
      var found = false;
      this.#list = this.#list.filter(function (p) {
        if (p[0] !== name) return true;
        if (found) return false;
        found = true; p[1] = value; return true;
      });
      if (!found) this.#list.push([name, value]);
      this.#update();
    }
    sort() {
      // Stable sort by code units (Array.prototype.sort is stable in V8).
      this.#list.sort(function (a, b) { return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0; });
      this.#update();
    }
    forEach(callback, thisArg) {
      if (typeof callback !== 'function') throw new TypeError("Failed to execute 'forEach' on 'URLSearchParams': parameter 1 is not of type 'Function'.");
      for (var i = 0; i < this.#list.length; i++) callback.call(thisArg, this.#list[i][1], this.#list[i][0], this);
    }
    *entries() { for (var i = 0; i < this.#list.length; i++) yield [this.#list[i][0], this.#list[i][1]]; }
    *keys() { for (var i = 0; i < this.#list.length; i++) yield this.#list[i][0]; }
    *values() { for (var i = 0; i < this.#list.length; i++) yield this.#list[i][1]; }
    [Symbol.iterator]() { return this.entries(); }
    toString() { return formSerialize(this.#list); }
    get [Symbol.toStringTag]() { return 'URLSearchParams'; }
  }
  var attachParams = URLSearchParams._attach, resetParams = URLSearchParams._reset;
  delete URLSearchParams._attach;
  delete URLSearchParams._reset;

  class URL {
    #r;
    #params;
    constructor(url, base) {
      needArgs(1, arguments.length, 'URL');
      var b = null;
      if (base !== undefined) {
        b = basicParse(toUSV(base), null);
        if (b === FAILURE) throw new TypeError('Invalid base URL');
      }
      var r = basicParse(toUSV(url), b);
      if (r === FAILURE) throw new TypeError('Invalid URL');
      this.#r = r;
      this.#params = new URLSearchParams();
      attachParams(this.#params, r, r.query);
    }
    static canParse(url, base) {
      try { new URL(url, base); return true; } catch (e) { return false; }
    }
    static parse(url, base) {
      try { return new URL(url, base); } catch (e) { return null; }
    }
    get href() { return serialize(this.#r); }
    set href(v) {
      var r = basicParse(toUSV(v), null);
      if (r === FAILURE) throw new TypeError('Invalid URL');
      this.#r = r;
      attachParams(this.#params, r, r.query);
    }
    get origin() {
      var r = this.#r;
      if (r.scheme === 'blob') {
        var inner = typeof r.path === 'string' ? basicParse(r.path, null) : FAILURE;
        return inner !== FAILURE && (inner.scheme === 'http' || inner.scheme === 'https') ? new URL(serialize(inner)).origin : 'null';
      }
      if (!special(r) || r.scheme === 'file') return 'null';
      return r.scheme + '://' + r.host + (r.port !== null ? ':' + r.port : '');
    }
    get protocol() { return this.#r.scheme + ':'; }
    set protocol(v) { basicParse(toUSV(v) + ':', null, this.#r, SCHEME_START); }
    get username() { return this.#r.username; }
    set username(v) { var r = this.#r; if (r.host === null || r.host === '' || r.scheme === 'file') return; r.username = encodeString(toUSV(v), userinfoSet); }
    get password() { return this.#r.password; }
    set password(v) { var r = this.#r; if (r.host === null || r.host === '' || r.scheme === 'file') return; r.password = encodeString(toUSV(v), userinfoSet); }
    get host() { var r = this.#r; return r.host === null ? '' : r.port === null ? r.host : r.host + ':' + r.port; }
    set host(v) { if (typeof this.#r.path !== 'string') basicParse(toUSV(v), null, this.#r, HOST); }
    get hostname() { return this.#r.host === null ? '' : this.#r.host; }
    set hostname(v) { if (typeof this.#r.path !== 'string') basicParse(toUSV(v), null, this.#r, HOSTNAME); }
    get port() { return this.#r.port === null ? '' : String(this.#r.port); }
    set port(v) {
      var r = this.#r;
      if (r.host === null || r.host === '' || r.scheme === 'file') return;
      v = toUSV(v);
      if (v === '') r.port = null; else basicParse(v, null, r, PORT);
    }
    get pathname() { return serializePath(this.#r); }
    set pathname(v) {
      var r = this.#r;
      if (typeof r.path === 'string') return;
      r.path = [];
      basicParse(toUSV(v), null, r, PATH_START);
    }
    get search() { var q = this.#r.query; return q === null || q === '' ? '' : '?' + q; }
    set search(v) {
      var r = this.#r;
      v = toUSV(v);
      if (v === '') { r.query = null; resetParams(this.#params, ''); stripOpaqueSpaces(r); return; }
      var input = v[0] === '?' ? v.slice(1) : v;
      r.query = '';
      basicParse(input, null, r, QUERY);
      resetParams(this.#params, input);
    }
    get searchParams() { return this.#params; }
    get hash() { var f = this.#r.fragment; return f === null || f === '' ? '' : '#' + f; }
    set hash(v) {
      var r = this.#r;
      v = toUSV(v);
      if (v === '') { r.fragment = null; stripOpaqueSpaces(r); return; }
      r.fragment = '';
      basicParse(v[0] === '#' ? v.slice(1) : v, null, r, FRAGMENT);
    }
    toString() { return serialize(this.#r); }
    toJSON() { return serialize(this.#r); }
    get [Symbol.toStringTag]() { return 'URL'; }
  }
`;

/**
 * Defines `URL` and `URLSearchParams` in the enclosing scope (not on the global: the platform's part decides that); the
 * helpers stay private to one closure.
 */
export const SANDBOX_URL_SOURCE = `
var URLClasses = (function () {
  'use strict';
${URL_HOST_SOURCE}${URL_PARSER_SOURCE}${URL_CLASSES_SOURCE}
  return { URL: URL, URLSearchParams: URLSearchParams };
})();
var URL = URLClasses.URL, URLSearchParams = URLClasses.URLSearchParams;
`;
