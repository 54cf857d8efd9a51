/**
 * A token worker's end of the IPC channel to the primary: messages out, handlers by type in, and calls that wait for
 * the primary's answer. When the channel closes (the primary is gone) every call under way rejects and `onClosed`
 * runs: a worker without its primary cannot learn configuration changes or store its records, so it stops.
 */
import { isMinterMessage, type OwnerAnswer, type OwnerCall, type ToPrimary, type ToWorker } from './messages.js';

type Handler<T extends ToWorker['t']> = (message: Extract<ToWorker, { t: T }>) => void;

export class WorkerChannel {
  readonly #handlers = new Map<string, (message: ToWorker) => void>();
  readonly #calls = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  #nextId = 0;
  #closed = false;

  constructor(onClosed: () => void) {
    if (process.send === undefined)
      throw new Error('a token worker runs under the cluster primary (cluster/primary.ts)');
    process.on('message', (message: unknown) => {
      if (!isMinterMessage(message)) return;
      const typed = message as ToWorker;
      if (typed.t === 'answer') {
        const call = this.#calls.get(typed.id);
        this.#calls.delete(typed.id);
        call?.resolve(typed.value);
        return;
      }
      this.#handlers.get(typed.t)?.(typed);
    });
    process.on('disconnect', () => {
      this.#closed = true;
      const lost = new Error('the primary process is gone');
      for (const call of this.#calls.values()) call.reject(lost);
      this.#calls.clear();
      onClosed();
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  on<T extends ToWorker['t']>(type: T, handler: Handler<T>): void {
    this.#handlers.set(type, handler as (message: ToWorker) => void);
  }

  /** Sends without waiting; dropped once the channel is closed (the worker is stopping then). */
  send(message: ToPrimary): void {
    if (!this.#closed) process.send!(message);
  }

  /** Sends `message` and resolves once it is written to the channel (or the channel is gone). */
  sendLast(message: ToPrimary): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise((resolve) => process.send!(message, undefined, {}, () => resolve()));
  }

  /** Asks the owner of the shared counters, and resolves with its answer. */
  call<C extends OwnerCall>(call: C): Promise<OwnerAnswer<C>> {
    if (this.#closed) return Promise.reject(new Error('the primary process is gone'));
    const id = ++this.#nextId;
    return new Promise((resolve, reject) => {
      this.#calls.set(id, { resolve: resolve as (value: unknown) => void, reject });
      process.send!({ t: 'call', id, call } satisfies ToPrimary);
    });
  }
}
