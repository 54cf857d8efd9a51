/**
 * The `minter` command's way to a running Minter: a management token for the admin client, then calls to
 * `/api/v2`. Every failure names the URL it tried and what to set, so "fetch failed" never stands alone.
 */
import type { ManagementCall } from '../workflows/sync.js';

/** A failure the CLI reports as one line, without a stack. */
export class CliError extends Error {}

/** Where and as whom the CLI connects. */
export interface Connection {
  /** MINTER_URL or --url. */
  url: string;
  clientId?: string | undefined;
  clientSecret?: string | undefined;
  /** Default `<url>/api/v2/`. */
  audience?: string;
}

const HOW_TO_CONNECT =
  'set MINTER_URL (or --url) to the server, e.g. http://localhost:3000, and MINTER_ADMIN_CLIENT_ID / ' +
  'MINTER_ADMIN_CLIENT_SECRET (or --client-id / --client-secret) to its admin client';

async function send(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (error as Error).message;
    throw new CliError(`cannot reach Minter at ${url} (${why}); ${HOW_TO_CONNECT}`);
  }
}

/** A {@link ManagementCall} over HTTP for the admin client of `connection`. */
export async function connect(connection: Connection): Promise<ManagementCall> {
  if (!connection.clientId || !connection.clientSecret) {
    throw new CliError(`admin credentials missing for ${connection.url}; ${HOW_TO_CONNECT}`);
  }
  const base = connection.url.replace(/\/+$/, '');
  const tokenUrl = `${base}/oauth/token`;
  const response = await send(tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: connection.clientId,
      client_secret: connection.clientSecret,
      audience: connection.audience ?? `${base}/api/v2/`,
    }),
  });
  const answer = (await response.json().catch(() => ({}))) as {
    access_token?: string;
    error?: string;
    error_description?: string;
  };
  if (!answer.access_token) {
    throw new CliError(
      `cannot get a management token from ${tokenUrl}: ${response.status} ${answer.error ?? ''} ` +
        `${answer.error_description ?? ''}; ${HOW_TO_CONNECT}`,
    );
  }
  const token = answer.access_token;
  return async (method, path, body) => {
    const url = `${base}/api/v2${path}`;
    const reply = await send(url, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await reply.text();
    const json = text ? JSON.parse(text) : undefined;
    if (!reply.ok) throw new CliError(`${method} ${url}: ${reply.status} ${json?.message ?? text}`);
    return json;
  };
}
