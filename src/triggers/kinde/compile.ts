/**
 * Deploy-time compiler for Kinde workflows (`m2m:token_generation`).
 *
 * Kinde's own pipeline (notes §4.1, workflows-runtime `workflowBundler`) bundles a workflow with esbuild into one
 * CommonJS file, runs it once to read `workflowSettings` statically, and checks the default export. Minter does the
 * same, at deploy and never at token time: every problem — syntax, an unavailable package, a wrong trigger, a
 * missing default export — becomes a {@link WorkflowCompileError} with a file and line.
 */
import { bundle, normalizeFiles, normalizePath } from './workflow-bundle.js';
import { introspect } from './workflow-introspect.js';
import { validate } from './workflow-settings.js';
import { WorkflowCompileError, type CompiledKindeWorkflow, type KindeWorkflowSource } from './workflow.js';

export {
  KINDE_M2M_TRIGGER,
  WorkflowCompileError,
  type CompileDiagnostic,
  type CompiledKindeWorkflow,
  type KindeWorkflowSettings,
  type KindeWorkflowSource,
  type WorkflowCompileErrorCode,
} from './workflow.js';

/**
 * Bundle a Kinde workflow and read its settings.
 * @throws {WorkflowCompileError} on any reason the workflow could not run on Minter.
 */
export async function compileKindeWorkflow(input: KindeWorkflowSource): Promise<CompiledKindeWorkflow> {
  const files = normalizeFiles(input.files);
  const entry = normalizePath(input.entry);
  if (!(entry in files)) {
    throw new WorkflowCompileError('build', [
      { file: entry, line: 0, column: 0, text: `entry "${input.entry}" is not among the workflow's files` },
    ]);
  }
  const { code, inputs } = await bundle(files, entry);
  const exported = await introspect(code, entry);
  return { code, inputs, settings: validate(exported, entry, files[entry] ?? '') };
}
