/**
 * Which custom claims a trigger may set, and how much room they may take.
 *
 * The list is the union of Auth0's restricted claims (credentials-exchange notes §3.6, "Create Custom Claims") and
 * Kinde's prohibited M2M claims (`@kinde/infrastructure` `prohibitedClaims.ts`), plus the claims Minter itself
 * writes (`scope`, `client_id`, `org_id`, `org_name`, `permissions`, `org_code`). The same rules run twice: inside
 * the isolate (so `getCustomClaims()` and later actions see what will really be issued) and on the host, which is
 * the authority because nothing read out of an isolate is trusted.
 */
import { defineClaim } from '../claim-property.js';
import type { RefusedClaim } from './contract.js';

/** Auth0 §3.6 restricted claim names. */
const AUTH0_RESTRICTED = [
  'acr',
  'act',
  'active',
  'amr',
  'at_hash',
  'ath',
  'attest',
  'aud',
  'auth_time',
  'authorization_details',
  'azp',
  'c_hash',
  'client_id',
  'cnf',
  'cty',
  'dest',
  'entitlements',
  'events',
  'exp',
  'groups',
  'gty',
  'htm',
  'htu',
  'iat',
  'internalService',
  'iss',
  'jcard',
  'jku',
  'jti',
  'jwe',
  'jwk',
  'kid',
  'may_act',
  'mky',
  'nbf',
  'nonce',
  'object_id',
  'org_id',
  'org_name',
  'orig',
  'origid',
  'permissions',
  'roles',
  'rph',
  's_hash',
  'sid',
  'sip_callid',
  'sip_cseq_num',
  'sip_date',
  'sip_from_tag',
  'sip_via_branch',
  'sub',
  'sub_jwk',
  'toe',
  'txn',
  'typ',
  'uuid',
  'vot',
  'vtm',
  'x5t#S256',
];
/** Kinde `Kindem2mTokenProhibitedClaims`. */
const KINDE_RESTRICTED = ['azp', 'exp', 'iat', 'iss', 'nbf', 'sid', 'sub', 'act', 'aud', 'gty', 'jti', 'scp'];
/** Claims Minter writes itself. */
const MINTER_RESTRICTED = ['scope', 'client_id', 'org_id', 'org_name', 'org_code', 'permissions'];

/**
 * The one name refused for what it does to receivers rather than because Minter sets it: a resource server that
 * copies claims into an object by assignment (`Object.assign`, a deep merge) would change that object's prototype
 * instead of adding a claim. Every other name, `constructor` and `toString` included, is an ordinary claim.
 */
export const PROTOTYPE_CLAIM = '__proto__';

/** Every claim name a trigger may not set (case-sensitive, as JWT claim names are). */
export const RESTRICTED_CLAIMS: readonly string[] = [
  ...new Set([...AUTH0_RESTRICTED, ...KINDE_RESTRICTED, ...MINTER_RESTRICTED]),
].sort();

const RESTRICTED = new Set(RESTRICTED_CLAIMS);

/** Auth0 §3.6: custom claims payload at most 100 KB, measured as the serialised JSON object, in bytes. */
export const MAX_CUSTOM_CLAIMS_BYTES = 100 * 1024;

/** Reasons written into `refused_claims`; the sandbox uses the same texts. */
export const REFUSAL = {
  restricted: 'restricted claim: the token server sets it and triggers cannot change it',
  proto: 'claim name __proto__ is refused: receivers that copy claims into an object would change its prototype',
  name: 'claim name must be a non-empty string',
  value: 'value is not JSON-serialisable',
  size: `custom claims would exceed ${MAX_CUSTOM_CLAIMS_BYTES} bytes of serialised JSON`,
} as const;

/**
 * Bytes a claim adds to the serialised claims object: `"name":value` plus one separator (`,` or the closing brace).
 * The whole object then weighs `1 + Σ entryBytes` (exact for one claim or more).
 */
export function claimEntryBytes(name: string, valueJson: string): number {
  return Buffer.byteLength(JSON.stringify(name)) + 1 + Buffer.byteLength(valueJson) + 1;
}

/** The custom claims accumulated along a chain, kept as name → value JSON in the order first set. */
export class ClaimSet {
  /** name → [value JSON, parsed value]. */
  readonly #values = new Map<string, [string, unknown]>();
  #bytes = 1;

  /** Serialised size of the claims object so far, in bytes. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Tries to set one claim; returns why it was refused, or undefined when it was accepted. */
  offer(name: unknown, valueJson: unknown): string | undefined {
    if (typeof name !== 'string' || name === '') return REFUSAL.name;
    if (name === PROTOTYPE_CLAIM) return REFUSAL.proto;
    if (RESTRICTED.has(name)) return REFUSAL.restricted;
    if (typeof valueJson !== 'string') return REFUSAL.value;
    const previous = this.#values.get(name);
    const next =
      this.#bytes -
      (previous === undefined ? 0 : claimEntryBytes(name, previous[0])) +
      claimEntryBytes(name, valueJson);
    if (next > MAX_CUSTOM_CLAIMS_BYTES) return REFUSAL.size;
    let value: unknown;
    try {
      value = JSON.parse(valueJson);
    } catch {
      return REFUSAL.value;
    }
    this.#values.set(name, [valueJson, value]);
    this.#bytes = next;
    return undefined;
  }

  /** Offers every claim of one action's record; returns the names accepted and the refusals. */
  offerAll(claims: ReadonlyArray<readonly [unknown, unknown]>): { set: string[]; refused: RefusedClaim[] } {
    const set: string[] = [];
    const refused: RefusedClaim[] = [];
    for (const [name, valueJson] of claims) {
      const reason = this.offer(name, valueJson);
      if (reason === undefined) set.push(name as string);
      else refused.push({ name: typeof name === 'string' ? name : String(name), reason });
    }
    return { set, refused };
  }

  /** The claims object as JSON text, built from the stored value texts without re-serialising them. */
  toJson(): string {
    let out = '{';
    for (const [name, [json]] of this.#values) out += (out.length > 1 ? ',' : '') + JSON.stringify(name) + ':' + json;
    return out + '}';
  }

  /** The claims as values, for the token payload: each an own property, whatever its name. */
  toObject(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [name, [, value]] of this.#values) defineClaim(out, name, value);
    return out;
  }
}
