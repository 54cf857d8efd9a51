/**
 * The host half of an Auth0 action's Node built-ins: the one function behind the `hostNode` Reference
 * (runtime/host-bridge.ts), called synchronously by sandbox/program/node/ with an operation name, its JSON
 * parameters and up to three byte arrays (copies), answering a plain object the isolate receives as a copy:
 * `{ t, b?, s? }` on success (`t` the host's time in ms, which the isolate counts against the execution's
 * MINTER_ACTIONS_MAX_CRYPTO_MS), `{ t, e, c, n }` on failure (message, Node-style code, error class).
 *
 * Everything it gets comes from untrusted code through the program: each argument is checked for type and size
 * here again, no host object and no stack crosses back, and it never throws. Keys come with each operation; the
 * isolate's cache of parsed keys only spares Node reading the same bytes again.
 */
import type { ParsedKeys } from './crypto-key-cache.js';
import { CryptoRefusal } from './crypto-keys.js';
import { digest, exportKeyObject, generate, hmac, importKey, random, signData, verifyData } from './crypto-ops.js';
import { builtinOf, refusedBuiltinMessage } from './node-builtins.js';

/** What the isolate receives. */
export interface NodeHostAnswer {
  /** Host time spent, in ms. */
  t: number;
  b?: Uint8Array;
  s?: string;
  /** A failure: its message, code and class. */
  e?: string;
  c?: string;
  n?: string;
}

/** Bytes of the JSON parameters, at most (a JWK goes as bytes, not here). */
const MAX_META_BYTES = 4096;

type Bytes = Uint8Array | undefined;

const bytesOrUndefined = (value: unknown): Bytes => (value instanceof Uint8Array ? value : undefined);

function metaOf(meta: unknown): Record<string, unknown> {
  if (typeof meta !== 'string' || meta.length > MAX_META_BYTES)
    throw new CryptoRefusal('Invalid parameters', 'ERR_INVALID_ARG_VALUE', 'TypeError');
  const parsed: unknown = JSON.parse(meta);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new CryptoRefusal('Invalid parameters', 'ERR_INVALID_ARG_VALUE', 'TypeError');
  return parsed as Record<string, unknown>;
}

/** What `require(specifier)` throws inside the isolate for a module it does not provide. */
function moduleRefusal(specifier: unknown): NodeHostAnswer {
  const name = String(specifier).slice(0, 200);
  if (builtinOf(name) !== undefined) {
    const e = refusedBuiltinMessage(name) ?? `the Node built-in "${name}" is not available in Minter actions`;
    return { t: 0, e, c: 'ERR_MINTER_BUILTIN_REFUSED', n: 'Error' };
  }
  return {
    t: 0,
    e: `Cannot find module '${name}': declare packages in the action's dependencies, they are bundled at deploy`,
    c: 'MODULE_NOT_FOUND',
    n: 'Error',
  };
}

function run(op: string, meta: unknown, a: Bytes, b: Bytes, c: Bytes, keys: ParsedKeys): Omit<NodeHostAnswer, 't'> {
  switch (op) {
    case 'digest':
      return { b: digest(String(metaOf(meta).alg), a) };
    case 'hmac':
      return { b: hmac(String(metaOf(meta).alg), a, b) };
    case 'random':
      return { b: random(Number(metaOf(meta).size)) };
    case 'import':
      return importKey(metaOf(meta), a);
    case 'export': {
      const out = exportKeyObject(metaOf(meta), a);
      return typeof out === 'string' ? { s: out } : { b: out };
    }
    case 'sign':
      return { b: signData(metaOf(meta), a, b, keys) };
    case 'verify':
      return { s: verifyData(metaOf(meta), a, b, c, keys) ? 'true' : 'false' };
    case 'generate':
      return generate(metaOf(meta));
    default:
      throw new CryptoRefusal('Unknown operation', 'ERR_INVALID_ARG_VALUE', 'TypeError');
  }
}

/**
 * The function behind the `hostNode` Reference: never throws, never answers a host object. `keys` is the isolate's
 * cache of parsed keys (crypto-key-cache.ts), its only state, which only spares Node re-reading the same key.
 */
export function nodeHostCall(
  keys: ParsedKeys,
  op: unknown,
  meta: unknown,
  a?: unknown,
  b?: unknown,
  c?: unknown,
): NodeHostAnswer {
  if (op === 'module') return moduleRefusal(meta);
  const started = performance.now();
  try {
    if (typeof op !== 'string') throw new CryptoRefusal('Unknown operation', 'ERR_INVALID_ARG_VALUE', 'TypeError');
    const answer = run(op, meta, bytesOrUndefined(a), bytesOrUndefined(b), bytesOrUndefined(c), keys);
    return { t: performance.now() - started, ...answer };
  } catch (error) {
    const refusal = error instanceof CryptoRefusal ? error : undefined;
    const message = refusal?.message ?? (error instanceof Error ? error.message : 'crypto operation failed');
    return {
      t: performance.now() - started,
      e: String(message).slice(0, 500),
      c: refusal?.code ?? 'ERR_CRYPTO_OPERATION_FAILED',
      n: refusal?.kind ?? 'Error',
    };
  }
}
