/**
 * What Minter's `@kinde/infrastructure` (infrastructure.ts) finds in the sandbox: the `kinde` global and
 * `URLSearchParams`, defined by the Kinde program when the workflow declares their binding (kinde/program.ts).
 */

/** What `kinde.fetch` answers (kinde/bindings.ts), awaited or not. */
export interface KindeResult {
  json?: unknown;
  text?: unknown;
}
/** `kinde.fetch` and `kinde.secureFetch`. */
export type KindeFetch = (url: string, options: FetchOptions) => KindeResult | Promise<KindeResult>;
/** The `kinde` global, as far as this module uses it; a binding not declared throws when used. */
export interface KindeGlobal {
  m2mToken: { setCustomClaim(key: string, value: unknown): void; getCustomClaims(): unknown };
  env: { get(key: string): unknown };
  localization: { get(key: string): unknown };
  auth: { denyAccess(reason: unknown): void };
  widget: { invalidateFormField(fieldName: unknown, message: unknown): void };
  mfa: { setEnforcementPolicy(policy: unknown): void };
  fetch: KindeFetch;
  secureFetch: KindeFetch;
}
/** The options `kinde.fetch` takes. */
export interface FetchOptions {
  responseFormat?: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}
/** The `URLSearchParams` constructor, as far as this module uses it. */
export type URLSearchParamsCtor = new (init?: unknown) => { toString(): string };

// Globals of the sandbox (kinde/program.ts), present when the workflow declares their binding. Each file that uses
// one declares it (a declaration is not exported: the code reads the global itself).
declare const kinde: KindeGlobal;
declare const URLSearchParams: URLSearchParamsCtor;

// A binding is a property of the global "kinde", which exists only when a kinde.* binding is declared.
export function binding<K extends keyof KindeGlobal>(name: K): KindeGlobal[K] | undefined {
  return typeof kinde === 'undefined' || kinde === null ? undefined : kinde[name];
}

/** Throws as the package does when the `url` binding is not declared. */
export function requireUrlBinding(): void {
  if (typeof URLSearchParams === 'undefined') {
    throw new Error('url binding not available');
  }
}
