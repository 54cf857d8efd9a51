/**
 * Kinde's per-request entry point: `makeRunner(module)` finds the workflow in the esbuild CommonJS bundle —
 * `module.exports.default` is `async (event) => {}` or `{ async handle(event) {} }` (Kinde notes §1.1) — and answers
 * `start(p)`, which runs it on the host's event (`b`), with `i` the issuer for `kinde.fetch`.
 */
import type { KindePayload } from '../../boundary.js';
import { settle, type Start } from '../entries.js';
import { TypeErrorCtor } from '../intrinsics.js';
import { invocation, setCurrent } from '../invocation.js';
import type { ActionModule } from '../load.js';

type Workflow = (event: unknown) => unknown;

/** `start(p)` for the workflow's bundle; throws when it has no usable default export. */
export function makeRunner(module: ActionModule): Start {
  const exported = module.exports as { default?: unknown } | null;
  let entry: unknown = exported;
  if (exported !== null && typeof exported === 'object' && exported.default !== undefined) entry = exported.default;
  let call: Workflow;
  if (typeof entry === 'function') {
    call = function (event) {
      return (entry as Workflow)(event);
    };
  } else if (
    entry !== null &&
    typeof entry === 'object' &&
    typeof (entry as { handle?: unknown }).handle === 'function'
  ) {
    call = function (event) {
      return (entry as { handle: Workflow }).handle(event);
    };
  } else {
    throw new TypeErrorCtor(
      'The workflow has no default export: export default async function (event) {} or export default { async handle(event) {} }',
    );
  }
  return function start(payload) {
    const p = payload as KindePayload;
    const inv = invocation(p);
    inv.issuer = p.i;
    setCurrent(inv);
    return settle(inv, function () {
      return call(p.b);
    });
  };
}
