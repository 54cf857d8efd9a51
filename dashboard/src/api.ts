/**
 * The management API (`/api/v2`) as the dashboard calls it: the session's Bearer token on every request, JSON in and
 * out, and every failure turned into an {@link ApiError} whose message can be shown where the call was made.
 */
import { minterUrl, type Session } from './session';

/** A failed call, in words: Auth0's `{statusCode, error, message, errorCode}` or what went wrong on the way. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code?: string,
  ) {
    super(message);
  }
}

export interface Api {
  get<T>(path: string): Promise<T>;
  send<T>(method: 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T>;
}

/** Builds a query string from the defined values. */
export function query(params: Record<string, string | number | boolean | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params))
    if (value !== undefined && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** `encodeURIComponent` for one path segment. */
export const seg = (value: string) => encodeURIComponent(value);

/**
 * An API client for `session`. `onSessionEnded` runs when Minter answers 401: the token expired, or the key that
 * signed it was revoked.
 */
export function apiClient(session: Session, onSessionEnded: (reason: string) => void): Api {
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(minterUrl(`api/v2${path}`), {
        method,
        headers: {
          authorization: `Bearer ${session.token}`,
          ...(body !== undefined && { 'content-type': 'application/json' }),
        },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
    } catch {
      throw new ApiError('Minter did not answer: check that the server is running.', 0);
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (response.ok) return parsed as T;
    const error = (parsed ?? {}) as { message?: string; error?: string; errorCode?: string };
    const message = error.message ?? `${response.status} ${response.statusText}`;
    if (response.status === 401) {
      onSessionEnded(`Your session ended (${message}). Sign in again.`);
    }
    throw new ApiError(message, response.status, error.errorCode);
  }
  return {
    get: (path) => call('GET', path),
    send: (method, path, body) => call(method, path, body),
  };
}

/** Every item of an Auth0-style list (`include_totals`), page by page (100 a page). */
export async function listAll<T>(api: Api, path: string, key: string): Promise<T[]> {
  const items: T[] = [];
  const joiner = path.includes('?') ? '&' : '?';
  for (let page = 0; ; page++) {
    const body = await api.get<Record<string, unknown>>(
      `${path}${joiner}per_page=100&page=${page}&include_totals=true`,
    );
    const slice = (body[key] ?? []) as T[];
    items.push(...slice);
    if (slice.length < 100 || items.length >= Number(body.total ?? 0)) return items;
  }
}

/** The text of any error, for the place it happened. */
export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
