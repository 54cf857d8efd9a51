/**
 * What the `url` package's legacy `parse(…, true)` and `format` call as `qs`: Node's own `url` uses `querystring`,
 * so this answers with it (flat keys, repeated ones as arrays, malformed escapes kept: querystring.ts) instead of
 * bundling `qs` and its dependencies (the build points the `url` package's `require('qs')` here).
 */
import { parse as parseQuery } from './querystring.js';
import { querystringPackage } from './vendor.js';

/** `qs.parse(text)`. */
export function parse(text: string): Record<string, unknown> {
  return parseQuery(text);
}

/** `qs.stringify(object, options)`: the options (`arrayFormat: 'repeat'`) are what querystring does anyway. */
export function stringify(object: unknown): string {
  return (querystringPackage().stringify as (o: unknown) => string)(object);
}
