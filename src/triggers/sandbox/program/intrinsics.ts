/**
 * The built-ins the program calls, captured when it starts: after the hardening, before any action code runs.
 *
 * The record is the host's only view of what an action did, and action code runs in this same realm: it can replace
 * any built-in (JSON.stringify, Array.prototype.join…), pollute prototypes (Object.prototype.toJSON, a getter for
 * 'denial' or for index 0 of every array) and keep them so for the isolate's later requests. So everything that makes
 * or carries a record uses only the intrinsics captured here, called through `reflectApply`; holds its data in objects
 * and arrays without a prototype (safe.ts), whose reads and writes never leave their own properties; and writes the
 * record as JSON text from primitive pieces (json-text.ts), each string quoted by the captured JSON.stringify (which
 * looks up no toJSON for a primitive). No object is serialised, no action code runs, so the record says what the
 * recorder saw. The host parses it strictly again (sandbox/record.ts) and re-checks every claim (restricted-claims.ts).
 */
export const JSONparse = JSON.parse;
export const JSONstringify = JSON.stringify;
export const StringCtor = String;
export const NumberCtor = Number;
export const ObjectCreate = Object.create;
export const ObjectKeys = Object.keys;
export const ObjectSetPrototypeOf = Object.setPrototypeOf;
export const ObjectDefineProperty = Object.defineProperty;
export const ArrayIsArray = Array.isArray;
export const PromiseCtor = Promise;
export const PromiseResolve = Promise.resolve;
export const promiseThen = Promise.prototype.then;
export const ErrorCtor = Error;
export const TypeErrorCtor = TypeError;
export const RangeErrorCtor = RangeError;
export const reflectApply = Reflect.apply;
export const hasOwn = Object.prototype.hasOwnProperty;
export const objectToString = Object.prototype.toString;
export const stringSlice = String.prototype.slice;
export const stringCharCodeAt = String.prototype.charCodeAt;
export const stringIndexOf = String.prototype.indexOf;
export const arraySlice = Array.prototype.slice;
export const arrayJoin = Array.prototype.join;
export const symbolToString = Symbol.prototype.toString;
export const parseIntFn = parseInt;
export const parseFloatFn = parseFloat;
export const MathFloor = Math.floor;
export const MathMax = Math.max;
export const DateNow = Date.now;
export const Uint8ArrayCtor = Uint8Array;
export const ArrayBufferCtor = ArrayBuffer;
export const ArrayBufferIsView = ArrayBuffer.isView;
