/**
 * Kinde's organization-scoped M2M applications (`POST /applications` with `org_code`) on Minter's model: the
 * application's `default_organization` is the organization, and each of its client grants requires an organization
 * (`organization_usage: require`) and is authorized for that one. Every token it gets then carries the organization
 * (`org_id`, `org_name`) whether or not the request names it, and it can get none for another organization: what
 * Kinde calls "enforced at token issuance".
 */
import { KindeError } from '../errors.js';
import { listClientGrants, updateClientGrant, type ClientGrantRow } from '../store/client-grants.js';
import { updateClient, type ClientRow } from '../store/clients.js';
import type { Db } from '../store/database.js';
import {
  addOrganizationGrant,
  findOrganization,
  findOrganizationByName,
  organizationsOfGrant,
  removeOrganizationGrant,
  type OrganizationRow,
} from '../store/organizations.js';

/** The organization an application is scoped to, if any. */
export const organizationOf = (client: ClientRow) => client.default_organization?.organization_id;

/** An organization by Kinde's `code` (Minter's id) or by its handle (Minter's name), as `organization?code=` takes. */
export async function findOrganizationByCode(db: Db, code: string): Promise<OrganizationRow | undefined> {
  return (await findOrganization(db, code)) ?? (await findOrganizationByName(db, code));
}

/** Makes one grant of a scoped application require its organization. */
export async function requireOrganization(db: Db, grant: ClientGrantRow, organizationId: string): Promise<void> {
  if (grant.organization_usage !== 'require') await updateClientGrant(db, grant.id, { organization_usage: 'require' });
  await addOrganizationGrant(db, organizationId, grant.id);
}

/** Scopes `client` to the organization; an application belongs to one organization at most, as in Kinde. */
export async function scopeToOrganization(db: Db, client: ClientRow, organizationId: string): Promise<void> {
  const current = organizationOf(client);
  if (current !== undefined && current !== organizationId) {
    throw new KindeError(
      400,
      'APPLICATION_IN_ANOTHER_ORGANIZATION',
      `The application ${client.client_id} belongs to the organization ${current}: remove it from that one first`,
    );
  }
  await updateClient(db, client.client_id, {
    default_organization: { organization_id: organizationId, flows: ['client_credentials'] },
  });
  for (const grant of await listClientGrants(db, { client_id: client.client_id }))
    await requireOrganization(db, grant, organizationId);
}

/**
 * Undoes {@link scopeToOrganization}: the grants lose the organization, and those left with none (and no
 * `allow_any_organization`) stop requiring one.
 */
export async function unscopeFromOrganization(db: Db, client: ClientRow, organizationId: string): Promise<void> {
  if (organizationOf(client) === organizationId)
    await updateClient(db, client.client_id, { default_organization: null });
  for (const grant of await listClientGrants(db, { client_id: client.client_id })) {
    await removeOrganizationGrant(db, organizationId, grant.id);
    if (grant.organization_usage === 'require' && !grant.allow_any_organization) {
      if ((await organizationsOfGrant(db, grant.id)).length === 0)
        await updateClientGrant(db, grant.id, { organization_usage: null });
    }
  }
}
