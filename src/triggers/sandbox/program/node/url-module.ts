/**
 * `url`: the legacy API (`parse`, `format`, `resolve`, `resolveObject`, `Url`) from the `url` npm package (its query
 * parsing answered by `querystring`, as Node's is: qs-shim.ts), and the WHATWG `URL` / `URLSearchParams` that are the
 * program's own globals; plus `domainToASCII`, `fileURLToPath`, `pathToFileURL` and `urlToHttpOptions`.
 */
import { StringCtor, TypeErrorCtor } from '../intrinsics.js';
import { URLSearchParams } from '../url/search-params.js';
import { URL } from '../url/url.js';
import { makePath } from './path.js';
import { urlPackage } from './vendor.js';

function domainToASCII(domain: unknown): string {
  try {
    return new URL('ws://' + StringCtor(domain)).hostname;
  } catch {
    return '';
  }
}

function fileURLToPath(given: unknown): string {
  const url = typeof given === 'string' ? new URL(given) : (given as URL);
  if (!(url instanceof URL) || url.protocol !== 'file:') {
    const error = new TypeErrorCtor('The URL must be of scheme file') as TypeError & { code: string };
    error.code = 'ERR_INVALID_URL_SCHEME';
    throw error;
  }
  if (url.hostname !== '') throw new TypeErrorCtor('File URL host must be "localhost" or empty on linux');
  if (/%2f/i.test(url.pathname)) throw new TypeErrorCtor('File URL path must not include encoded / characters');
  return decodeURIComponent(url.pathname);
}

function pathToFileURL(path: unknown): URL {
  const resolved = (makePath().resolve as (p: unknown) => string)(path);
  const trailing = StringCtor(path).endsWith('/') && resolved !== '/' ? '/' : '';
  const encoded = (resolved + trailing)
    .replace(/%/g, '%25')
    .replace(/\n/g, '%0A')
    .replace(/\r/g, '%0D')
    .replace(/\t/g, '%09');
  const url = new URL('file://');
  url.pathname = encoded;
  return url;
}

function urlToHttpOptions(url: URL): Record<string, unknown> {
  const options: Record<string, unknown> = {
    protocol: url.protocol,
    hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
    hash: url.hash,
    search: url.search,
    pathname: url.pathname,
    path: url.pathname + url.search,
    href: url.href,
  };
  if (url.port !== '') options.port = Number(url.port);
  if (url.username !== '' || url.password !== '')
    options.auth = decodeURIComponent(url.username) + ':' + decodeURIComponent(url.password);
  return options;
}

/** Makes the `url` module. */
export function makeUrl(): Record<string, unknown> {
  const legacy = urlPackage();
  const legacyParse = legacy.parse as (url: unknown, query?: unknown, slashes?: unknown) => Record<string, unknown>;
  return {
    // Node answers `search: null` when a query is asked for and there is none (the package answers '').
    parse: function parse(url: unknown, parseQueryString?: unknown, slashesDenoteHost?: unknown) {
      const parsed = legacyParse(url, parseQueryString, slashesDenoteHost);
      if (parseQueryString && parsed.search === '') parsed.search = null;
      return parsed;
    },
    format: legacy.format,
    resolve: legacy.resolve,
    resolveObject: legacy.resolveObject,
    Url: legacy.Url,
    URL,
    URLSearchParams,
    domainToASCII,
    fileURLToPath,
    pathToFileURL,
    urlToHttpOptions,
  };
}
