/** What a new action starts with, and the sample events the test panel starts with, per trigger. */
import type { TriggerId } from '../types';

export const TEMPLATES: Record<TriggerId, string> = {
  'credentials-exchange': `/**
 * Handler that will be called during the execution of a Client Credentials exchange.
 *
 * @param {Event} event - Details about client credentials grant request.
 * @param {CredentialsExchangeAPI} api - Interface whose methods can be used to change the behavior of client credentials grant.
 */
exports.onExecuteCredentialsExchange = async (event, api) => {
  // api.accessToken.setCustomClaim('https://example.com/tier', event.client.metadata.tier);
  // api.access.deny('invalid_request', 'Not today');
};
`,
  'm2m:token_generation': `import { onM2MTokenGeneratedEvent, WorkflowSettings, WorkflowTrigger } from '@kinde/infrastructure';

export const workflowSettings: WorkflowSettings = {
  id: 'm2mTokenGeneration',
  name: 'M2M custom claims',
  trigger: WorkflowTrigger.M2MTokenGeneration,
  failurePolicy: { action: 'stop' },
  bindings: { 'kinde.m2mToken': {} },
};

export default async function Workflow(event: onM2MTokenGeneratedEvent) {
  kinde.m2mToken.setCustomClaim('applicationId', event.context.application.clientId);
}
`,
};

export const SAMPLE_EVENTS: Record<TriggerId, unknown> = {
  'credentials-exchange': {
    client: { client_id: 'sample-client', name: 'Sample client', metadata: { tier: 'gold' } },
    resource_server: { identifier: 'https://api.example.com' },
    accessToken: { scope: ['read:things'] },
    transaction: { requested_scopes: ['read:things'] },
    request: { ip: '203.0.113.7', hostname: 'localhost', body: {} },
  },
  'm2m:token_generation': {
    request: { ip: '203.0.113.7', auth: { audience: ['https://api.example.com'], scope: ['read:things'] } },
    context: { application: { clientId: 'sample-client' } },
  },
};
