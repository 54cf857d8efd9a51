/**
 * The makers of the Node built-ins an Auth0 action may `require` (the list is auth0/node-builtins.ts
 * `SUPPORTED_BUILTINS`), by bare name: each runs once per isolate, at the first `require` of its module, so an action
 * that requires nothing pays nothing for them. Node's own objects where the npm stand-in differs: `util` gains
 * `TextEncoder` / `TextDecoder`, `types.isKeyObject` / `isCryptoKey` and Node's `format`; `querystring` parses as Node
 * does.
 */
import { ObjectCreate } from '../intrinsics.js';
import { bufferModule } from './buffer.js';
import { makeCrypto } from './crypto/index.js';
import { keyFields } from './crypto/keys.js';
import { CryptoKey } from './crypto/webcrypto.js';
import { makeHttp } from './http.js';
import { makeOs } from './os.js';
import { makePath } from './path.js';
import { makeQuerystring } from './querystring.js';
import { TextDecoder, TextEncoder } from './text-coding.js';
import { makeFormat } from './util-format.js';
import { makeUrl } from './url-module.js';
import { eventsModule, streamModule, streamPromises, stringDecoderPackage, utilPackage } from './vendor.js';

function makeUtil(): Record<string, unknown> {
  const util = utilPackage();
  util.format = makeFormat(util.inspect as Parameters<typeof makeFormat>[0]);
  util.TextEncoder = TextEncoder;
  util.TextDecoder = TextDecoder;
  const types = util.types as Record<string, unknown>;
  types.isKeyObject = function (value: unknown) {
    return keyFields(value) !== undefined;
  };
  types.isCryptoKey = function (value: unknown) {
    return value instanceof CryptoKey;
  };
  return util;
}

/** Module makers by bare name; `load` answers a made module (for the sub-modules). */
export function moduleMakers(load: (name: string) => unknown): Record<string, () => unknown> {
  const makers: Record<string, () => unknown> = ObjectCreate(null);
  makers.buffer = bufferModule;
  makers.crypto = makeCrypto;
  makers.events = eventsModule;
  makers.http = () => makeHttp('http:');
  makers.https = () => makeHttp('https:');
  makers.os = makeOs;
  makers.path = makePath;
  makers['path/posix'] = () => load('path');
  makers.querystring = makeQuerystring;
  makers.stream = streamModule;
  makers['stream/promises'] = streamPromises;
  makers.string_decoder = stringDecoderPackage;
  makers.url = makeUrl;
  makers.util = makeUtil;
  makers['util/types'] = () => (load('util') as Record<string, unknown>).types;
  return makers;
}
