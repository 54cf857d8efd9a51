/**
 * Adds a claim to a claims object as an own, enumerable property, whatever its name: the one rule the token's
 * claims (oauth/claims.ts) and the claims a trigger sets (triggers/restricted-claims.ts) both follow.
 */

/**
 * Adds `name` to `claims` as an own, enumerable property, whatever the name. Assignment does so for every name but
 * `__proto__`, the one accessor on Object.prototype (the others, `constructor`, `toString`…, are writable data
 * properties, which assignment shadows); that one is defined instead. Assignment keeps V8's fast object layout:
 * defineProperty for every claim made the payload ~4× slower to build.
 */
export function defineClaim(claims: Record<string, unknown>, name: string, value: unknown): void {
  if (name === '__proto__')
    Object.defineProperty(claims, name, { value, enumerable: true, writable: true, configurable: true });
  else claims[name] = value;
}
