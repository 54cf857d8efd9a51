/**
 * `/api/v1/applications`: Kinde's applications, mapped onto Minter's clients. Minter serves machine-to-machine
 * applications only (`type: "m2m"`); the admin client is Minter's own and is not listed. The secret is shown on create
 * and on `rotate_secret` (a Minter extension: Kinde rotates in its dashboard only), never again: Minter keeps a digest.
 */
import type { FastifyInstance } from 'fastify';
import { generateClientSecret, hashClientSecret } from '../crypto/client-secret.js';
import { KindeError } from '../errors.js';
import { newClientId } from '../ids.js';
import type { Registry } from '../registry/registry.js';
import { deleteClient, findClient, insertClient, listClients, updateClient, type ClientRow } from '../store/clients.js';
import type { Db } from '../store/database.js';
import { ID, idParams } from '../management/schemas.js';
import { kindeApplication } from '../triggers/kinde/management.js';
import { findOrganizationByCode, scopeToOrganization } from './organization-scope.js';
import { kindePage, pagingQuerySchema, type PagingQuery } from './paging.js';

/** The application `id` names, if any. The admin client is Minter's own, not an application here. */
export async function findApplication(db: Db, id: string): Promise<ClientRow | undefined> {
  const row = await findClient(db, id);
  return row && !row.is_system ? row : undefined;
}

/** The application `id` names, or Kinde's 404. */
export async function mustFindApplication(db: Db, id: string): Promise<ClientRow> {
  const row = await findApplication(db, id);
  if (!row) throw new KindeError(404, 'APPLICATION_NOT_FOUND', `No application has the id ${id}`);
  return row;
}

/** An item of `GET /applications` (Kinde's `applications` schema). */
const listItem = (row: ClientRow) => ({ id: row.client_id, name: row.name, type: 'm2m' });

/** What `POST /applications` and `rotate_secret` answer: the one time the secret is shown. */
const withSecret = (row: ClientRow, secret: string) => ({
  id: row.client_id,
  client_id: row.client_id,
  client_secret: secret,
});

const NAME = { type: 'string', minLength: 1, maxLength: 255 } as const;

/**
 * Kinde's other application settings are for user sign-in (redirect and logout URLs, sign-up page options): they
 * are accepted, so that a script written for Kinde runs, and have no meaning for a machine-to-machine client.
 */
const SIGN_IN_SETTINGS = [
  'language_key',
  'logout_uris',
  'redirect_uris',
  'login_uri',
  'homepage_uri',
  'is_allow_faceless_auth',
  'is_ask_for_name',
  'has_marketing_consent',
  'has_sign_in_link_on_sign_up_page',
  'has_register_link_on_sign_in_page',
  'has_sign_in_with_sso_button',
  'use_gravatar_fallback',
] as const;

interface UpdateBody {
  name?: string;
  is_access_control_enabled?: boolean;
}

export function registerApplicationRoutes(app: FastifyInstance, registry: Registry): void {
  const db = registry.db;
  const tags = ['applications'];
  const params = idParams('application_id');

  app.get<{ Querystring: PagingQuery & { sort?: 'name_asc' | 'name_desc' } }>(
    '/applications',
    {
      config: { kindeScope: 'read:applications' },
      schema: {
        tags,
        querystring: {
          type: 'object',
          properties: { ...pagingQuerySchema, sort: { type: 'string', enum: ['name_asc', 'name_desc'] } },
        },
      },
    },
    async (request) => {
      const rows = (await listClients(db)).filter((row) => !row.is_system);
      const { sort } = request.query;
      const order =
        sort === undefined
          ? { name: 'created', key: (r: ClientRow) => [r.created_at.toISOString(), r.client_id] }
          : {
              name: sort,
              key: (r: ClientRow) => [r.name.toLowerCase(), r.client_id],
              descending: sort === 'name_desc',
            };
      const { items, next_token } = kindePage(rows, request.query, order);
      return { code: 'OK', message: 'Success', applications: items.map(listItem), next_token };
    },
  );

  app.post<{ Body: { name: string; type: string; org_code?: string | null } }>(
    '/applications',
    {
      config: { kindeScope: 'create:applications' },
      schema: {
        tags,
        body: {
          type: 'object',
          required: ['name', 'type'],
          additionalProperties: false,
          properties: {
            name: NAME,
            type: { type: 'string', maxLength: 64 },
            org_code: { anyOf: [{ type: 'null' }, ID] },
          },
        },
      },
    },
    async (request, reply) => {
      const { name, type, org_code } = request.body;
      if (type !== 'm2m') {
        throw new KindeError(
          400,
          'APPLICATION_TYPE_NOT_SUPPORTED',
          `Minter serves machine-to-machine applications only: type must be "m2m", not ${JSON.stringify(type)}`,
        );
      }
      const organization = org_code ? await findOrganizationByCode(db, org_code) : undefined;
      if (org_code && !organization)
        throw new KindeError(400, 'ORGANIZATION_NOT_FOUND', `No organization has the code ${org_code}`);
      const secret = generateClientSecret();
      const row = await insertClient(db, { client_id: newClientId(), name, secret_hash: hashClientSecret(secret) });
      if (organization) await scopeToOrganization(db, row, organization.id);
      await registry.changed();
      return reply
        .code(201)
        .send({ code: 'OK', message: 'Application successfully created', application: withSecret(row, secret) });
    },
  );

  app.get<{ Params: { application_id: string } }>(
    '/applications/:application_id',
    { config: { kindeScope: 'read:applications' }, schema: { tags, params } },
    async (request) => {
      const row = await mustFindApplication(db, request.params.application_id);
      return {
        code: 'OK',
        message: 'success',
        application: kindeApplication({ clientId: row.client_id, name: row.name }),
      };
    },
  );

  app.patch<{ Params: { application_id: string }; Body: UpdateBody | undefined }>(
    '/applications/:application_id',
    {
      config: { kindeScope: 'update:applications' },
      schema: {
        tags,
        params,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            name: NAME,
            is_access_control_enabled: { type: 'boolean' },
            ...Object.fromEntries(SIGN_IN_SETTINGS.map((setting) => [setting, {}])),
          },
        },
      },
    },
    async (request) => {
      const row = await mustFindApplication(db, request.params.application_id);
      const body = request.body ?? {};
      if (body.is_access_control_enabled === true) {
        throw new KindeError(
          400,
          'ACCESS_CONTROL_NOT_SUPPORTED',
          'Role-based access control is not supported for machine-to-machine applications',
        );
      }
      if (body.name !== undefined) {
        await updateClient(db, row.client_id, { name: body.name });
        await registry.changed();
      }
      return { code: 'OK', message: 'Application successfully updated' };
    },
  );

  app.delete<{ Params: { application_id: string } }>(
    '/applications/:application_id',
    { config: { kindeScope: 'delete:applications' }, schema: { tags, params } },
    async (request) => {
      const row = await mustFindApplication(db, request.params.application_id);
      await deleteClient(db, row.client_id);
      await registry.changed();
      return { code: 'OK', message: 'Application successfully deleted' };
    },
  );

  app.post<{ Params: { application_id: string } }>(
    '/applications/:application_id/rotate_secret',
    { config: { kindeScope: 'update:applications' }, schema: { tags, params } },
    async (request) => {
      const row = await mustFindApplication(db, request.params.application_id);
      const secret = generateClientSecret();
      await updateClient(db, row.client_id, { secret_hash: hashClientSecret(secret) });
      await registry.changed();
      return { code: 'OK', message: 'Client secret rotated', application: withSecret(row, secret) };
    },
  );
}
