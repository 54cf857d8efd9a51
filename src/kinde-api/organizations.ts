/**
 * `/api/v1/organization` and `/api/v1/organizations`: Kinde's organizations, mapped onto Minter's. Kinde's `code` is
 * Minter's id (`org_…`), its `name` Minter's `display_name`, its `handle` Minter's unique `name` (what a token request
 * may send as `organization`; made from the name when none is given), its `external_id` a metadata entry. Kinde's
 * branding, sign-up, MFA and billing settings are accepted, so that a script written for Kinde runs, and have no
 * meaning for machine-to-machine tokens. Deleting an organization first takes its applications out of it.
 */
import type { FastifyInstance } from 'fastify';
import { KindeError } from '../errors.js';
import { newOrganizationId } from '../ids.js';
import { idParams } from '../management/schemas.js';
import type { Registry } from '../registry/registry.js';
import { listClients } from '../store/clients.js';
import type { Db } from '../store/database.js';
import {
  deleteOrganization,
  findOrganizationByName,
  insertOrganization,
  listOrganizations,
  updateOrganization,
  type OrganizationRow,
} from '../store/organizations.js';
import { kindeOrganization } from '../triggers/kinde/management.js';
import { findOrganizationByCode, organizationOf, unscopeFromOrganization } from './organization-scope.js';
import { kindePage, pagingQuerySchema, type PagingQuery } from './paging.js';

/** Minter's organization names: lowercase letters, digits, `-` and `_`, 1–50, starting and ending alphanumeric. */
const HANDLE = { type: 'string', minLength: 1, maxLength: 50, pattern: '^[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?$' } as const;

/** Kinde settings without an M2M meaning, accepted and not kept (any JSON value). */
const IGNORED_SETTINGS = [
  'feature_flags',
  'background_color',
  'button_color',
  'button_text_color',
  'link_color',
  'background_color_dark',
  'button_color_dark',
  'button_text_color_dark',
  'link_color_dark',
  'theme_code',
  'is_allow_registrations',
  'is_auto_membership_enabled',
  'sender_name',
  'sender_email',
  'is_create_billing_customer',
  'billing_email',
  'billing_plan_code',
  'is_auto_join_domain_list',
  'allowed_domains',
  'is_enable_advanced_orgs',
  'is_enforce_mfa',
  'is_suspended',
] as const;

const bodySchema = (required: string[]) =>
  ({
    type: 'object',
    required,
    additionalProperties: false,
    properties: {
      name: { type: 'string', minLength: 1, maxLength: 255 },
      handle: HANDLE,
      external_id: { type: 'string', maxLength: 255 },
      ...Object.fromEntries(IGNORED_SETTINGS.map((setting) => [setting, {}])),
    },
  }) as const;

interface OrganizationBody {
  name?: string;
  handle?: string;
  external_id?: string;
}

/** The organization as `GET /organizations` lists it (`organization_item_schema`). */
const listItem = (row: OrganizationRow) => ({ ...kindeOrganization(row), is_auto_membership_enabled: false });

/** The organization `code` names (its id, or its handle), or Kinde's 404. */
export async function mustFindOrganization(db: Db, code: string): Promise<OrganizationRow> {
  const row = await findOrganizationByCode(db, code);
  if (!row) throw new KindeError(404, 'ORGANIZATION_NOT_FOUND', `No organization has the code ${code}`);
  return row;
}

/** A free handle made from a name: `Acme Corp` → `acme_corp` (then `acme_corp_2`, … when taken). */
async function handleFor(db: Db, name: string): Promise<string> {
  const base =
    name
      .normalize('NFKD')
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/g, '_')
      .replace(/^[_-]+|[_-]+$/g, '')
      .slice(0, 40)
      .replace(/[_-]+$/, '') || 'org';
  for (let n = 1; ; n++) {
    const handle = n === 1 ? base : `${base}_${n}`;
    if (!(await findOrganizationByName(db, handle))) return handle;
  }
}

