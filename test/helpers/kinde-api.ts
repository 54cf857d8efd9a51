/** Calls Kinde's management API (`/api/v1`) on a test's Minter, with a token for `<issuer>/api`. */
import { getToken, type RunningMinter, type WireResponse } from './minter.js';

export type KindeCall = <T = any>(method: string, path: string, body?: unknown) => Promise<WireResponse<T>>;

/** A token for the Kinde audience (`<issuer>/api`): the admin's (every Kinde scope) unless another client is given. */
export async function kindeToken(
  m: RunningMinter,
  client: { clientId: string; clientSecret: string } = m.admin,
  scope?: string,
): Promise<string> {
  const extra: Record<string, string> = scope === undefined ? {} : { scope };
  return (await getToken(m.baseUrl, client, `${m.issuer}/api`, extra)).access_token;
}

/** `/api/v1` with this Bearer token (none when undefined); status, headers, text and parsed JSON as sent. */
export function kindeApi(m: RunningMinter, token: string | undefined): KindeCall {
  return async (method, path, body) => {
    const response = await fetch(`${m.baseUrl}/api/v1${path}`, {
      method,
      headers: {
        ...(token !== undefined && { authorization: `Bearer ${token}` }),
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, body: text ? JSON.parse(text) : undefined };
  };
}

/** The admin's `/api/v1`. */
export async function adminKindeApi(m: RunningMinter): Promise<KindeCall> {
  return kindeApi(m, await kindeToken(m));
}
