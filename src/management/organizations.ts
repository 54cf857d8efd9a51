/**
 * `/api/v2/organizations`: Auth0's organizations, for M2M access. An organization has a unique lowercase `name` (what
 * a token request sends as `organization`, and the token's `org_name`), a `display_name` and `metadata`; the client
 * grants it may use are listed under `/organizations/{id}/client-grants` (a grant with `allow_any_organization`
 * needs no such entry). Whether a grant takes organizations at all is its `organization_usage`. A `token_quota`
 * (as a client's) caps the tokens every client together gets for the organization (oauth/token-quota.ts). The
 * reverse, the organizations of a grant, is `/client-grants/{id}/organizations`.
 */
import type { FastifyInstance } from 'fastify';
import { Conflict, NotFound } from '../errors.js';
import { newOrganizationId } from '../ids.js';
import type { Registry } from '../registry/registry.js';
import { findClientGrant, listClientGrants } from '../store/client-grants.js';
import type { Db } from '../store/database.js';
import {
  addOrganizationGrant,
  deleteOrganization,
  findOrganization,
  findOrganizationByName,
  insertOrganization,
  listOrganizations,
  listOrganizationsOfGrant,
  removeOrganizationGrant,
  updateOrganization,
  type OrganizationFields,
  type OrganizationRow,
} from '../store/organizations.js';
import { clientGrantView } from './client-grants.js';
import { checkpointPagingSchema, creationKey, offsetPagingSchema, pagedList, type PagingQuery } from './paging.js';
import { ID, idParam, tokenQuotaSchema, unchangeable } from './schemas.js';

export function organizationView(row: OrganizationRow) {
  return {
    id: row.id,
    name: row.name,
    display_name: row.display_name,
    metadata: row.metadata,
    ...(row.token_quota !== null && { token_quota: row.token_quota }),
  };
}

/** Auth0: lowercase letters, digits, `-` and `_`, 1–50 characters, starting and ending with a letter or digit. */
const NAME = { type: 'string', minLength: 1, maxLength: 50, pattern: '^[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?$' } as const;
const fields = {
  name: NAME,
  display_name: { type: 'string', maxLength: 255 },
  metadata: {
    type: 'object',
    maxProperties: 25,
    propertyNames: { type: 'string', minLength: 1, maxLength: 255 },
    additionalProperties: { type: 'string', maxLength: 255 },
  },
  token_quota: tokenQuotaSchema,
} as const;

async function mustFind(db: Db, id: string): Promise<OrganizationRow> {
  const row = await findOrganization(db, id);
  if (!row) throw new NotFound(`The organization ${id} does not exist`);
  return row;
}

async function nameIsFree(db: Db, name: string, except?: string): Promise<void> {
  const holder = await findOrganizationByName(db, name);
  if (holder && holder.id !== except) throw new Conflict(`An organization named ${name} already exists`);
}

