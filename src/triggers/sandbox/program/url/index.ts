/**
 * WHATWG URL inside the isolate, bundled alone as `SANDBOX_URL_SOURCE` (sandbox/url.ts: a script that defines `URL`
 * and `URLSearchParams`, which test/triggers/engine-url.test.ts checks against Node's). The programs import the
 * classes themselves.
 */
export { URL } from './url.js';
export { URLSearchParams } from './search-params.js';
