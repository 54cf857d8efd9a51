/**
 * The Auth0 program: what runs in an isolate of a `credentials-exchange` action before its code. The hardening first,
 * then the globals of Auth0's Node runtime (console, timers, queueMicrotask, atob / btoa, fetch, Headers, FormData,
 * Blob, File, Response, AbortController, AbortSignal, DOMException, URL, URLSearchParams, and TextEncoder, TextDecoder,
 * Buffer, crypto, structuredClone and process made at their first read), installed in this order; `load` is what the
 * program answers the host (sandbox/bootstrap.ts), with Node's built-ins as the module's `require` (node-require.ts).
 */
import '../hardening.js'; // first: before anything else runs (scripts/build-sandbox.mjs checks it)
import '../intrinsics.js'; // second: the built-ins, captured before any other code runs
import { consoleObject } from '../console.js';
import { DOMException } from '../dom-exception.js';
import { AbortController, AbortSignal } from '../fetch/abort.js';
import { Blob, File } from '../fetch/blob.js';
import { fetch } from '../fetch/fetch.js';
import { FormData } from '../fetch/form-data.js';
import { Headers } from '../fetch/headers.js';
import { Response } from '../fetch/response.js';
import { installGlobal } from '../globals.js';
import { makeLoad } from '../load.js';
import { atob, btoa, queueMicrotask } from '../node-globals.js';
import { installNodeGlobals, requireBuiltin } from '../node-require.js';
import { clearTimeout, setTimeout } from '../timers.js';
import { URLSearchParams } from '../url/search-params.js';
import { URL } from '../url/url.js';
import { makeRunner } from './runner.js';

installGlobal('console', consoleObject);
installGlobal('setTimeout', setTimeout);
installGlobal('clearTimeout', clearTimeout);
installGlobal('queueMicrotask', queueMicrotask);
installGlobal('atob', atob);
installGlobal('btoa', btoa);
installGlobal('fetch', fetch);
installGlobal('Headers', Headers);
installGlobal('FormData', FormData);
installGlobal('Blob', Blob);
installGlobal('File', File);
installGlobal('Response', Response);
installGlobal('AbortController', AbortController);
installGlobal('AbortSignal', AbortSignal);
installGlobal('DOMException', DOMException);
installGlobal('URL', URL);
installGlobal('URLSearchParams', URLSearchParams);
installNodeGlobals();

/** What the program answers the host (program/load.ts). */
export const load = makeLoad(makeRunner, requireBuiltin);
