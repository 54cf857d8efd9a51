/**
 * WHATWG URL inside the isolate, as a script on its own: defines `URL` and `URLSearchParams` in the scope it runs in
 * (test/triggers/engine-url.test.ts checks them against Node's). The classes are program/url/, bundled alone at build
 * time (scripts/build-sandbox.mjs); the programs import them as modules.
 */
import { URL_SCRIPT } from './bundles.generated.js';

export const SANDBOX_URL_SOURCE = URL_SCRIPT;