async function mustBeFreeHandle(db: Db, handle: string, except?: string): Promise<void> {
  const holder = await findOrganizationByName(db, handle);
  if (holder && holder.id !== except)
    throw new KindeError(400, 'HANDLE_ALREADY_EXISTS', `An organization already has the handle ${handle}`);
}

export function registerOrganizationRoutes(app: FastifyInstance, registry: Registry): void {
  const db = registry.db;
  const tags = ['organizations'];

  app.get<{ Querystring: { code?: string } }>(
    '/organization',
    {
      config: { kindeScope: 'read:organizations' },
      schema: { tags, querystring: { type: 'object', properties: { code: { type: 'string' }, expand: {} } } },
    },
    async (request) => {
      const { code } = request.query;
      if (!code) throw new KindeError(400, 'CODE_REQUIRED', 'organization?code=… names the organization');
      const row = await mustFindOrganization(db, code);
      // Kinde's `get_organization_response` is the organization itself (its `code` is the organization's).
      return { ...listItem(row), created_on: row.created_at.toISOString(), is_suspended: false };
    },
  );

  app.post<{ Body: OrganizationBody & { name: string } }>(
    '/organization',
    { config: { kindeScope: 'create:organizations' }, schema: { tags, body: bodySchema(['name']) } },
    async (request) => {
      const { name, handle, external_id } = request.body;
      if (handle !== undefined) await mustBeFreeHandle(db, handle);
      const row = await insertOrganization(db, newOrganizationId(), {
        name: handle ?? (await handleFor(db, name)),
        display_name: name,
        metadata: external_id ? { external_id } : {},
      });
      await registry.changed();
      return { code: 'OK', message: 'Success', organization: { code: row.id } };
    },
  );

  app.get<{ Querystring: PagingQuery & { sort?: 'name_asc' | 'name_desc' } }>(
    '/organizations',
    {
      config: { kindeScope: 'read:organizations' },
      schema: {
        tags,
        querystring: {
          type: 'object',
          properties: { ...pagingQuerySchema, sort: { type: 'string', enum: ['name_asc', 'name_desc'] } },
        },
      },
    },
    async (request) => {
      const { sort } = request.query;
      const order =
        sort === undefined
          ? { name: 'created', key: (o: OrganizationRow) => [o.created_at.toISOString(), o.id] }
          : {
              name: sort,
              key: (o: OrganizationRow) => [(o.display_name || o.name).toLowerCase(), o.id],
              descending: sort === 'name_desc',
            };
      const { items, next_token } = kindePage(await listOrganizations(db), request.query, order);
      return { code: 'OK', message: 'Success', organizations: items.map(listItem), next_token };
    },
  );

  app.patch<{ Params: { org_code: string }; Body: OrganizationBody | undefined }>(
    '/organization/:org_code',
    {
      config: { kindeScope: 'update:organizations' },
      schema: { tags, params: idParams('org_code'), body: bodySchema([]) },
    },
    async (request) => {
      const row = await mustFindOrganization(db, request.params.org_code);
      const { name, handle, external_id } = request.body ?? {};
      if (handle !== undefined) await mustBeFreeHandle(db, handle, row.id);
      const { external_id: _previous, ...metadata } = row.metadata;
      await updateOrganization(db, row.id, {
        ...(name !== undefined && { display_name: name }),
        ...(handle !== undefined && { name: handle }),
        ...(external_id !== undefined && { metadata: external_id ? { ...metadata, external_id } : metadata }),
      });
      await registry.changed();
      return { code: 'OK', message: 'Organization successfully updated' };
    },
  );

  app.delete<{ Params: { org_code: string } }>(
    '/organization/:org_code',
    { config: { kindeScope: 'delete:organizations' }, schema: { tags, params: idParams('org_code') } },
    async (request) => {
      const row = await mustFindOrganization(db, request.params.org_code);
      for (const client of await listClients(db))
        if (organizationOf(client) === row.id) await unscopeFromOrganization(db, client, row.id);
      await deleteOrganization(db, row.id);
      await registry.changed();
      return { code: 'OK', message: 'Organization successfully deleted' };
    },
  );
}
