/**
 * `AbortController` and `AbortSignal` (DOM §3.1–3.2), globals of Node's runtime: packages make a controller per
 * request to time it out (the `auth0` SDK does) and hand its signal to `fetch`, which rejects with the signal's reason
 * when it aborts (fetch/fetch.ts; the host's request runs on to its end, its answer unread). A signal keeps its own
 * listeners (`addEventListener` for 'abort', `{ once }`, `onabort`) rather than being an `EventTarget`, which the
 * isolate has not; `AbortSignal.abort`, `timeout` (a timer of the invocation: it never fires after the execution) and
 * `any` as in Node. A listener that throws fails the execution, as an uncaught exception fails Node's process.
 */
import { DOMException } from '../dom-exception.js';
import { TypeErrorCtor } from '../intrinsics.js';
import { current } from '../invocation.js';
import { setTimeout } from '../timers.js';

type Listener = ((event: AbortEvent) => unknown) | { handleEvent(event: AbortEvent): unknown };

/** The event an 'abort' listener receives (a plain object: the isolate has no `Event`). */
interface AbortEvent {
  type: string;
  target: AbortSignal;
  currentTarget: AbortSignal;
}

/** Only this module makes signals: the constructor is "illegal" for action code, as in Node. */
const MAKING = {};

/** Internal steps run when a signal aborts, before its listeners (fetch's rejection, `any`'s signals). */
export let onAbort: (signal: AbortSignal, steps: () => void) => () => void;
/** Aborts `signal` with `reason` (an AbortError DOMException when undefined); a second abort does nothing. */
let abortSignal: (signal: AbortSignal, reason: unknown) => void;
/** Whether `value` is an AbortSignal made here. */
export let isAbortSignal: (value: unknown) => value is AbortSignal;

function reportListenerError(error: unknown): void {
  const inv = current;
  if (inv !== null && !inv.done && inv.uncaught === undefined) inv.uncaught = error;
}

export class AbortSignal {
  #aborted = false;
  #reason: unknown = undefined;
  #steps: Array<() => void> = [];
  #listeners: Array<{ listener: Listener; once: boolean }> = [];
  #onabort: ((event: AbortEvent) => unknown) | null = null;

  static {
    isAbortSignal = (value): value is AbortSignal => value !== null && typeof value === 'object' && #aborted in value;
    onAbort = (signal, steps) => {
      signal.#steps.push(steps);
      return () => {
        const i = signal.#steps.indexOf(steps);
        if (i >= 0) signal.#steps.splice(i, 1);
      };
    };
    abortSignal = (signal, reason) => {
      if (signal.#aborted) return;
      signal.#aborted = true;
      signal.#reason = reason === undefined ? new DOMException('This operation was aborted', 'AbortError') : reason;
      const steps = signal.#steps;
      signal.#steps = [];
      for (const step of steps) step();
      signal.#dispatch({ type: 'abort', target: signal, currentTarget: signal });
    };
  }

  constructor(key?: unknown) {
    if (key !== MAKING) throw new TypeErrorCtor('Illegal constructor');
  }

  get aborted(): boolean {
    return this.#aborted;
  }

  get reason(): unknown {
    return this.#reason;
  }

  throwIfAborted(): void {
    if (this.#aborted) throw this.#reason;
  }

  get onabort(): ((event: AbortEvent) => unknown) | null {
    return this.#onabort;
  }

  set onabort(handler: unknown) {
    this.#onabort = typeof handler === 'function' ? (handler as (event: AbortEvent) => unknown) : null;
  }

  addEventListener(type: unknown, listener: unknown, options?: unknown): void {
    if (listener === null || listener === undefined || String(type) !== 'abort') return;
    if (typeof listener !== 'function' && typeof listener !== 'object') return;
    if (this.#listeners.some((entry) => entry.listener === listener)) return;
    const once = options !== null && typeof options === 'object' && (options as { once?: unknown }).once === true;
    this.#listeners.push({ listener: listener as Listener, once });
  }

  removeEventListener(type: unknown, listener: unknown): void {
    if (String(type) !== 'abort') return;
    const i = this.#listeners.findIndex((entry) => entry.listener === listener);
    if (i >= 0) this.#listeners.splice(i, 1);
  }

  /** Runs the 'abort' listeners with `event` (only that type is listened for). */
  dispatchEvent(event: unknown): boolean {
    if (event === null || typeof event !== 'object' || (event as { type?: unknown }).type !== 'abort') return true;
    this.#dispatch(event as AbortEvent);
    return true;
  }

  #dispatch(event: AbortEvent): void {
    const handler = this.#onabort;
    if (handler !== null) {
      try {
        handler.call(this, event);
      } catch (e) {
        reportListenerError(e);
      }
    }
    for (const entry of this.#listeners.slice()) {
      if (entry.once) this.removeEventListener('abort', entry.listener);
      try {
        if (typeof entry.listener === 'function') entry.listener.call(this, event);
        else if (typeof entry.listener.handleEvent === 'function') entry.listener.handleEvent(event);
      } catch (e) {
        reportListenerError(e);
      }
    }
  }

  /** A signal already aborted with `reason`. */
  static abort(reason?: unknown): AbortSignal {
    const signal = makeSignal();
    abortSignal(signal, reason);
    return signal;
  }

  /** A signal that aborts with a TimeoutError after `ms` (within the execution that made it). */
  static timeout(ms: unknown): AbortSignal {
    const delay = +(ms as number);
    if (!(delay >= 0 && delay <= Number.MAX_SAFE_INTEGER)) {
      throw new TypeErrorCtor('The "delay" argument must be a non-negative integer. Received ' + String(ms));
    }
    const signal = makeSignal();
    setTimeout(function () {
      abortSignal(signal, new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
    }, delay);
    return signal;
  }

  /** A signal that aborts when the first of `signals` does, with its reason. */
  static any(signals: unknown): AbortSignal {
    const sources: AbortSignal[] = [];
    for (const source of signals as Iterable<unknown>) {
      if (!isAbortSignal(source)) {
        throw new TypeErrorCtor('The "signals" argument must be an iterable of AbortSignal instances');
      }
      sources.push(source);
    }
    const signal = makeSignal();
    const aborted = sources.find((source) => source.aborted);
    if (aborted !== undefined) {
      abortSignal(signal, aborted.reason);
      return signal;
    }
    for (const source of sources) onAbort(source, () => abortSignal(signal, source.reason));
    return signal;
  }

  get [Symbol.toStringTag](): string {
    return 'AbortSignal';
  }
}

/** A new signal (not aborted): `new AbortSignal` named in the class's own body would make the bundler rename it. */
function makeSignal(): AbortSignal {
  return new AbortSignal(MAKING);
}

export class AbortController {
  readonly #signal = makeSignal();

  get signal(): AbortSignal {
    return this.#signal;
  }

  abort(reason?: unknown): void {
    abortSignal(this.#signal, reason);
  }

  get [Symbol.toStringTag](): string {
    return 'AbortController';
  }
}
