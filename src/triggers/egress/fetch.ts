/**
 * The host side of `fetch` (Auth0) and `kinde.fetch` (Kinde): HTTP(S) requests trigger code asks for, guarded
 * against server-side request forgery.
 *
 * The host resolves the name itself, checks every address against {@link createAddressPolicy}, and connects to
 * exactly the address it checked (the socket goes to that IP; `Host` and TLS SNI/certificate checks keep the name),
 * so DNS cannot swap in another address between check and connect. Redirects are followed by hand, at most
 * {@link MAX_REDIRECTS}, each hop resolved and checked again. One deadline covers the whole call.
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { SandboxFetchInit, SandboxFetchResponse } from '../contract.js';
import { createAddressPolicy, parseAddress, type AddressPolicy, type IpAddress } from './address-policy.js';
import { readResponse } from './response.js';
import {
  EgressError,
  EgressNetworkError,
  networkError,
  EgressRefusedError,
  EgressTimeoutError,
  EgressTooLargeError,
} from './errors.js';

export { EgressError, EgressNetworkError, EgressRefusedError, EgressTimeoutError, EgressTooLargeError };

/** Resolves a host name to all its addresses, like `dns.promises.lookup(name, { all: true })`. */
export type EgressLookup = (hostname: string) => Promise<ReadonlyArray<{ address: string; family?: number }>>;

export interface EgressOptions {
  /** Budget of one call, from resolution to the last body byte, including redirects (ms). Default 10 000. */
  timeoutMs?: number;
  /** Response body limit after decompression (bytes). Default 1 MiB. */
  maxResponseBytes?: number;
  /** Request body limit (bytes, UTF-8). Default 1 MiB. */
  maxRequestBytes?: number;
  /** Addresses, CIDRs or host names allowed although not public (`MINTER_ACTIONS_ALLOW_PRIVATE_EGRESS`). */
  allowPrivate?: readonly string[];
  /** Name resolution; the system resolver unless a test injects one. */
  lookup?: EgressLookup;
}

/** The `HostServices.fetch` signature. */
export type EgressFetch = (url: string, init?: SandboxFetchInit) => Promise<SandboxFetchResponse>;

/** Redirect hops followed before giving up (browsers allow 20; trigger code has a time budget). */
export const MAX_REDIRECTS = 5;

/** Fetch standard "bad ports": protocols that must not be spoken to with HTTP. */
const BAD_PORTS: ReadonlySet<number> = new Set([
  0, 1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110,
  111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532,
  540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061,
  6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
]);

/** Request headers the host sets itself or that would let the caller tamper with framing. */
const HOST_CONTROLLED_HEADERS: ReadonlySet<string> = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'proxy-connection',
  'upgrade',
  'te',
  'trailer',
  'expect',
]);

/** Fetch standard §4.4 step 12: headers dropped when a redirect turns the request into a body-less GET. */
const BODY_HEADERS = ['content-type', 'content-encoding', 'content-language', 'content-location'];

/** Credentials that must not follow a redirect to another origin (Fetch drops Authorization; cookies likewise). */
const CROSS_ORIGIN_DROPPED = ['authorization', 'proxy-authorization', 'cookie'];

const NORMALISED_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']);
const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const systemLookup: EgressLookup = (hostname) => dns.promises.lookup(hostname, { all: true, verbatim: true });

interface Hop {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

/** Builds the guarded `fetch` the sandbox exposes to actions. Throws a TypeError on a bad `allowPrivate` entry. */
export function createEgressFetch(options: EgressOptions = {}): EgressFetch {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxResponseBytes = options.maxResponseBytes ?? 1024 * 1024;
  const maxRequestBytes = options.maxRequestBytes ?? 1024 * 1024;
  const policy = createAddressPolicy(options.allowPrivate ?? []);
  const lookup = options.lookup ?? systemLookup;

  return async (url, init = {}) => {
    const first = prepare(url, init, maxRequestBytes);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    const timedOut = new Promise<never>((_, reject) => {
      controller.signal.addEventListener('abort', () => reject(new EgressTimeoutError(timeoutMs)), { once: true });
    });
    const work = follow(first, {
      policy,
      lookup,
      maxResponseBytes,
      signal: controller.signal,
    });
    // Whichever loses the race rejects later: keep that from surfacing as an unhandled rejection.
    work.catch(() => {});
    timedOut.catch(() => {});
    try {
      return await Promise.race([work, timedOut]);
    } finally {
      clearTimeout(timer);
      controller.abort();
    }
  };
}

/** Validates the action's arguments into the first hop. Misuse is a TypeError, as in `fetch`. */
function prepare(url: string, init: SandboxFetchInit, maxRequestBytes: number): Hop {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError('fetch: invalid URL');
  }
  checkScheme(parsed);

