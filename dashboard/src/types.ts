/** The management API's objects as the dashboard reads them (Auth0's shapes, the fields the pages use). */

export interface Client {
  client_id: string;
  name: string;
  description: string | null;
  client_metadata: Record<string, string>;
  token_endpoint_auth_method: string;
  token_quota?: TokenQuota;
  default_organization?: { organization_id: string; flows: string[] };
  is_system: boolean;
  client_secret?: string;
  created_at: string;
}

export interface TokenQuota {
  client_credentials: { per_hour?: number; per_day?: number; enforce?: boolean };
}

export interface ResourceServer {
  id: string;
  identifier: string;
  name: string;
  scopes: Array<{ value: string; description: string }>;
  token_lifetime: number;
  signing_alg: string;
  token_dialect: string;
  is_system: boolean;
}

export interface ClientGrant {
  id: string;
  client_id: string;
  audience: string;
  scope: string[];
  organization_usage?: 'deny' | 'allow' | 'require';
  allow_any_organization: boolean;
  is_system: boolean;
}

export interface Organization {
  id: string;
  name: string;
  display_name: string;
  metadata: Record<string, string>;
  token_quota?: TokenQuota;
}

export interface Credential {
  id: string;
  name: string;
  credential_type: string;
  kid: string;
  alg: string;
  created_at: string;
  expires_at: string | null;
}

export interface ActionVersion {
  id: string;
  number: number;
  code: string;
  deployed: boolean;
  built_at: string;
  quarantine?: { quarantined_at: string; reason: string };
}

export interface Action {
  id: string;
  name: string;
  supported_triggers: Array<{ id: TriggerId; version: string }>;
  code: string;
  runtime: string;
  secrets: Array<{ name: string; updated_at: string }>;
  all_changes_deployed: boolean;
  deployed_version?: ActionVersion;
  files?: Record<string, string>;
  created_at: string;
  updated_at: string;
}

export type TriggerId = 'credentials-exchange' | 'm2m:token_generation';

export const TRIGGERS: Array<{ id: TriggerId; name: string; kind: string }> = [
  { id: 'credentials-exchange', name: 'credentials-exchange', kind: 'Auth0 action' },
  { id: 'm2m:token_generation', name: 'm2m:token_generation', kind: 'Kinde workflow' },
];

export interface Binding {
  id: string;
  trigger_id: TriggerId;
  display_name: string;
  action: { id: string; name: string };
}

export interface SigningKey {
  kid: string;
  alg: string;
  status: 'current' | 'next' | 'previous' | 'revoked' | 'expired';
  thumbprint: string;
  created_at: string;
  current_since?: string;
  current_until?: string;
  published_until?: string;
  revoked_at?: string;
}

export const SIGNING_ALGS = ['RS256', 'ES256', 'PS256', 'EdDSA'] as const;
