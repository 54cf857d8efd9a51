/**
 * Failures of the host's `fetch` for trigger code. The sandbox rethrows them inside the isolate with their
 * message, so messages name the host and address but never the URL's path, query or credentials.
 */

/** Base of every egress failure; `code` is stable, the message is for the action's author. */
export abstract class EgressError extends Error {
  abstract readonly code: string;
}

/** The target is not allowed: scheme, port, a non-public address, too many redirects or a malformed request. */
export class EgressRefusedError extends EgressError {
  override name = 'EgressRefusedError';
  readonly code = 'ERR_EGRESS_REFUSED';
  constructor(
    /** Why, in words (`"a private address (RFC 1918)"`). */
    readonly reason: string,
    /** The host name of the refused hop, when there is one. */
    readonly host?: string,
    /** The refused resolved address, when the refusal is about an address. */
    readonly address?: string,
  ) {
    let subject = '';
    if (address !== undefined) {
      subject = host !== undefined && host !== address ? `${host} resolves to ${address}, ` : `${address} is `;
    }
    super(`fetch refused: ${subject}${reason}`);
  }
}

/** The whole request (resolution, connection, redirects, body) took longer than the budget. */
export class EgressTimeoutError extends EgressError {
  override name = 'EgressTimeoutError';
  readonly code = 'ERR_EGRESS_TIMEOUT';
  constructor(readonly timeoutMs: number) {
    super(`fetch timed out after ${timeoutMs} ms`);
  }
}

/** The request body or the response body went past its limit; the connection was dropped. */
export class EgressTooLargeError extends EgressError {
  override name = 'EgressTooLargeError';
  readonly code = 'ERR_EGRESS_TOO_LARGE';
  constructor(
    readonly direction: 'request' | 'response',
    readonly limitBytes: number,
  ) {
    super(`fetch ${direction} body larger than ${limitBytes} bytes`);
  }
}

/** Resolution or the connection failed (no such host, refused, reset, TLS). */
export class EgressNetworkError extends EgressError {
  override name = 'EgressNetworkError';
  readonly code = 'ERR_EGRESS_NETWORK';
  constructor(detail: string, options?: { cause: unknown }) {
    super(`fetch failed: ${detail}`, options);
  }
}

/** A socket or stream failure as the action sees it (an EgressError passes through). */
export function networkError(error: Error, hostname: string): EgressError {
  if (error instanceof EgressError) return error;
  const code = (error as { code?: unknown }).code;
  return new EgressNetworkError(`${hostname}: ${typeof code === 'string' ? code : error.message}`, { cause: error });
}
