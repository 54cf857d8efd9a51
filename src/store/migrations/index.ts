/**
 * Versioned migrations, applied in name order at start-up. Never edit a released migration: add the next one.
 */
import type { Migration, MigrationProvider } from 'kysely';
import * as core from './001-core.js';
import * as actions from './002-actions.js';
import * as clientCredentials from './003-client-credentials.js';
import * as tokenQuota from './004-token-quota.js';
import * as organizations from './005-organizations.js';
import * as defaultOrganization from './006-default-organization.js';
import * as organizationTokenQuota from './007-organization-token-quota.js';
import * as actionVersionQuarantine from './008-action-version-quarantine.js';
import * as actionDependencies from './009-action-dependencies.js';
import * as environmentVariables from './010-environment-variables.js';

const MIGRATIONS: Record<string, Migration> = {
  '001-core': core,
  '002-actions': actions,
  '003-client-credentials': clientCredentials,
  '004-token-quota': tokenQuota,
  '005-organizations': organizations,
  '006-default-organization': defaultOrganization,
  '007-organization-token-quota': organizationTokenQuota,
  '008-action-version-quarantine': actionVersionQuarantine,
  '009-action-dependencies': actionDependencies,
  '010-environment-variables': environmentVariables,
};

/** Kysely migration provider over the in-code list. */
export const migrationProvider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};
