/**
 * Custom claims as the action sets them: the same rules as restricted-claims.ts on the host, so that the action sees
 * what will be issued. Names live as keys of a prototype-less object, so `constructor` or `toString` is a claim like
 * any other.
 */
import { config } from './host.js';
import { JSONparse, JSONstringify, ObjectCreate, ObjectKeys, StringCtor } from './intrinsics.js';
import type { Invocation } from './invocation.js';
import { joined, utf8Length } from './json-text.js';
import { append, defineOwn, owns, slice } from './safe.js';

const RESTRICTED: Record<string, true> = ObjectCreate(null);
for (let ri = 0; ri < config.restricted.length; ri++) RESTRICTED[config.restricted[ri]!] = true;

function entryBytes(name: string, json: string): number {
  return utf8Length(JSONstringify(name)) + 1 + utf8Length(json) + 1;
}

function refuse(inv: Invocation, name: string, reason: string): void {
  if (inv.refusedCount >= 100) return;
  inv.refusedCount++;
  inv.refused = joined(
    inv.refused,
    '{"name":' + JSONstringify(slice(name, 0, 200)) + ',"reason":' + JSONstringify(reason) + '}',
  );
}

/** The JSON text of a claim an earlier action set, or undefined (the host re-checks sizes: this is the action's view). */
function priorJson(inv: Invocation, name: string): string | undefined {
  if (!owns(inv.prior, name)) return undefined;
  try {
    const json: unknown = JSONstringify(inv.prior[name]);
    return typeof json === 'string' ? json : undefined;
  } catch {
    return undefined;
  }
}

/** Records `name: value`, or its refusal with the reason. Calls after the invocation ended are ignored. */
export function recordClaim(inv: Invocation, name: unknown, value: unknown): void {
  if (inv.done) return;
  if (typeof name !== 'string' || name === '') return refuse(inv, StringCtor(name), config.refusal.name);
  if (name === '__proto__') return refuse(inv, name, config.refusal.proto);
  if (RESTRICTED[name] === true) return refuse(inv, name, config.refusal.restricted);
  let json: unknown;
  try {
    json = JSONstringify(value);
  } catch {
    json = undefined;
  }
  if (typeof json !== 'string') return refuse(inv, name, config.refusal.value);
  if (json.length > config.maxClaimsBytes) return refuse(inv, name, config.refusal.size);
  const mine = name in inv.claims;
  const previous = mine ? inv.claims[name] : priorJson(inv, name);
  const next = inv.bytes - (previous === undefined ? 0 : entryBytes(name, previous)) + entryBytes(name, json);
  if (next > config.maxClaimsBytes) return refuse(inv, name, config.refusal.size);
  inv.bytes = next;
  if (!mine) append(inv.names, name);
  inv.claims[name] = json;
}

/** Claims issued so far in the chain, earlier actions' and this one's, as fresh values, each an own property. */
export function customClaims(inv: Invocation): Record<string, unknown> {
  const out = {};
  const keys = ObjectKeys(inv.prior);
  let i: number;
  let json: string | undefined;
  for (i = 0; i < keys.length; i++) {
    json = priorJson(inv, keys[i]!);
    if (json !== undefined) defineOwn(out, keys[i]!, JSONparse(json));
  }
  for (i = 0; i < inv.names.length; i++) defineOwn(out, inv.names[i]!, JSONparse(inv.claims[inv.names[i]!]!));
  return out;
}
