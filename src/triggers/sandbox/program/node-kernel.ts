/**
 * What the Node layer (node/index.ts) uses of the rest of the program, handed to it as the parameter of
 * `__minterNode(kernel)` instead of bundled a second time: the intrinsics captured at start, the host's References
 * and configuration, the invocation, the timers, fetch, URL classes and UTF-8 coding the program owns. Made only when the layer is
 * (a namespace import would cost every isolate its getters at start). The build makes each entry the only exports
 * the layer may import from that module (scripts/build-sandbox.mjs), so a name missing here fails the build.
 */
import { fetch } from './fetch/fetch.js';
import { config, host } from './host.js';
import {
  ArrayIsArray,
  ErrorCtor,
  JSONparse,
  JSONstringify,
  MathFloor,
  NumberCtor,
  ObjectCreate,
  ObjectKeys,
  PromiseCtor,
  RangeErrorCtor,
  StringCtor,
  TypeErrorCtor,
} from './intrinsics.js';
import { currentInvocation, refuseCall } from './invocation.js';
import { atob, btoa, queueMicrotask } from './node-globals.js';
import { codeAt, own, owns, slice } from './safe.js';
import { clearTimeout, setTimeout } from './timers.js';
import { URLSearchParams } from './url/search-params.js';
import { URL } from './url/url.js';
import { decodeUtf8, utf8Encode } from './utf8.js';

/** The kernel, by module path under program/. */
export function kernel(): Record<string, Record<string, unknown>> {
  return {
    'fetch/fetch': { fetch },
    host: { config, host },
    intrinsics: {
      ArrayIsArray,
      ErrorCtor,
      JSONparse,
      JSONstringify,
      MathFloor,
      NumberCtor,
      ObjectCreate,
      ObjectKeys,
      PromiseCtor,
      RangeErrorCtor,
      StringCtor,
      TypeErrorCtor,
    },
    invocation: { currentInvocation, refuseCall },
    'node-globals': { atob, btoa, queueMicrotask },
    safe: { codeAt, own, owns, slice },
    timers: { clearTimeout, setTimeout },
    'url/search-params': { URLSearchParams },
    'url/url': { URL },
    utf8: { decodeUtf8, utf8Encode },
  };
}
