/**
 * Table types for the typed query builder. Column names are the SQL names; JSON columns hold plain values.
 */
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export interface ClientsTable {
  client_id: string;
  name: string;
  description: string;
  app_type: string;
  client_metadata: Json<Record<string, string>>;
  /** Kinde application properties (key → value). */
  properties: Json<Record<string, string>>;
  secret_hash: string;
  token_endpoint_auth_method: string;
  grant_types: Json<string[]>;
  is_system: boolean;
  /** Auth0's `token_quota` (`{client_credentials: {per_hour?, per_day?, enforce?}}`), null for none. */
  token_quota: ColumnType<TokenQuotaJson | null, string | null | undefined, string | null>;
  /** Auth0's `default_organization` (`{organization_id, flows: ['client_credentials']}`), null for none. */
  default_organization: ColumnType<DefaultOrganizationJson | null, string | null | undefined, string | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** `default_organization` as the management API takes and shows it. */
export interface DefaultOrganizationJson {
  organization_id: string;
  flows: string[];
}

/** `token_quota` as the management API takes and shows it. */
export interface TokenQuotaJson {
  client_credentials: { per_hour?: number; per_day?: number; enforce?: boolean };
}

/** An organization (Auth0's M2M access for organizations). */
export interface OrganizationsTable {
  /** `org_…` */
  id: string;
  /** Lowercase, unique: what a token request may send as `organization`, and the token's `org_name`. */
  name: string;
  display_name: string;
  metadata: Json<Record<string, string>>;
  /** Auth0's `token_quota` for every client's tokens for this organization, null for none. */
  token_quota: ColumnType<TokenQuotaJson | null, string | null | undefined, string | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** A client grant an organization is authorized to use. */
export interface OrganizationClientGrantsTable {
  organization_id: string;
  grant_id: string;
  created_at: Timestamp;
}

/** A public key a client signs `private_key_jwt` assertions with. */
export interface ClientCredentialsTable {
  /** `cred_…` */
  id: string;
  client_id: string;
  name: string;
  /** Always `public_key` (Auth0's only type for private_key_jwt). */
  credential_type: string;
  /** RS256, RS384 or PS256. */
  alg: string;
  /** RFC 7638 thumbprint of the key. */
  kid: string;
  /** SPKI PEM of the public key (taken out of a certificate when one was sent). */
  pem: string;
  expires_at: Date | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ResourceServersTable {
  id: string;
  identifier: string;
  name: string;
  scopes: Json<Array<{ value: string; description: string }>>;
  token_lifetime: number;
  signing_alg: string;
  token_dialect: string;
  is_system: boolean;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ClientGrantsTable {
  id: string;
  client_id: string;
  audience: string;
  scope: Json<string[]>;
  organization_usage: string | null;
  allow_any_organization: boolean;
  is_system: boolean;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SigningKeysTable {
  kid: string;
  alg: string;
  /** next | current | previous | revoked | expired */
  status: string;
  private_key: string;
  public_jwk: Json<Record<string, unknown>>;
  thumbprint: string;
  created_at: Timestamp;
  current_since: Timestamp | null;
  current_until: Timestamp | null;
  /** A retired key leaves the JWKS after this instant (its last token has expired). */
  publish_until: Timestamp | null;
  revoked_at: Timestamp | null;
}

export interface LogsTable {
  log_id: string;
  date: Timestamp;
  type: string;
  description: string | null;
  client_id: string | null;
  client_name: string | null;
  audience: string | null;
  scope: string | null;
  ip: string | null;
  user_agent: string | null;
  hostname: string | null;
  execution_id: string | null;
  /** What the trigger chain did, when one ran. */
  execution: Json<{ trigger_id: string; status: string; results: unknown[] } | null>;
  details: Json<Record<string, unknown>>;
}

export interface SettingsTable {
  key: string;
  value: Json<unknown>;
}

/** A Kinde environment variable (`kinde.env.get`). */
export interface EnvironmentVariablesTable {
  /** `env_var_…` */
  id: string;
  /** Unique: the name workflows ask for. */
  key: string;
  /** The value as it is, or sealed (`v1.…`, context `environment-variable:<id>`) when `is_secret`. */
  value: string;
  is_secret: boolean;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface Database {
  clients: ClientsTable;
  client_credentials: ClientCredentialsTable;
  organizations: OrganizationsTable;
  organization_client_grants: OrganizationClientGrantsTable;
  resource_servers: ResourceServersTable;
  client_grants: ClientGrantsTable;
  signing_keys: SigningKeysTable;
  logs: LogsTable;
  settings: SettingsTable;
  environment_variables: EnvironmentVariablesTable;
}

export type { Generated };

export interface ActionsTable {
  id: string;
  name: string;
  trigger_id: string;
  /** Draft source (the entry file for a Kinde workflow). */
  code: string;
  /** Kinde: other files the entry imports, path → source. */
  files: Json<Record<string, string>>;
  /** Kinde: path of the entry among `files` (for compile errors and relative imports). */
  entry_path: string | null;
  /** `node22` (an Auth0 action) or `kinde` (Kinde workflow source, compiled at deploy). */
  runtime: string;
  dependencies: Json<Array<{ name: string; version: string }>>;
  /** Sealed JSON object name → value. */
  secrets: string;
  secret_names: Json<Array<{ name: string; updated_at: string }>>;
  deployed_version_id: string | null;
  /** A bundle of the draft made elsewhere (`minter actions bundle`), used by the next deploy; null for none. */
  bundle: ColumnType<ActionBundleJson | null, string | null | undefined, string | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** A package name and its exact version. */
export interface PackageVersionJson {
  name: string;
  version: string;
}

/** An uploaded action bundle (triggers/packages/action-bundle.ts, `UploadedBundle`). */
export interface ActionBundleJson {
  format: string;
  dependencies: PackageVersionJson[];
  packages: PackageVersionJson[];
  compiled: string;
}

export interface ActionVersionsTable {
  id: string;
  action_id: string;
  number: number;
  code: string;
  files: Json<Record<string, string>>;
  entry_path: string | null;
  /** Runnable CommonJS (the Kinde bundle, the Auth0 source as is, or the Auth0 source with its dependencies). */
  compiled: string;
  runtime: string;
  secrets: string;
  settings: Json<Record<string, unknown>>;
  /** Auth0: the declared dependencies with the exact versions they resolved to at deploy. */
  dependencies: ColumnType<PackageVersionJson[], string | undefined, string>;
  /** Auth0: every package bundled (transitive ones included), exact versions. */
  packages: ColumnType<PackageVersionJson[], string | undefined, string>;
  created_at: Timestamp;
  /** When the version was quarantined (its loading or first run was under way when a process died); null if not. */
  quarantined_at: ColumnType<Date | null, never, Date | null>;
  /** Why, for the operator; null when not quarantined. */
  quarantine_reason: ColumnType<string | null, never, string | null>;
}

export interface TriggerBindingsTable {
  id: string;
  trigger_id: string;
  action_id: string;
  display_name: string;
  position: number;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface Database {
  actions: ActionsTable;
  action_versions: ActionVersionsTable;
  trigger_bindings: TriggerBindingsTable;
}
