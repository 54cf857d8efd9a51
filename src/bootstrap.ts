/**
 * First-start and every-start set-up: the two management APIs (Auth0's, audience `<issuer>/api/v2/`, and Kinde's,
 * `<issuer>/api`), the admin client and its grant of every scope of each, the signing keys, and the tenant id.
 */
import { generateClientSecret, hashClientSecret } from './crypto/client-secret.js';
import type { SecretBox } from './crypto/secret-box.js';
import { ConfigError } from './errors.js';
import { newClientGrantId, newClientId, newResourceServerId, randomAlphanumeric } from './ids.js';
import { ensureSigningKeys } from './keys/key-rotation.js';
import { KINDE_SCOPES, kindeAudience } from './kinde-api/scopes.js';
import { MANAGEMENT_SCOPES, managementAudience } from './management/scopes.js';
import { findGrantFor, insertClientGrant, moveGrantsToAudience, updateClientGrant } from './store/client-grants.js';
import { findClient, insertClient, updateClient } from './store/clients.js';
import type { Db } from './store/database.js';
import { insertResourceServer, listResourceServers, updateResourceServer } from './store/resource-servers.js';
import { getSetting, putSetting } from './store/settings.js';

export interface BootstrapResult {
  tenantId: string;
  /** Set only when this start created the admin client: its credentials, to print once. */
  generatedAdmin?: { clientId: string; clientSecret: string };
}

export async function bootstrap(
  db: Db,
  box: SecretBox,
  options: { issuer: string; adminClientId?: string; adminClientSecret?: string },
): Promise<BootstrapResult> {
  await ensureSigningKeys(db, box);

  let tenantId = await getSetting<string>(db, 'tenant_id');
  if (!tenantId) {
    tenantId = `minter-${randomAlphanumeric(8).toLowerCase()}`;
    await putSetting(db, 'tenant_id', tenantId);
  }

  // Each management API follows MINTER_ISSUER: a changed issuer renames it rather than creating a second one.
  const systemApis = [
    { audience: managementAudience(options.issuer), name: 'Minter Management API', scopes: MANAGEMENT_SCOPES },
    { audience: kindeAudience(options.issuer), name: 'Kinde Management API', scopes: KINDE_SCOPES },
  ];
  const renamed: Array<{ from: string; to: string }> = [];
  for (const api of systemApis) {
    const previous = await ensureSystemApi(db, api);
    if (previous !== undefined) renamed.push({ from: previous, to: api.audience });
  }

  let generatedAdmin: BootstrapResult['generatedAdmin'];
  let adminId: string;
  if (options.adminClientId && options.adminClientSecret) {
    adminId = options.adminClientId;
    const secret_hash = hashClientSecret(options.adminClientSecret);
    if (await findClient(db, adminId))
      await updateClient(db, adminId, { secret_hash, grant_types: ['client_credentials'] });
    else await insertClient(db, { client_id: adminId, name: 'Minter admin', secret_hash, is_system: true });
  } else {
    const known = await getSetting<string>(db, 'admin_client_id');
    if (known && (await findClient(db, known))) adminId = known;
    else {
      adminId = newClientId();
      const secret = generateClientSecret();
      await insertClient(db, {
        client_id: adminId,
        name: 'Minter admin',
        secret_hash: hashClientSecret(secret),
        is_system: true,
      });
      await putSetting(db, 'admin_client_id', adminId);
      generatedAdmin = { clientId: adminId, clientSecret: secret };
    }
  }

  // New management scopes in a later version reach the admin client on the next start.
  for (const { from, to } of renamed) await moveGrantsToAudience(db, from, to);
  for (const { audience, scopes } of systemApis) {
    const grant = await findGrantFor(db, adminId, audience);
    if (grant) await updateClientGrant(db, grant.id, { scope: [...scopes] });
    else
      await insertClientGrant(db, {
        id: newClientGrantId(),
        client_id: adminId,
        audience,
        scope: [...scopes],
        is_system: true,
      });
  }
  return { tenantId, generatedAdmin };
}

/**
 * Makes sure the system API for `audience` exists with these scopes. The existing one is found by the ending of its
 * identifier (`/api/v2/` for Auth0's, `/api` for Kinde's), which survives a change of issuer; returns its former
 * identifier when the issuer changed it.
 */
async function ensureSystemApi(
  db: Db,
  api: { audience: string; name: string; scopes: readonly string[] },
): Promise<string | undefined> {
  const ending = api.audience.endsWith('/api/v2/') ? '/api/v2/' : '/api';
  const scopes = api.scopes.map((value) => ({ value, description: value.replace(':', ' ').replace(/_/g, ' ') }));
  const apis = await listResourceServers(db);
  const system = apis.find((r) => r.is_system && r.identifier.endsWith(ending));
  const taken = apis.find((r) => !r.is_system && r.identifier === api.audience);
  if (taken) {
    throw new ConfigError(
      `The API "${taken.name}" (id ${taken.id}) has the identifier ${api.audience}, which the ${api.name} needs: ` +
        'give that API another identifier (or Minter another MINTER_ISSUER)',
    );
  }
  if (!system) {
    await insertResourceServer(db, {
      id: newResourceServerId(),
      identifier: api.audience,
      name: api.name,
      scopes,
      token_lifetime: 3600,
      signing_alg: 'ES256',
      token_dialect: 'rfc9068',
      is_system: true,
    });
    return undefined;
  }
  await updateResourceServer(db, system.id, { identifier: api.audience, scopes });
  return system.identifier !== api.audience ? system.identifier : undefined;
}
