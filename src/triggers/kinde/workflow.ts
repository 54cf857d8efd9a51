/**
 * What a Kinde workflow is to Minter at deploy: its source files, the settings read from it, the compiled bundle,
 * and the error (with file and line) when it cannot be deployed. The steps live beside it: workflow-bundle.ts,
 * workflow-introspect.ts, workflow-settings.ts; compile.ts runs them in order.
 */

/** The only trigger Minter runs Kinde workflows for. */
export const KINDE_M2M_TRIGGER = 'm2m:token_generation';

/** Source files of one workflow: the entry and the local files it imports, by path (`/`-separated). */
export interface KindeWorkflowSource {
  files: Record<string, string>;
  /** Key of `files` holding the workflow module. */
  entry: string;
}

/** `workflowSettings` as Minter keeps it. */
export interface KindeWorkflowSettings {
  id: string;
  name?: string;
  trigger: string;
  failurePolicy: 'stop' | 'continue';
  /** Keys of `workflowSettings.bindings`, in declaration order. */
  bindings: string[];
}

/** A compiled workflow: the runnable bundle and its settings. */
export interface CompiledKindeWorkflow {
  /** One CommonJS file; `module.exports.default` is the workflow function or `{ handle }` object. */
  code: string;
  settings: KindeWorkflowSettings;
  /** The workflow's files the bundle took, by path: the entry first, then what it imports. */
  inputs: string[];
}

/** One problem found while compiling. `line` is 1-based, `column` 1-based; both 0 when not tied to a place. */
export interface CompileDiagnostic {
  file: string;
  line: number;
  column: number;
  text: string;
}

/** Which deploy check failed. */
export type WorkflowCompileErrorCode = 'build' | 'import' | 'evaluate' | 'settings' | 'trigger' | 'default_export';

/** A workflow that cannot be deployed. `message` is the first diagnostic, prefixed with `file:line:column`. */
export class WorkflowCompileError extends Error {
  override readonly name = 'WorkflowCompileError';
  readonly code: WorkflowCompileErrorCode;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Every diagnostic (esbuild reports all errors of a build); the first is the one in `message`. */
  readonly diagnostics: readonly CompileDiagnostic[];

  constructor(code: WorkflowCompileErrorCode, diagnostics: readonly [CompileDiagnostic, ...CompileDiagnostic[]]) {
    const [first] = diagnostics;
    const where = first.line > 0 ? `${first.file}:${first.line}:${first.column}` : first.file;
    super(`${where}: ${first.text}`);
    this.code = code;
    this.file = first.file;
    this.line = first.line;
    this.column = first.column;
    this.diagnostics = diagnostics;
  }
}