  let method = init.method ?? 'GET';
  if (!TOKEN.test(method)) throw new TypeError(`fetch: invalid method "${method}"`);
  if (NORMALISED_METHODS.has(method.toUpperCase())) method = method.toUpperCase();
  if (FORBIDDEN_METHODS.has(method.toUpperCase())) throw new TypeError(`fetch: method ${method} is not allowed`);

  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(init.headers ?? {})) {
    const lower = name.toLowerCase();
    try {
      http.validateHeaderName(lower);
      http.validateHeaderValue(lower, String(value));
    } catch {
      throw new TypeError(`fetch: invalid header "${name}"`);
    }
    if (!HOST_CONTROLLED_HEADERS.has(lower)) headers[lower] = String(value);
  }

  const body = init.body === undefined || init.body === null ? undefined : String(init.body);
  if (body !== undefined && (method === 'GET' || method === 'HEAD')) {
    throw new TypeError('fetch: a GET or HEAD request cannot have a body');
  }
  if (body !== undefined && Buffer.byteLength(body) > maxRequestBytes) {
    throw new EgressTooLargeError('request', maxRequestBytes);
  }
  return { url: parsed, method, headers, body };
}

function checkScheme(url: URL): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new EgressRefusedError(`only http: and https: URLs are allowed, not ${url.protocol}`, url.hostname);
  }
  const port = url.port === '' ? undefined : Number(url.port);
  if (port !== undefined && BAD_PORTS.has(port)) {
    throw new EgressRefusedError(`port ${port} is not allowed`, url.hostname);
  }
}

interface Context {
  policy: AddressPolicy;
  lookup: EgressLookup;
  maxResponseBytes: number;
  signal: AbortSignal;
}

async function follow(hop: Hop, context: Context): Promise<SandboxFetchResponse> {
  for (let redirects = 0; ; redirects++) {
    const address = await resolveChecked(hop.url, context);
    const response = await send(hop, address, context.signal);
    const location = response.headers.location;
    const status = response.statusCode ?? 0;
    if (![301, 302, 303, 307, 308].includes(status) || location === undefined) {
      return readResponse(response, hop.method, context.maxResponseBytes);
    }
    response.destroy();
    if (redirects === MAX_REDIRECTS) {
      throw new EgressRefusedError(`more than ${MAX_REDIRECTS} redirects`, hop.url.hostname);
    }
    hop = redirected(hop, status, location);
  }
}

/** Fetch standard §4.4 (HTTP-redirect fetch): the next hop after a 3xx. */
function redirected(hop: Hop, status: number, location: string): Hop {
  let url: URL;
  try {
    url = new URL(location, hop.url);
  } catch {
    throw new EgressRefusedError('the redirect location is not a valid URL', hop.url.hostname);
  }
  checkScheme(url);
  const headers = { ...hop.headers };
  let { method, body } = hop;
  if ((status === 303 && method !== 'HEAD') || ((status === 301 || status === 302) && method === 'POST')) {
    method = 'GET';
    body = undefined;
    for (const name of BODY_HEADERS) delete headers[name];
  }
  if (url.origin !== hop.url.origin) for (const name of CROSS_ORIGIN_DROPPED) delete headers[name];
  return { url, method, headers, body };
}

/** The host name without IPv6 brackets. */
function bareHostname(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

/** Resolves the hop's host, refuses if ANY address is refused (so no retry can land on one), returns the first. */
async function resolveChecked(url: URL, context: Context): Promise<IpAddress> {
  const hostname = bareHostname(url);
  const literal = parseAddress(hostname);
  let addresses: IpAddress[];
  if (literal !== undefined) {
    addresses = [literal];
  } else {
    let answers: ReadonlyArray<{ address: string }>;
    try {
      answers = await context.lookup(hostname);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      throw new EgressNetworkError(`cannot resolve ${hostname}${typeof code === 'string' ? ` (${code})` : ''}`, {
        cause: error,
      });
    }
    addresses = answers.map(({ address }) => {
      const parsed = parseAddress(address);
      if (parsed === undefined) throw new EgressRefusedError(`the resolver returned "${address}"`, hostname);
      return parsed;
    });
  }
  if (addresses.length === 0) throw new EgressNetworkError(`cannot resolve ${hostname}`);
  for (const address of addresses) {
    const reason = context.policy.check(address, literal === undefined ? hostname : undefined);
    if (reason !== undefined) throw new EgressRefusedError(reason, hostname, address.toString());
  }
  return addresses[0]!;
}

/** Sends one hop to exactly `address`; resolves with the response head. */
function send(hop: Hop, address: IpAddress, signal: AbortSignal): Promise<http.IncomingMessage> {
  const { url } = hop;
  const secure = url.protocol === 'https:';
  const hostname = bareHostname(url);
  const headers: Record<string, string> = { ...hop.headers, host: url.host };
  if (hop.body !== undefined) headers['content-length'] = String(Buffer.byteLength(hop.body));
  if ((url.username !== '' || url.password !== '') && headers.authorization === undefined) {
    const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    headers.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
  }
  const options: https.RequestOptions = {
    host: address.toString(),
    port: url.port === '' ? (secure ? 443 : 80) : Number(url.port),
    path: `${url.pathname}${url.search}`,
    method: hop.method,
    headers,
    agent: false,
    signal,
    // TLS: SNI and the certificate check use the name, not the pinned IP ('' = no SNI for an IP literal).
    servername: parseAddress(hostname) === undefined ? hostname : '',
  };
  return new Promise((resolve, reject) => {
    const request = (secure ? https : http).request(options, resolve);
    request.on('error', (error) => reject(networkError(error, hostname)));
    request.end(hop.body);
  });
}
