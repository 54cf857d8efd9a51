/**
 * `structuredClone(value)` (HTML's structured clone, as Node 22's global), which V8 alone lacks and packages such as
 * `jose` call: a deep copy of primitives, plain objects and arrays (own enumerable string keys), `Date`, `RegExp`,
 * `Map`, `Set`, `ArrayBuffer` and its views, errors and boxed primitives, cycles and shared references kept;
 * functions, symbols, promises and weak collections throw a `DataCloneError`. Written in JavaScript, inside the
 * isolate: it makes only ordinary objects (no shared memory: `SharedArrayBuffer` is gone), and a `transfer` list is
 * refused rather than detaching anything.
 */
import { ArrayIsArray, ErrorCtor, ObjectKeys, StringCtor } from '../intrinsics.js';

function dataCloneError(what: string): Error {
  const error = new ErrorCtor(what + ' could not be cloned.');
  error.name = 'DataCloneError';
  return error;
}

const ERRORS: Record<string, ErrorConstructor> = {
  Error,
  EvalError,
  RangeError,
  ReferenceError,
  SyntaxError,
  TypeError,
  URIError,
};

type Memory = Map<object, unknown>;

function cloneBuffer(buffer: ArrayBuffer, memory: Memory): ArrayBuffer {
  const seen = memory.get(buffer);
  if (seen !== undefined) return seen as ArrayBuffer;
  const copy = buffer.slice(0);
  memory.set(buffer, copy);
  return copy;
}

function cloneObject(value: object, memory: Memory): unknown {
  const tag = Object.prototype.toString.call(value);
  if (typeof value === 'function') throw dataCloneError(StringCtor((value as { name?: unknown }).name || 'function'));
  if (value instanceof ArrayBuffer) return cloneBuffer(value, memory);
  if (ArrayBuffer.isView(value)) {
    const buffer = cloneBuffer(value.buffer as ArrayBuffer, memory);
    const View = value.constructor as new (b: ArrayBuffer, offset: number, length: number) => object;
    const length = value instanceof DataView ? value.byteLength : (value as unknown as { length: number }).length;
    const copy = new View(buffer, value.byteOffset, length);
    memory.set(value, copy);
    return copy;
  }
  if (value instanceof Date) return new Date(value.getTime());
  if (value instanceof RegExp) return new RegExp(value.source, value.flags);
  if (tag === '[object Boolean]' || tag === '[object Number]' || tag === '[object String]' || tag === '[object BigInt]')
    return Object((value as { valueOf(): unknown }).valueOf());
  if (tag === '[object Symbol]' || value instanceof Promise || value instanceof WeakMap || value instanceof WeakSet)
    throw dataCloneError(tag);
  if (typeof WeakRef !== 'undefined' && value instanceof WeakRef) throw dataCloneError(tag);
  if (value instanceof Map) {
    const copy = new Map();
    memory.set(value, copy);
    value.forEach((v, k) => copy.set(clone(k, memory), clone(v, memory)));
    return copy;
  }
  if (value instanceof Set) {
    const copy = new Set();
    memory.set(value, copy);
    value.forEach((v) => copy.add(clone(v, memory)));
    return copy;
  }
  if (value instanceof Error) {
    const name = StringCtor(value.name);
    const copy = new (ERRORS[name] ?? Error)(StringCtor(value.message));
    memory.set(value, copy);
    if (typeof value.stack === 'string') copy.stack = value.stack;
    if ('cause' in value) copy.cause = clone(value.cause, memory);
    return copy;
  }
  const copy = (ArrayIsArray(value) ? new Array(value.length) : {}) as Record<string, unknown>;
  memory.set(value, copy);
  const keys = ObjectKeys(value);
  for (let i = 0; i < keys.length; i++) copy[keys[i]!] = clone((value as Record<string, unknown>)[keys[i]!], memory);
  return copy;
}

function clone(value: unknown, memory: Memory): unknown {
  if (typeof value === 'symbol') throw dataCloneError(StringCtor(value));
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return value;
  const seen = memory.get(value);
  if (seen !== undefined) return seen;
  return cloneObject(value, memory);
}

/** The global `structuredClone(value[, { transfer }])`. */
export function structuredClone(value: unknown, options?: { transfer?: unknown }): unknown {
  if (arguments.length === 0) throw new TypeError("Failed to execute 'structuredClone': 1 argument required");
  const transfer = options === undefined || options === null ? undefined : options.transfer;
  if (transfer !== undefined && !(ArrayIsArray(transfer) && transfer.length === 0))
    throw dataCloneError('A transfer list (not supported in Minter actions)');
  return clone(value, new Map());
}
