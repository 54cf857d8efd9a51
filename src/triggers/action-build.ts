/**
 * Turns an action's source into what the engine runs, at deploy time, so that broken code is a 400 on deploy and
 * never a surprise on the token path. Auth0 actions: checked by evaluating the module once in a throwaway isolate
 * (syntax, and `exports.onExecuteCredentialsExchange` is a function). Kinde workflows: compiled with esbuild.
 */
import ivm from 'isolated-vm';
import type { ActionSource, BuiltAction } from './contract.js';
import { compileKindeWorkflow, WorkflowCompileError } from './kinde/compile.js';
import { hardenedContext } from './sandbox/hardening.js';

/** A build failure with the place it happened, shown to the operator. */
export class ActionBuildError extends Error {
  override name = 'ActionBuildError';
  constructor(
    message: string,
    readonly file: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}

const AUTH0_FILE = 'action.js';

/**
 * Memory of the check's isolate (MB): 8 for an action's own code (at most 100 KB), and 16 more per MB past that for
 * a module bundled with its dependencies (packages/action-bundle.ts), which V8 parses and whose packages load here.
 */
const checkMemoryMb = (code: string) =>
  Math.min(256, 8 + 16 * Math.ceil(Math.max(0, code.length - 100 * 1024) / (1024 * 1024)));

/** Checks an Auth0 action module in a small isolate with a 1 s budget. */
async function checkAuth0(code: string): Promise<void> {
  const isolate = new ivm.Isolate({ memoryLimit: checkMemoryMb(code) });
  try {
    const context = await hardenedContext(isolate);
    let script: ivm.Script;
    try {
      script = await isolate.compileScript(`(function (exports, module, require) {\n${code}\n})`, {
        filename: AUTH0_FILE,
        lineOffset: -1,
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const where = /action\.js:(\d+)(?::(\d+))?/.exec(error instanceof Error ? (error.stack ?? '') : '');
      throw new ActionBuildError(
        `SyntaxError: ${message}`,
        AUTH0_FILE,
        Number(where?.[1] ?? 0),
        Number(where?.[2] ?? 0),
      );
    }
    const wrapper = await script.run(context, { timeout: 1000, reference: true });
    await context.global.set('__module', wrapper.derefInto());
    let checked: { kind?: string; error?: string };
    try {
      // The module's own error is read inside the isolate, within the budget: a thrown object never crosses to the
      // host, where isolated-vm would read its getters outside any budget (sandbox/bootstrap.ts).
      checked = JSON.parse(
        await context.eval(
          `(() => {
          const module = { exports: {} };
          const require = (name) => { throw new Error("require('" + name + "') is not available in Minter's sandbox"); };
          try {
            __module(module.exports, module, require);
            return JSON.stringify({ kind: typeof module.exports.onExecuteCredentialsExchange });
          } catch (e) {
            let error;
            try { error = String(e !== null && typeof e === 'object' ? e.message : e); } catch { error = 'an exception'; }
            return JSON.stringify({ error: error.slice(0, 2000) });
          }
        })()`,
          { timeout: 1000, copy: true },
        ),
      ) as { kind?: string; error?: string };
    } catch (error) {
      checked = { error: error instanceof Error ? error.message : String(error) };
    }
    if (checked.error !== undefined)
      throw new ActionBuildError(`The module failed while loading: ${checked.error}`, AUTH0_FILE, 0, 0);
    if (checked.kind !== 'function') {
      throw new ActionBuildError(
        'The action must export onExecuteCredentialsExchange: exports.onExecuteCredentialsExchange = async (event, api) => { … }',
        AUTH0_FILE,
        0,
        0,
      );
    }
  } finally {
    if (!isolate.isDisposed) isolate.dispose();
  }
}

export async function buildAction(source: ActionSource): Promise<BuiltAction> {
  if (source.triggerId === 'credentials-exchange') {
    await checkAuth0(source.code);
    return { compiled: source.code, settings: {} };
  }
  const entry = source.entryPath ?? 'workflow.ts';
  try {
    const built = await compileKindeWorkflow({ files: { ...source.files, [entry]: source.code }, entry });
    return { compiled: built.code, settings: built.settings };
  } catch (error) {
    if (error instanceof WorkflowCompileError) {
      // The message leads with the place; the management answer puts it there itself ("Build failed at file:l:c").
      const text = error.diagnostics[0]?.text ?? error.message;
      throw new ActionBuildError(text, error.file, error.line, error.column);
    }
    throw error;
  }
}
