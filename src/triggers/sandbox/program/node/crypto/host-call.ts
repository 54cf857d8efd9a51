/**
 * The door of `crypto` to the host (`hostNode`, auth0/node-host.ts): one synchronous call per operation, its byte
 * arguments and its answer copied, never a host object. Each call's host time counts against the execution's budget,
 * `config.maxCryptoMs` (MINTER_ACTIONS_MAX_CRYPTO_MS): past it, every further call throws a RangeError and is counted
 * in the record (`refused_calls.crypto`), as the fetch and timer caps are. Host time is what the cap protects: the
 * sandbox process's main thread runs every host call, for every client. Code outside a live execution (the top level,
 * a continuation nobody awaits) shares one budget of the same size per isolate.
 *
 * The budget is kept here, in the program: action code cannot reach `inv.cryptoMs` or this module's counter, and
 * the host bounds each call's size, so a call the budget let through still ends in milliseconds.
 */
import { config, host, type NodeHostAnswer } from '../../host.js';
import { ErrorCtor, RangeErrorCtor, TypeErrorCtor } from '../../intrinsics.js';
import { currentInvocation, refuseCall } from '../../invocation.js';
import { own } from '../../safe.js';

/** Bytes one operation may take (the host's MAX_DATA_BYTES): refused here before they are copied out. */
export const MAX_DATA_BYTES = 8 * 1024 * 1024;

let outsideMs = 0;

/** An Error of the class the host named, with Node's `code`. */
export function codedError(message: string, code: string, name?: string): Error {
  const Ctor = name === 'TypeError' ? TypeErrorCtor : name === 'RangeError' ? RangeErrorCtor : ErrorCtor;
  const error = new Ctor(message) as Error & { code: string };
  error.code = code;
  return error;
}

/** Counts a refusal and answers the RangeError the action sees. */
export function refused(message: string): Error {
  const current = currentInvocation();
  const inv = current !== null && !current.done ? current : null;
  refuseCall(inv, 'crypto');
  return codedError('crypto refused: ' + message, 'ERR_MINTER_CRYPTO_REFUSED', 'RangeError');
}

/** Refuses `bytes` past {@link MAX_DATA_BYTES} for one operation. */
export function checkSize(length: number): void {
  if (length > MAX_DATA_BYTES) throw refused('one operation may take at most ' + MAX_DATA_BYTES + ' bytes');
}

/** One host operation; throws the host's failure as the action's error. */
export function hostCall(op: string, meta: string, a?: Uint8Array, b?: Uint8Array, c?: Uint8Array): NodeHostAnswer {
  const current = currentInvocation();
  const inv = current !== null && !current.done ? current : null;
  const spent = inv === null ? outsideMs : inv.cryptoMs;
  if (spent >= config.maxCryptoMs) {
    throw refused('an execution may spend at most ' + config.maxCryptoMs + ' ms of the host’s time in crypto');
  }
  const answer = host.node.applySync(undefined, [op, meta, a, b, c], {
    arguments: { copy: true },
    result: { copy: true },
  });
  const t = own(answer, 't');
  if (typeof t === 'number' && t > 0) {
    if (inv === null) outsideMs += t;
    else inv.cryptoMs += t;
  }
  const e = own(answer, 'e');
  if (typeof e === 'string') throw codedError(e, own(answer, 'c') ?? 'ERR_CRYPTO_OPERATION_FAILED', own(answer, 'n'));
  return answer;
}

/** The bytes of an answer (a fresh array, the isolate's own). */
export function answerBytes(answer: NodeHostAnswer): Uint8Array {
  const b = own(answer, 'b');
  return b instanceof Uint8Array ? b : new Uint8Array(0);
}

/** The text of an answer. */
export function answerText(answer: NodeHostAnswer): string {
  const s = own(answer, 's');
  return typeof s === 'string' ? s : '';
}

/** What `require(name)` throws for a module the isolate does not provide: the host's text (one list, host-side). */
export function moduleError(name: string): Error {
  const answer = host.node.applySync(undefined, ['module', name], {
    arguments: { copy: true },
    result: { copy: true },
  });
  return codedError(
    own(answer, 'e') ?? "Cannot find module '" + name + "'",
    own(answer, 'c') ?? 'MODULE_NOT_FOUND',
    own(answer, 'n'),
  );
}
