/**
 * The `minter` command's way to the management API: a token from the token endpoint with the admin credentials, and
 * JSON calls that turn a refusal into a {@link CliError} carrying the API's message.
 */

/** A mistake the command reports in one line (no stack). */
export class CliError extends Error {}

/** Where and as whom the command talks to Minter (`--url`, `--client-id`, … or the environment). */
export interface Connection {
  url: string;
  clientId?: string;
  clientSecret?: string;
  audience?: string;
}

/** Calls `/api/v2<path>` with a Bearer token; the parsed JSON answer. */
export async function call(url: string, token: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${url}/api/v2${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  const json = text ? JSON.parse(text) : undefined;
  if (!response.ok) throw new CliError(`${method} ${path}: ${response.status} ${json?.message ?? text}`);
  return json;
}

export async function adminToken(
  url: string,
  clientId: string,
  clientSecret: string,
  audience: string,
): Promise<string> {
  const response = await fetch(`${url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
      audience,
    }),
  });
  const json = (await response.json()) as { access_token?: string; error?: string; error_description?: string };
  if (!json.access_token) throw new CliError(`cannot get a management token: ${json.error}: ${json.error_description}`);
  return json.access_token;
}

/** The base URL without a trailing slash and a management token, or a {@link CliError} when credentials are missing. */
export async function connect(connection: Connection): Promise<{ url: string; token: string }> {
  if (!connection.clientId || !connection.clientSecret)
    throw new CliError('admin credentials missing: --client-id/--client-secret or MINTER_ADMIN_CLIENT_ID/SECRET');
  const url = connection.url.replace(/\/+$/, '');
  const audience = connection.audience ?? `${url}/api/v2/`;
  return { url, token: await adminToken(url, connection.clientId, connection.clientSecret, audience) };
}
