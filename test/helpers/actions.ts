/** Deploys and binds actions through the management API, as an operator would. */
import type { RunningMinter } from './minter.js';

export type TriggerName = 'credentials-exchange' | 'm2m:token_generation';

export async function deployAction(
  m: Pick<RunningMinter, 'api'>,
  options: {
    name: string;
    code: string;
    trigger?: TriggerName;
    secrets?: Array<{ name: string; value: string }>;
    files?: Record<string, string>;
    entry_path?: string;
  },
): Promise<string> {
  const trigger = options.trigger ?? 'credentials-exchange';
  const created = await m.api('POST', '/actions/actions', {
    name: options.name,
    supported_triggers: [{ id: trigger, version: trigger === 'credentials-exchange' ? 'v2' : 'v1' }],
    code: options.code,
    ...(options.secrets && { secrets: options.secrets }),
    ...(options.files && { files: options.files }),
    ...(options.entry_path && { entry_path: options.entry_path }),
    deploy: true,
  });
  if (created.status !== 201) throw new Error(`create action ${options.name}: ${JSON.stringify(created.body)}`);
  return created.body.id as string;
}

/** Replaces a trigger's bindings with these action ids, in order. */
export async function bind(m: Pick<RunningMinter, 'api'>, trigger: TriggerName, actionIds: string[]): Promise<void> {
  const response = await m.api('PATCH', `/actions/triggers/${trigger}/bindings`, {
    bindings: actionIds.map((value) => ({ ref: { type: 'action_id', value } })),
  });
  if (response.status !== 200) throw new Error(`bind: ${JSON.stringify(response.body)}`);
}

/** POSTs a token request with client_secret_post; returns status and JSON. */
export async function requestToken(
  m: RunningMinter,
  client: { clientId: string; clientSecret: string; identifier: string },
  extra: Record<string, string> = {},
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${m.baseUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: client.clientId,
      client_secret: client.clientSecret,
      audience: client.identifier,
      ...extra,
    }),
  });
  const body = (await response.json()) as Record<string, any>;
  return { status: response.status, body };
}

/** The decoded payload of a compact JWS (no verification: the tests that need it verify with jose). */
/** What a token request gets when a trigger fails (the client sees no detail; the execution record says why). */
export const TRIGGER_FAILED = {
  status: 500,
  body: { error: 'server_error', error_description: 'A token trigger failed; see the execution record in the logs' },
};

export const claimsOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, any>;
