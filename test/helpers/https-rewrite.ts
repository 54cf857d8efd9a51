/**
 * Lets the Auth0 SDKs, which build `https://${domain}/…` URLs and fetch through the global `fetch`, reach a Minter a
 * test serves on http: while installed, a request to `https://127.0.0.1:<port>` goes to `http://127.0.0.1:<port>`
 * instead, and nothing else changes. Install it before constructing a client (some capture `fetch` then). Tests that
 * need real TLS use tls-front.ts instead.
 */

/** Rewrites https → http for `baseUrl`'s origin (`http://127.0.0.1:<port>`) until the returned function is called. */
export function rewriteHttpsTo(baseUrl: string): () => void {
  const http = new URL(baseUrl);
  const https = `https://${http.host}`;
  const original = globalThis.fetch;
  const rewrite = (url: string) => (url.startsWith(https) ? `${http.origin}${url.slice(https.length)}` : url);
  globalThis.fetch = (input: string | URL | Request, init?: RequestInit) => {
    if (typeof input === 'string') return original(rewrite(input), init);
    if (input instanceof URL) return original(rewrite(input.href), init);
    return original(new Request(rewrite(input.url), input), init);
  };
  return () => {
    globalThis.fetch = original;
  };
}
