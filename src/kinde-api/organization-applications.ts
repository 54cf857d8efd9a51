/**
 * `/api/v1/organizations/{org_code}/applications[/{application_id}]` — a Minter extension. Kinde scopes an M2M
 * application to an organization when it is created (`POST /applications` with `org_code`) or in its dashboard
 * ("Organizations > M2M apps"), and has no API path for it; these paths list, add and remove an organization's
 * applications after the fact, with the meaning of organization-scope.ts.
 */
import type { FastifyInstance } from 'fastify';
import { KindeError } from '../errors.js';
import { idParams } from '../management/schemas.js';
import type { Registry } from '../registry/registry.js';
import { listClients } from '../store/clients.js';
import { mustFindApplication } from './applications.js';
import { organizationOf, scopeToOrganization, unscopeFromOrganization } from './organization-scope.js';
import { mustFindOrganization } from './organizations.js';

export function registerOrganizationApplicationRoutes(app: FastifyInstance, registry: Registry): void {
  const db = registry.db;
  const tags = ['organizations'];
  const params = idParams('org_code', 'application_id');

  app.get<{ Params: { org_code: string } }>(
    '/organizations/:org_code/applications',
    { config: { kindeScope: 'read:organizations' }, schema: { tags, params: idParams('org_code') } },
    async (request) => {
      const organization = await mustFindOrganization(db, request.params.org_code);
      const applications = (await listClients(db))
        .filter((client) => !client.is_system && organizationOf(client) === organization.id)
        .map((client) => ({ id: client.client_id, name: client.name, type: 'm2m' }));
      return { code: 'OK', message: 'Success', applications, next_token: null };
    },
  );

  app.post<{ Params: { org_code: string; application_id: string } }>(
    '/organizations/:org_code/applications/:application_id',
    { config: { kindeScope: 'update:organizations' }, schema: { tags, params } },
    async (request) => {
      const organization = await mustFindOrganization(db, request.params.org_code);
      const client = await mustFindApplication(db, request.params.application_id);
      await scopeToOrganization(db, client, organization.id);
      await registry.changed();
      return { code: 'OK', message: 'Application added to the organization' };
    },
  );

  app.delete<{ Params: { org_code: string; application_id: string } }>(
    '/organizations/:org_code/applications/:application_id',
    { config: { kindeScope: 'update:organizations' }, schema: { tags, params } },
    async (request) => {
      const organization = await mustFindOrganization(db, request.params.org_code);
      const client = await mustFindApplication(db, request.params.application_id);
      if (organizationOf(client) !== organization.id) {
        throw new KindeError(
          404,
          'APPLICATION_NOT_IN_ORGANIZATION',
          `The application ${client.client_id} does not belong to the organization ${organization.id}`,
        );
      }
      await unscopeFromOrganization(db, client, organization.id);
      await registry.changed();
      return { code: 'OK', message: 'Application removed from the organization' };
    },
  );
}
