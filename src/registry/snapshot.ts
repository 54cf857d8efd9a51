/**
 * An immutable in-memory picture of everything the token endpoint needs: clients, APIs, grants and keys.
 * The hot path reads only this; it is rebuilt from the database when the configuration changes.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { digestBytes } from '../crypto/client-secret.js';
import type { KeySet } from '../keys/key-set.js';
import type { SigningAlg } from '../keys/algorithms.js';
import type { ClientCredentialRow } from '../store/client-credentials.js';
import type { ClientGrantRow } from '../store/client-grants.js';
import type { OrganizationGrantRow, OrganizationRow } from '../store/organizations.js';
import type { ClientRow } from '../store/clients.js';
import type { ResourceServerRow } from '../store/resource-servers.js';
import type { TokenQuotaJson } from '../store/schema.js';

/** The configuration rows a snapshot is built from (signing keys apart: they come as a {@link KeySet}). */
export interface SnapshotRows {
  clients: ClientRow[];
  apis: ResourceServerRow[];
  grants: ClientGrantRow[];
  credentials: ClientCredentialRow[];
  organizations: OrganizationRow[];
  organizationGrants: OrganizationGrantRow[];
}

/** Where the token path reads the current snapshot: the registry, or a token worker's copy (cluster/). */
export interface SnapshotSource {
  readonly snapshot: Snapshot;
}

/**
 * A client's or an organization's token quota, from `token_quota.client_credentials` (counted and checked by
 * oauth/token-quota.ts). Defined here, with the snapshot that holds it, so that the registry imports nothing above it.
 */
export interface TokenQuota {
  perHour?: number;
  perDay?: number;
  enforce: boolean;
}

/** Token profile of an API: RFC 9068 (`typ: at+jwt`) or Auth0's (`typ: JWT`, `gty`, `azp`). */
export type TokenProfile = 'rfc9068' | 'auth0';

export interface ClientEntry {
  clientId: string;
  name: string;
  metadata: Record<string, string>;
  properties: Record<string, string>;
  secretDigest: Buffer;
  allowsClientCredentials: boolean;
  isSystem: boolean;
  /** Whether a secret (`client_secret_post` / `_basic`) authenticates it: not once its method is `private_key_jwt`. */
  acceptsSecret: boolean;
  /** Public keys for `private_key_jwt` assertions (RFC 7523); expiry is checked at use. */
  assertionKeys: readonly AssertionKey[];
  /** Its token quota, if it has one (most clients do not). */
  quota?: TokenQuota;
  /** The organization its requests get when their grant requires one and they name none (`default_organization`). */
  defaultOrganizationId?: string;
}

/** One registered public key of a client, imported once per snapshot. */
export interface AssertionKey {
  id: string;
  kid: string;
  alg: string;
  key: KeyObject;
  /** ms since the epoch; Infinity when it does not expire. */
  expiresAt: number;
}

function tokenQuota(json: TokenQuotaJson): TokenQuota {
  const { per_hour, per_day, enforce } = json.client_credentials;
  return {
    ...(per_hour !== undefined && { perHour: per_hour }),
    ...(per_day !== undefined && { perDay: per_day }),
    enforce: enforce ?? true,
  };
}

/** A client's keys from its credential rows; a row whose PEM no longer parses is left out, not fatal. */
function assertionKeys(rows: readonly ClientCredentialRow[]): AssertionKey[] {
  const keys: AssertionKey[] = [];
  for (const row of rows) {
    try {
      keys.push({
        id: row.id,
        kid: row.kid,
        alg: row.alg,
        key: createPublicKey(row.pem),
        expiresAt: row.expires_at?.getTime() ?? Infinity,
      });
    } catch {
      // Validated when it was stored; a row edited behind Minter's back must not stop every client's tokens.
    }
  }
  return keys;
}

export interface ApiEntry {
  id: string;
  identifier: string;
  name: string;
  scopes: ReadonlySet<string>;
  tokenLifetime: number;
  alg: SigningAlg;
  profile: TokenProfile;
  isSystem: boolean;
}

export interface GrantEntry {
  id: string;
  scopes: readonly string[];
  scopeSet: ReadonlySet<string>;
  /** `scopes.join(' ')`, computed once. */
  scopeString: string;
  /** Whether a request may (`allow`), must (`require`) or may not (`deny`) name an organization. */
  organizationUsage: 'deny' | 'allow' | 'require';
  allowAnyOrganization: boolean;
  /** Organizations authorized to use this grant (`/organizations/{id}/client-grants`). */
  organizationIds: ReadonlySet<string>;
}

