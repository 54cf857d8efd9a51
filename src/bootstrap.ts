/**
 * First-start and every-start set-up: the management API (audience `<issuer>/api/v2/`), the admin client and its
 * grant of every management scope, the signing keys, and the tenant id.
 */
import { generateClientSecret, hashClientSecret } from './crypto/client-secret.js';
import type { SecretBox } from './crypto/secret-box.js';
import { newClientGrantId, newClientId, newResourceServerId, randomAlphanumeric } from './ids.js';
import { ensureSigningKeys } from './keys/key-rotation.js';
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

  // The management API follows MINTER_ISSUER: a changed issuer renames it rather than creating a second one.
  const audience = managementAudience(options.issuer);
  const scopes = MANAGEMENT_SCOPES.map((value) => ({ value, description: value.replace(':', ' ').replace(/_/g, ' ') }));
  const system = (await listResourceServers(db)).find((r) => r.is_system);
  let previousAudience: string | undefined;
  if (!system) {
    await insertResourceServer(db, {
      id: newResourceServerId(),
      identifier: audience,
      name: 'Minter Management API',
      scopes,
      token_lifetime: 3600,
      signing_alg: 'ES256',
      token_dialect: 'rfc9068',
      is_system: true,
    });
  } else {
    if (system.identifier !== audience) previousAudience = system.identifier;
    await updateResourceServer(db, system.id, { identifier: audience, scopes });
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
  const everyScope = [...MANAGEMENT_SCOPES];
  if (previousAudience) await moveGrantsToAudience(db, previousAudience, audience);
  const grant = await findGrantFor(db, adminId, audience);
  if (grant) await updateClientGrant(db, grant.id, { scope: everyScope });
  else
    await insertClientGrant(db, {
      id: newClientGrantId(),
      client_id: adminId,
      audience,
      scope: everyScope,
      is_system: true,
    });
  return { tenantId, generatedAdmin };
}
