/**
 * Minter's `@kinde/infrastructure` (infrastructure.ts): the helpers over `kinde.fetch` — `fetch`, `secureFetch`,
 * `getM2MToken` and `createKindeAPI`.
 */
import {
  binding,
  requireUrlBinding,
  type FetchOptions,
  type KindeGlobal,
  type KindeResult,
  type URLSearchParamsCtor,
} from './infrastructure-globals.js';

// Globals of the sandbox (infrastructure-globals.ts).
declare const kinde: KindeGlobal;
declare const URLSearchParams: URLSearchParamsCtor;

function responseData(result: KindeResult | null | undefined, responseFormat: string): unknown {
  if (result === null || result === undefined) {
    return undefined;
  }
  return responseFormat === 'json' ? result.json : result.text;
}

/** kinde.fetch wrapped like the package: resolves { data } (parsed JSON, or text when responseFormat is "text"). */
export async function fetch(url: string, options: FetchOptions): Promise<{ data: unknown }> {
  if (!binding('fetch')) {
    throw new Error('fetch binding not available');
  }
  if (!options.responseFormat) {
    options.responseFormat = 'json';
  }
  const result = await kinde.fetch(url, options);
  return { data: responseData(result, options.responseFormat) };
}

// Same as fetch: Minter does not encrypt the body with a workflow encryption key (Kinde's AES-256-GCM
// secureFetch is not implemented). Uses kinde.secureFetch when the sandbox defines it, else kinde.fetch.
export async function secureFetch(url: string, options: FetchOptions): Promise<{ data: unknown }> {
  const secure = Boolean(binding('secureFetch'));
  if (!secure && !binding('fetch')) {
    throw new Error('secureFetch binding not available');
  }
  if (!options.responseFormat) {
    options.responseFormat = 'json';
  }
  const result = await (secure ? kinde.secureFetch(url, options) : kinde.fetch(url, options));
  return { data: responseData(result, options.responseFormat) };
}

function joinList(list: unknown): string {
  return Array.isArray(list) ? list.join(' ') : '';
}

/** Options of {@link getM2MToken}, as the package takes them. */
interface M2MTokenOptions {
  domain?: string;
  clientId?: string;
  clientSecret?: string;
  audience?: unknown;
  scopes?: unknown;
  headers?: Record<string, string>;
}

/** Client-credentials token from domain/oauth2/token (form-encoded, like the package); no kinde.cache. */
export async function getM2MToken(_tokenName: unknown, options: M2MTokenOptions): Promise<unknown> {
  if (!options || !options.domain || !options.clientId || !options.clientSecret) {
    throw new Error('getM2MToken: Missing required parameters');
  }
  if (!binding('fetch')) {
    throw new Error('fetch binding not available');
  }
  requireUrlBinding();
  try {
    const result = await kinde.fetch(options.domain + '/oauth2/token', {
      method: 'POST',
      responseFormat: 'json',
      headers: Object.assign(
        { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        options.headers,
      ),
      body: new URLSearchParams({
        audience: joinList(options.audience),
        grant_type: 'client_credentials',
        client_id: options.clientId,
        client_secret: options.clientSecret,
        scope: joinList(options.scopes),
      }).toString(),
    });
    const json = (result ? result.json : undefined) as { access_token?: unknown } | undefined;
    if (!json || !json.access_token) {
      throw new Error('getM2MToken: No access token returned');
    }
    return json.access_token;
  } catch (error) {
    // The package's error as it throws it, without a `cause` (an ES2022 option; the workflow sees the message).
    // eslint-disable-next-line preserve-caught-error
    throw new Error('getM2MToken: Failed to obtain token - ' + (error && (error as Error).message));
  }
}

/** A request to Minter's Kinde Management API: `endpoint` under `/api/v1/`, `params` as query or body. */
interface KindeAPIRequest {
  endpoint?: unknown;
  params?: unknown;
  contentType?: string;
}

/**
 * Kinde Management API client. Minter serves kindeDomain/api/v1/... itself, so no token is fetched and the
 * options (clientId, clientSecret, clientIdKey, ...) are accepted and ignored.
 */
export async function createKindeAPI(
  event: { context?: { domains?: { kindeDomain?: unknown } } } | null | undefined,
  _options?: unknown,
): Promise<Record<string, (request?: KindeAPIRequest) => Promise<{ data: unknown }>>> {
  requireUrlBinding();
  if (!binding('fetch')) {
    throw new Error('fetch binding not available');
  }
  const domain = event && event.context && event.context.domains && event.context.domains.kindeDomain;
  if (!domain) {
    throw new Error('createKindeAPI: event.context.domains.kindeDomain is missing');
  }
  const base = String(domain).replace(/\/+$/, '') + '/api/v1/';

  async function callKindeAPI(method: string, request: KindeAPIRequest | undefined): Promise<{ data: unknown }> {
    const endpoint = String(request && request.endpoint !== undefined ? request.endpoint : '').replace(/^\/+/, '');
    const params = request ? request.params : undefined;
    let url = base + endpoint;
    const init: FetchOptions = { method: method, responseFormat: 'json', headers: {} };
    if (params) {
      if (method === 'GET') {
        const query = new URLSearchParams(params).toString();
        if (query) {
          url += (url.indexOf('?') === -1 ? '?' : '&') + query;
        }
      } else {
        const contentType = (request && request.contentType) || 'application/json';
        init.headers = { 'content-type': contentType };
        init.body =
          contentType === 'application/x-www-form-urlencoded'
            ? new URLSearchParams(params).toString()
            : JSON.stringify(params);
      }
    }
    const result = await kinde.fetch(url, init);
    return { data: result ? result.json : undefined };
  }

  return {
    get: function (request) {
      return callKindeAPI('GET', request);
    },
    post: function (request) {
      return callKindeAPI('POST', request);
    },
    patch: function (request) {
      return callKindeAPI('PATCH', request);
    },
    put: function (request) {
      return callKindeAPI('PUT', request);
    },
    delete: function (request) {
      return callKindeAPI('DELETE', request);
    },
  };
}
