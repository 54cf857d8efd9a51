/**
 * The global async `fetch` (Auth0 actions run on Node, which has one), answered by `HostServices.fetch` through the
 * `hostFetch` Reference. At most `config.maxFetches` may be out per invocation (the host caps them per isolate too):
 * past that, fetch rejects at once and the refusal is counted in the record (`refused_calls.fetch`). An `init.signal`
 * that aborts rejects it with the signal's reason; the host's request is not stopped (it counts as out until it ends:
 * its time and size limits bound it) and its answer is dropped.
 */
import { config, host } from '../host.js';
import { JSONparse, JSONstringify, PromiseCtor, TypeErrorCtor, promiseThen, reflectApply } from '../intrinsics.js';
import { current, refuseCall, setCurrent } from '../invocation.js';
import { ioReturned, ioStarted } from '../io.js';
import { isAbortSignal, onAbort } from './abort.js';
import { fetchBody } from './body.js';
import { hostMessage, requestParts } from './request.js';
import { Response } from './response.js';

/** The host's answer: a response, or an error (`refused` when a cap or the egress policy stopped it). */
interface HostAnswer {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  body: string;
  error?: string;
  refused?: boolean;
}

/** The global `fetch`: a promise of a {@link Response}, or a TypeError when refused or failed. */
export function fetch(input: unknown, init?: unknown): Promise<Response> {
  const inv = current;
  if (inv !== null && inv.fetches >= config.maxFetches) {
    refuseCall(inv, 'fetch');
    return PromiseCtor.reject(
      new TypeErrorCtor('fetch refused: an execution may have at most ' + config.maxFetches + ' fetches pending'),
    );
  }
  return new PromiseCtor(function (resolve, reject) {
    const signal = init !== null && typeof init === 'object' ? (init as { signal?: unknown }).signal : undefined;
    if (signal !== undefined && signal !== null && !isAbortSignal(signal)) {
      throw new TypeErrorCtor("Failed to execute 'fetch': member signal is not of type AbortSignal.");
    }
    const req = requestParts(input, init, fetchBody);
    if (isAbortSignal(signal) && signal.aborted) return reject(signal.reason);
    let settled = false;
    const forget = isAbortSignal(signal)
      ? onAbort(signal, function () {
          settled = true;
          reject(signal.reason);
        })
      : undefined;
    const pending = host.fetch.apply(undefined, [req.url, JSONstringify(req.init)], {
      result: { promise: true, copy: true },
    });
    ioStarted();
    if (inv !== null) inv.fetches++;
    function returned(): void {
      ioReturned();
      if (inv !== null) inv.fetches--;
      // Interleaved requests on one isolate: the code resuming after this await belongs to inv.
      setCurrent(inv);
      if (forget !== undefined) forget();
    }
    reflectApply(promiseThen, pending, [
      function (raw: string) {
        returned();
        const r: HostAnswer = JSONparse(raw);
        if (r.refused === true) refuseCall(inv, 'fetch');
        if (settled) return;
        if (r.error !== undefined) {
          reject(new TypeErrorCtor((r.refused === true ? 'fetch refused: ' : 'fetch failed: ') + r.error));
        } else {
          resolve(
            new Response(r.body, { status: r.status, statusText: r.statusText, headers: r.headers, url: req.url }),
          );
        }
      },
      function (e: unknown) {
        returned();
        if (settled) return;
        reject(new TypeErrorCtor('fetch failed: ' + hostMessage(e)));
      },
    ]);
  });
}
