/**
 * One of every management object, so that fuzzed and hostile requests reach the handlers of objects that exist:
 * an API, a client with a property and a public key, a grant, an organization using it, a deployed and bound
 * action, and a token request's log record with its execution.
 */
import { exportSPKI, generateKeyPair } from 'jose';
import { getToken, provision, type RunningMinter } from './minter.js';

export interface ManagementFixtures {
  clientId: string;
  identifier: string;
  resourceServerId: string;
  grantId: string;
  organizationId: string;
  organizationName: string;
  credentialId: string;
  pem: string;
  actionId: string;
  versionId: string;
  logId: string;
  executionId: string;
  propertyKey: string;
}

export const ACTION_CODE =
  "exports.onExecuteCredentialsExchange = async (event, api) => { api.accessToken.setCustomClaim('https://x/fixture', 1); };";

export async function createFixtures(m: RunningMinter): Promise<ManagementFixtures> {
  const must = async (method: string, path: string, body?: unknown) => {
    const response = await m.api(method, path, body);
    if (response.status >= 300)
      throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  };
  const { identifier, clientId, clientSecret, grantId } = await provision(m, {
    identifier: 'https://fixture.example.com',
  });
  const resourceServerId = (await must('GET', `/resource-servers/${encodeURIComponent(identifier)}`)).id as string;
  await must('PUT', `/clients/${clientId}/properties/tier`, { value: 'gold' });
  const organization = await must('POST', '/organizations', { name: 'fixture-org', display_name: 'Fixture' });
  await must('POST', `/organizations/${organization.id}/client-grants`, { grant_id: grantId });
  const pem = await exportSPKI((await generateKeyPair('RS256', { extractable: true })).publicKey);
  const credential = await must('POST', `/clients/${clientId}/credentials`, { credential_type: 'public_key', pem });
  const action = await must('POST', '/actions/actions', {
    name: 'fixture-action',
    code: ACTION_CODE,
    supported_triggers: [{ id: 'credentials-exchange', version: 'v2' }],
    deploy: true,
  });
  await must('PATCH', '/actions/triggers/credentials-exchange/bindings', {
    bindings: [{ ref: { type: 'action_id', value: action.id } }],
  });
  await getToken(m.baseUrl, { clientId, clientSecret }, identifier);
  const [log] = await must('GET', `/logs?q=${encodeURIComponent(`client_id:${clientId}`)}`);
  return {
    clientId,
    identifier,
    resourceServerId,
    grantId,
    organizationId: organization.id,
    organizationName: organization.name,
    credentialId: credential.id,
    pem,
    actionId: action.id,
    versionId: action.deployed_version.id,
    logId: log.log_id,
    executionId: log.execution_id,
    propertyKey: 'tier',
  };
}
