/**
 * Signing in: the issuer from discovery, then a management API token from Minter's own token endpoint (the client
 * credentials grant, audience `<issuer>/api/v2/`). The token and its scopes live in memory only: a reload or "Sign
 * out" forgets them, and the client secret is dropped as soon as the exchange is done.
 */

/** A signed-in management client. */
export interface Session {
  clientId: string;
  token: string;
  /** The scopes the token carries: what the console lets this client do. */
  scopes: ReadonlySet<string>;
  /** When the token expires (ms since the epoch). */
  expiresAt: number;
  issuer: string;
}

/** Minter's own paths, relative to the dashboard at `<root>/dashboard/`. */
export const minterUrl = (path: string) => new URL(`../${path.replace(/^\//, '')}`, document.baseURI).toString();

/** Why signing in failed, in words for the form. */
export class SignInError extends Error {}

async function discoverIssuer(): Promise<string> {
  let response: Response;
  try {
    response = await fetch(minterUrl('.well-known/openid-configuration'));
  } catch {
    throw new SignInError('Minter did not answer: check that the server is running and reachable.');
  }
  const body = (await response.json().catch(() => ({}))) as { issuer?: unknown };
  if (!response.ok || typeof body.issuer !== 'string')
    throw new SignInError(`Discovery failed (${response.status}): Minter's metadata has no issuer.`);
  return body.issuer;
}

/** What the token endpoint's RFC 6749 §5.2 error means to someone signing in. */
function tokenErrorText(status: number, body: { error?: string; error_description?: string }): string {
  const said = body.error_description ? `: ${body.error_description}` : '';
  if (body.error === 'invalid_client') return 'The client ID or the client secret is wrong.';
  if (body.error === 'access_denied')
    return `This client may not use the management API (it has no grant for it)${said}`;
  return `Sign-in failed (${status} ${body.error ?? 'error'})${said}`;
}

/** Trades the client's credentials for a management token. */
export async function signIn(clientId: string, clientSecret: string): Promise<Session> {
  const issuer = await discoverIssuer();
  let response: Response;
  try {
    response = await fetch(minterUrl('oauth/token'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: clientId,
        client_secret: clientSecret,
        audience: `${issuer}/api/v2/`,
      }),
    });
  } catch {
    throw new SignInError('Minter did not answer the token request.');
  }
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok || typeof body.access_token !== 'string')
    throw new SignInError(tokenErrorText(response.status, body));
  const expiresIn = typeof body.expires_in === 'number' ? body.expires_in : 3600;
  return {
    clientId,
    token: body.access_token,
    scopes: new Set(typeof body.scope === 'string' ? body.scope.split(' ').filter(Boolean) : []),
    expiresAt: Date.now() + expiresIn * 1000,
    issuer,
  };
}

/** Whether a token with these scopes can write anything at all. */
export const canWriteAnything = (scopes: ReadonlySet<string>) => [...scopes].some((s) => !s.startsWith('read:'));
