/**
 * The Kinde program: what runs in an isolate of an `m2m:token_generation` workflow before its code. The hardening
 * first, then the globals: `console`, `kinde` (kinde/bindings.ts), and `URL` / `URLSearchParams` when the workflow
 * declares the `url` binding, installed in this order; `load` is what the program answers the host
 * (sandbox/bootstrap.ts).
 */
import '../hardening.js'; // first: before anything else runs (scripts/build-sandbox.mjs checks it)
import '../intrinsics.js'; // second: the built-ins, captured before any other code runs
import { consoleObject } from '../console.js';
import { installGlobal } from '../globals.js';
import { makeLoad } from '../load.js';
import { URLSearchParams } from '../url/search-params.js';
import { URL } from '../url/url.js';
import { DECLARED, kinde } from './bindings.js';
import { makeRunner } from './runner.js';

installGlobal('console', consoleObject);
installGlobal('kinde', kinde);
if (DECLARED.url === true) {
  installGlobal('URL', URL);
  installGlobal('URLSearchParams', URLSearchParams);
}

/** What the program answers the host (program/load.ts). */
export const load = makeLoad(makeRunner);
