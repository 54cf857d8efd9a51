/** Minter's management API as the benchmark uses it: an admin token, then JSON calls. */

export interface ApiAnswer<T = any> {
  status: number;
  body: T;
}

/** Calls `/api/v2` of one Minter with a token of its admin client. */
export class MinterAdmin {
  #token: string | undefined;

  constructor(
    readonly baseUrl: string,
    readonly clientId: string,
    readonly clientSecret: string,
  ) {}

  async #adminToken(): Promise<string> {
    if (this.#token) return this.#token;
    const response = await fetch(`${this.baseUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: this.clientId,
        client_secret: this.clientSecret,
        audience: `${this.baseUrl}/api/v2/`,
      }),
    });
    const body = (await response.json()) as { access_token?: string };
    if (!response.ok || !body.access_token)
      throw new Error(`admin token request answered ${response.status}: ${JSON.stringify(body)}`);
    this.#token = body.access_token;
    return this.#token;
  }

  async call<T = any>(method: string, path: string, body?: unknown): Promise<ApiAnswer<T>> {
    const response = await fetch(`${this.baseUrl}/api/v2${path}`, {
      method,
      headers: {
        authorization: `Bearer ${await this.#adminToken()}`,
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON: keep the text for the error message.
    }
    return { status: response.status, body: parsed as T };
  }

  /** {@link call}, failing unless the answer is 2xx. */
  async must<T = any>(method: string, path: string, body?: unknown): Promise<T> {
    const answer = await this.call<T>(method, path, body);
    if (answer.status < 200 || answer.status > 299) {
      throw new Error(
        `${method} /api/v2${path} answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 300)}`,
      );
    }
    return answer.body;
  }
}
