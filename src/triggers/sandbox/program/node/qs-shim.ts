/**
 * What the `url` package's legacy `parse(…, true)` and `format` call as `qs`: Node's own `url` uses `querystring`,
 * so this answers with `querystring-es3` (flat keys, repeated ones as arrays), as Node does, instead of bundling `qs`
 * and its dependencies (the build points the `url` package's `require('qs')` here).
 */
interface QueryString {
  parse(s: string): Record<string, unknown>;
  stringify(o: unknown): string;
}

const querystring = require('querystring-es3') as QueryString;

/** `qs.parse(text)`. */
export function parse(text: string): Record<string, unknown> {
  return querystring.parse(text);
}

/** `qs.stringify(object, options)`: the options (`arrayFormat: 'repeat'`) are what querystring does anyway. */
export function stringify(object: unknown): string {
  return querystring.stringify(object);
}
