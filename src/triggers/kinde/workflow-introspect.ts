/**
 * Reads a bundled workflow's `workflowSettings` and the shape of its default export by running its top-level code
 * once in a throwaway, hardened isolate with stub bindings (Kinde reads them statically the same way).
 */
import ivm from 'isolated-vm';
import { hardenedContext } from '../sandbox/hardening.js';
import { WorkflowCompileError } from './workflow.js';

/** Settings read-out budget: the bundle's top-level code only builds objects. */
const INTROSPECT_MEMORY_MB = 8;
const INTROSPECT_TIMEOUT_MS = 1000;

/** What the introspection script copies out of the isolate. */
export interface Exported {
  hasSettings: boolean;
  settings: unknown;
  defaultType: string;
  handleType: string;
  error?: string;
}

/**
 * Run the bundle's top-level code once in a throwaway isolate and copy out `workflowSettings` and the shape of the
 * default export. Stub bindings keep top-level code that touches `kinde` or `console` from crashing.
 */
export async function introspect(code: string, entry: string): Promise<Exported> {
  const isolate = new ivm.Isolate({ memoryLimit: INTROSPECT_MEMORY_MB });
  try {
    const context = await hardenedContext(isolate);
    const script = await isolate.compileScript(introspectionScript(code), { filename: `${entry}.bundle.js` });
    const json: unknown = await script.run(context, { timeout: INTROSPECT_TIMEOUT_MS, copy: true });
    const exported = JSON.parse(String(json)) as Exported;
    if (exported.error !== undefined) throw new Error(exported.error);
    return exported;
  } catch (error) {
    if (error instanceof WorkflowCompileError) throw error;
    const text = error instanceof Error ? error.message : String(error);
    throw new WorkflowCompileError('evaluate', [
      { file: entry, line: 0, column: 0, text: `reading workflowSettings failed: ${text}` },
    ]);
  } finally {
    if (!isolate.isDisposed) isolate.dispose();
  }
}

function introspectionScript(code: string): string {
  return `(function () {
  var noop = function () {};
  globalThis.console = { log: noop, info: noop, debug: noop, warn: noop, error: noop };
  globalThis.kinde = {
    m2mToken: { setCustomClaim: noop, getCustomClaims: function () { return {}; } },
    env: { get: function () { return undefined; } },
    fetch: function () { throw new Error("kinde.fetch cannot be called at the top level of a workflow"); }
  };
  var module = { exports: {} };
  try {
    (function (module, exports) {
${code}
    })(module, module.exports);
    var m = module.exports;
    if (m === null || (typeof m !== "object" && typeof m !== "function")) m = {};
    var d = m["default"];
    return JSON.stringify({
      hasSettings: "workflowSettings" in m,
      settings: m.workflowSettings,
      defaultType: typeof d,
      handleType: d !== null && typeof d === "object" ? typeof d.handle : "undefined"
    });
  } catch (e) {
    return JSON.stringify({ error: "top-level code threw: " + (e && e.message ? e.message : String(e)) });
  }
})()`;
}
