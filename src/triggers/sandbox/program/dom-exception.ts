/**
 * `DOMException` (Web IDL §3.14.1), a global of Node's runtime: the reason of an aborted `AbortSignal` (`AbortError`,
 * `TimeoutError`) is one, and packages throw and test them by name. An Error with a name and its legacy `code`;
 * without the `…_ERR` constants on the class.
 */
import { ErrorCtor, ObjectCreate, StringCtor } from './intrinsics.js';

/** The legacy codes, by name (Web IDL's table); any other name has code 0. */
const CODES: Record<string, number> = ObjectCreate(null);
[
  'IndexSizeError',
  '',
  'HierarchyRequestError',
  'WrongDocumentError',
  'InvalidCharacterError',
  '',
  'NoModificationAllowedError',
  'NotFoundError',
  'NotSupportedError',
  'InUseAttributeError',
  'InvalidStateError',
  'SyntaxError',
  'InvalidModificationError',
  'NamespaceError',
  'InvalidAccessError',
  '',
  'TypeMismatchError',
  'SecurityError',
  'NetworkError',
  'AbortError',
  'URLMismatchError',
  'QuotaExceededError',
  'TimeoutError',
  'InvalidNodeTypeError',
  'DataCloneError',
].forEach((name, i) => {
  if (name !== '') CODES[name] = i + 1;
});

export class DOMException extends ErrorCtor {
  readonly #name: string;

  /** `options`: the name, or `{ name, cause }` (Node's form). */
  constructor(message?: unknown, options?: unknown) {
    const bag =
      options !== null && typeof options === 'object' ? (options as { name?: unknown; cause?: unknown }) : null;
    super(message === undefined ? '' : StringCtor(message), bag !== null && 'cause' in bag ? { cause: bag.cause } : {});
    const name = bag !== null ? bag.name : options;
    this.#name = name === undefined ? 'Error' : StringCtor(name);
  }

  override get name(): string {
    return this.#name;
  }

  get code(): number {
    return CODES[this.#name] ?? 0;
  }

  get [Symbol.toStringTag](): string {
    return 'DOMException';
  }
}