/** An organization as tokens and trigger events carry it. */
export interface OrganizationEntry {
  id: string;
  name: string;
  display_name: string;
  metadata: Record<string, string>;
}

/** Organizations by id and by name (a token request may send either). */
export interface OrganizationIndex {
  byId: ReadonlyMap<string, OrganizationEntry>;
  byName: ReadonlyMap<string, OrganizationEntry>;
  /** Token quotas by organization id, for those that have one (kept apart: the entry is Auth0's `event.organization`). */
  quotas: ReadonlyMap<string, TokenQuota>;
}

/** Rows by a key, in their order. */
function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const group = groups.get(key(row));
    if (group) group.push(row);
    else groups.set(key(row), [row]);
  }
  return groups;
}

export class Snapshot {
  constructor(
    readonly clients: ReadonlyMap<string, ClientEntry>,
    readonly apis: ReadonlyMap<string, ApiEntry>,
    /** client_id → audience → grant */
    readonly grants: ReadonlyMap<string, ReadonlyMap<string, GrantEntry>>,
    readonly keys: KeySet,
    readonly organizations: OrganizationIndex,
  ) {}

  /** An organization by id or by name, as a token request's `organization` names it. */
  organization(idOrName: string): OrganizationEntry | undefined {
    return this.organizations.byId.get(idOrName) ?? this.organizations.byName.get(idOrName);
  }

  static build(rows: SnapshotRows, keys: KeySet): Snapshot {
    const credentials = groupBy(rows.credentials, (row) => row.client_id);
    const clients = new Map<string, ClientEntry>();
    for (const c of rows.clients) {
      clients.set(c.client_id, {
        clientId: c.client_id,
        name: c.name,
        metadata: c.client_metadata,
        properties: c.properties,
        secretDigest: digestBytes(c.secret_hash),
        allowsClientCredentials: c.grant_types.includes('client_credentials'),
        isSystem: c.is_system,
        acceptsSecret: c.token_endpoint_auth_method !== 'private_key_jwt',
        assertionKeys: assertionKeys(credentials.get(c.client_id) ?? []),
        ...(c.token_quota && { quota: tokenQuota(c.token_quota) }),
        ...(c.default_organization?.flows.includes('client_credentials') && {
          defaultOrganizationId: c.default_organization.organization_id,
        }),
      });
    }
    const apis = new Map<string, ApiEntry>();
    for (const a of rows.apis) {
      apis.set(a.identifier, {
        id: a.id,
        identifier: a.identifier,
        name: a.name,
        scopes: new Set(a.scopes.map((s) => s.value)),
        tokenLifetime: a.token_lifetime,
        alg: a.signing_alg as SigningAlg,
        profile: a.token_dialect as TokenProfile,
        isSystem: a.is_system,
      });
    }
    const organizationsOfGrant = groupBy(rows.organizationGrants, (pair) => pair.grant_id);
    const grants = new Map<string, Map<string, GrantEntry>>();
    for (const g of rows.grants) {
      let byAudience = grants.get(g.client_id);
      if (!byAudience) grants.set(g.client_id, (byAudience = new Map()));
      byAudience.set(g.audience, {
        id: g.id,
        scopes: g.scope,
        scopeSet: new Set(g.scope),
        scopeString: g.scope.join(' '),
        organizationUsage:
          g.organization_usage === 'allow' || g.organization_usage === 'require' ? g.organization_usage : 'deny',
        allowAnyOrganization: g.allow_any_organization,
        organizationIds: new Set(organizationsOfGrant.get(g.id)?.map((pair) => pair.organization_id)),
      });
    }
    const byId = new Map<string, OrganizationEntry>();
    const byName = new Map<string, OrganizationEntry>();
    const quotas = new Map<string, TokenQuota>();
    for (const o of rows.organizations) {
      const entry = { id: o.id, name: o.name, display_name: o.display_name, metadata: o.metadata };
      byId.set(o.id, entry);
      byName.set(o.name, entry);
      if (o.token_quota) quotas.set(o.id, tokenQuota(o.token_quota));
    }
    return new Snapshot(clients, apis, grants, keys, { byId, byName, quotas });
  }
}
