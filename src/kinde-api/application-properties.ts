/**
 * `/api/v1/applications/{id}/properties`: Kinde's application properties, kept in the client's `properties` — the one
 * store that workflows read too (`createKindeAPI(event).get({endpoint: "applications/{id}/properties"})`, answered in
 * process by triggers/kinde/management.ts in the same shape). Minter has no property definitions: setting a value
 * under a new key creates the property. A boolean is kept as the text `true` or `false`, as Kinde shows it.
 */
import type { FastifyInstance } from 'fastify';
import { PROPERTY_KEY } from '../management/clients.js';
import { ID } from '../management/schemas.js';
import type { Registry } from '../registry/registry.js';
import { updateClient } from '../store/clients.js';
import { kindePropertyValues } from '../triggers/kinde/management.js';
import { mustFindApplication } from './applications.js';

export function registerApplicationPropertyRoutes(app: FastifyInstance, registry: Registry): void {
  const db = registry.db;
  const tags = ['applications'];

  app.get<{ Params: { application_id: string } }>(
    '/applications/:application_id/properties',
    {
      config: { kindeScope: 'read:application_properties' },
      schema: { tags, params: { type: 'object', required: ['application_id'], properties: { application_id: ID } } },
    },
    async (request) => {
      const row = await mustFindApplication(db, request.params.application_id);
      return { code: 'OK', message: 'Success', properties: kindePropertyValues(row.properties), next_token: null };
    },
  );

  app.put<{ Params: { application_id: string; property_key: string }; Body: { value: string | boolean } }>(
    '/applications/:application_id/properties/:property_key',
    {
      config: { kindeScope: 'update:application_properties' },
      schema: {
        tags,
        params: {
          type: 'object',
          required: ['application_id', 'property_key'],
          properties: { application_id: ID, property_key: PROPERTY_KEY },
        },
        body: {
          type: 'object',
          required: ['value'],
          additionalProperties: false,
          properties: { value: { anyOf: [{ type: 'string', maxLength: 2048 }, { type: 'boolean' }] } },
        },
      },
    },
    async (request) => {
      const row = await mustFindApplication(db, request.params.application_id);
      const properties = { ...row.properties, [request.params.property_key]: String(request.body.value) };
      await updateClient(db, row.client_id, { properties });
      await registry.changed();
      return { code: 'OK', message: 'Property successfully updated' };
    },
  );
}