export function registerOrganizationRoutes(app: FastifyInstance, registry: Registry): void {
  const db = registry.db;
  const tags = ['organizations'];
  const grantParams = {
    type: 'object',
    required: ['id', 'grant_id'],
    properties: { id: ID, grant_id: { ...ID, maxLength: 64 } },
  } as const;

  app.get<{ Querystring: PagingQuery }>(
    '/organizations',
    {
      config: { scope: 'read:organizations' },
      schema: { tags, querystring: { type: 'object', properties: checkpointPagingSchema } },
    },
    async (request) =>
      pagedList(await listOrganizations(db), request.query, 'organizations', organizationView, creationKey),
  );

  app.post<{ Body: OrganizationFields & { name: string } }>(
    '/organizations',
    {
      config: { scope: 'create:organizations' },
      schema: { tags, body: { type: 'object', required: ['name'], additionalProperties: false, properties: fields } },
    },
    async (request, reply) => {
      await nameIsFree(db, request.body.name);
      const row = await insertOrganization(db, newOrganizationId(), request.body);
      await registry.changed();
      return reply.code(201).send(organizationView(row));
    },
  );

  app.get<{ Params: { id: string } }>(
    '/organizations/:id',
    { config: { scope: 'read:organizations' }, schema: { tags, params: idParam('id') } },
    async (request) => organizationView(await mustFind(db, request.params.id)),
  );

  app.get<{ Params: { name: string } }>(
    '/organizations/name/:name',
    {
      config: { scope: 'read:organizations' },
      schema: { tags, params: { type: 'object', required: ['name'], properties: { name: NAME } } },
    },
    async (request) => {
      const row = await findOrganizationByName(db, request.params.name);
      if (!row) throw new NotFound(`No organization is named ${request.params.name}`);
      return organizationView(row);
    },
  );

  app.patch<{ Params: { id: string }; Body: OrganizationFields & { id?: string } }>(
    '/organizations/:id',
    {
      config: { scope: 'update:organizations' },
      schema: {
        tags,
        params: idParam('id'),
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { ...fields, id: { type: 'string', maxLength: 64 } },
        },
      },
    },
    async (request) => {
      const current = await mustFind(db, request.params.id);
      unchangeable(request.body, current, ['id'], 'an organization keeps its id');
      if (request.body.name !== undefined) await nameIsFree(db, request.body.name, current.id);
      const row = await updateOrganization(db, current.id, request.body);
      await registry.changed();
      return organizationView(row!);
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/organizations/:id',
    { config: { scope: 'delete:organizations' }, schema: { tags, params: idParam('id') } },
    async (request, reply) => {
      if (!(await deleteOrganization(db, request.params.id)))
        throw new NotFound(`The organization ${request.params.id} does not exist`);
      await registry.changed();
      return reply.code(204).send();
    },
  );

  app.get<{ Params: { id: string }; Querystring: PagingQuery }>(
    '/organizations/:id/client-grants',
    {
      config: { scope: 'read:organization_client_grants' },
      schema: { tags, params: idParam('id'), querystring: { type: 'object', properties: offsetPagingSchema } },
    },
    async (request) => {
      const organization = await mustFind(db, request.params.id);
      const grants = await listClientGrants(db, { organization_id: organization.id });
      return pagedList(grants, request.query, 'client_grants', clientGrantView);
    },
  );

  // Auth0's reverse view, paged by checkpoint as Auth0 documents it.
  app.get<{ Params: { id: string }; Querystring: PagingQuery }>(
    '/client-grants/:id/organizations',
    {
      config: { scope: 'read:organization_client_grants' },
      schema: { tags, params: idParam('id'), querystring: { type: 'object', properties: checkpointPagingSchema } },
    },
    async (request) => {
      const grant = await findClientGrant(db, request.params.id);
      if (!grant) throw new NotFound(`The client grant ${request.params.id} does not exist`);
      const rows = await listOrganizationsOfGrant(db, grant.id);
      return pagedList(rows, request.query, 'organizations', organizationView, creationKey);
    },
  );

  app.post<{ Params: { id: string }; Body: { grant_id: string } }>(
    '/organizations/:id/client-grants',
    {
      config: { scope: 'create:organization_client_grants' },
      schema: {
        tags,
        params: idParam('id'),
        body: {
          type: 'object',
          required: ['grant_id'],
          additionalProperties: false,
          properties: { grant_id: { type: 'string', minLength: 1, maxLength: 64 } },
        },
      },
    },
    async (request, reply) => {
      const organization = await mustFind(db, request.params.id);
      const grant = await findClientGrant(db, request.body.grant_id);
      if (!grant) throw new NotFound(`The client grant ${request.body.grant_id} does not exist`);
      if (!(await addOrganizationGrant(db, organization.id, grant.id))) {
        throw new Conflict(
          `The organization ${organization.id} is already associated with the client grant ${grant.id}`,
        );
      }
      await registry.changed();
      return reply.code(201).send(clientGrantView(grant));
    },
  );

  app.delete<{ Params: { id: string; grant_id: string } }>(
    '/organizations/:id/client-grants/:grant_id',
    { config: { scope: 'delete:organization_client_grants' }, schema: { tags, params: grantParams } },
    async (request, reply) => {
      const organization = await mustFind(db, request.params.id);
      if (!(await removeOrganizationGrant(db, organization.id, request.params.grant_id))) {
        throw new NotFound(
          `The organization ${organization.id} is not associated with the client grant ${request.params.grant_id}`,
        );
      }
      await registry.changed();
      return reply.code(204).send();
    },
  );
}
