/**
 * Keeps the Kinde workflows of a project folder (`kindeSrc/`, as Kinde syncs it from git) deployed on a Minter,
 * through its management API: `minter sync-workflows <dir>` and `MINTER_WORKFLOWS_DIR` both run {@link syncWorkflows}.
 *
 * Every workflow is compiled first, so a broken one changes nothing. Then each is created, or updated and deployed,
 * only when what its bundle is made of (its entry and the files it imports) differs from its deployed version; it is
 * bound to `m2m:token_generation` (the current order kept, new ones appended). With `prune`, a workflow whose file
 * left the tree is unbound and deleted. The summary says what changed.
 */
import { compileKindeProject, type CompiledProjectWorkflow } from '../triggers/kinde/project.js';

const TRIGGER = 'm2m:token_generation';
const PAGE = 50;

/** Calls the management API (`/api/v2` + `path`) and answers the JSON body; throws with the answer's message. */
// The body's shape depends on the route: each caller reads it as the type it expects.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ManagementCall = (method: string, path: string, body?: unknown) => Promise<any>;

/** What a sync reads of an action (GET /actions/actions, Auth0's shape with Kinde's files). */
interface WorkflowAction {
  id: string;
  name: string;
  deployed_version?: { code: string; files?: Record<string, string>; entry_path?: string };
}

export interface SyncOptions {
  /** Unbind and delete the workflows whose file left the tree. */
  prune?: boolean;
  /** Compile and compare only: change nothing. */
  dryRun?: boolean;
}

/** What a sync did, by workflow id. */
export interface SyncSummary {
  created: string[];
  updated: string[];
  unchanged: string[];
  removed: string[];
  /** Workflows bound to m2m:token_generation afterwards. */
  bound: number;
}

/** The deploy input of a workflow: its entry's code and the files the bundle took from the tree. */
function sourceOf(workflow: CompiledProjectWorkflow) {
  const files: Record<string, string> = {};
  for (const path of workflow.compiled.inputs) if (path !== workflow.entry) files[path] = workflow.files[path]!;
  return { code: workflow.files[workflow.entry]!, files, entry_path: workflow.entry };
}

/** Whether a deployed version was made from exactly `source`. */
function sameSource(deployed: WorkflowAction['deployed_version'], source: ReturnType<typeof sourceOf>): boolean {
  if (deployed === undefined || deployed.code !== source.code) return false;
  const files: Record<string, string> = deployed.files ?? {};
  const paths = Object.keys(source.files);
  if (Object.keys(files).length !== paths.length || paths.some((p) => files[p] !== source.files[p])) return false;
  return paths.length === 0 || deployed.entry_path === source.entry_path;
}

/** Every m2m:token_generation action, by name. */
async function workflowActions(call: ManagementCall): Promise<Map<string, WorkflowAction>> {
  const byName = new Map<string, WorkflowAction>();
  for (let page = 0; ; page++) {
    const answer = await call('GET', `/actions/actions?triggerId=${TRIGGER}&per_page=${PAGE}&page=${page}`);
    const actions: WorkflowAction[] = answer.actions ?? [];
    for (const action of actions) byName.set(action.name, action);
    if (actions.length < PAGE) return byName;
  }
}

export async function syncWorkflows(
  dir: string,
  call: ManagementCall,
  options: SyncOptions = {},
): Promise<SyncSummary> {
  const workflows = await compileKindeProject(dir);
  const existing = await workflowActions(call);
  const summary: SyncSummary = { created: [], updated: [], unchanged: [], removed: [], bound: 0 };
  const ids: string[] = [];
  for (const workflow of workflows) {
    const name = workflow.compiled.settings.id;
    const source = sourceOf(workflow);
    const action = existing.get(name);
    existing.delete(name);
    if (action && sameSource(action.deployed_version, source)) {
      summary.unchanged.push(name);
      ids.push(action.id);
      continue;
    }
    (action ? summary.updated : summary.created).push(name);
    if (options.dryRun) {
      if (action) ids.push(action.id);
      continue;
    }
    if (action) {
      await call('PATCH', `/actions/actions/${action.id}`, source);
      await call('POST', `/actions/actions/${action.id}/deploy`);
      ids.push(action.id);
    } else {
      const created = await call('POST', '/actions/actions', {
        name,
        supported_triggers: [{ id: TRIGGER, version: 'v1' }],
        ...source,
        deploy: true,
      });
      ids.push(created.id);
    }
  }

  const current = await call('GET', `/actions/triggers/${TRIGGER}/bindings`);
  const bound: string[] = (current.bindings ?? []).map((b: { action: { id: string } }) => b.action.id);
  const gone = options.prune ? [...existing.values()] : [];
  const goneIds = new Set(gone.map((action) => action.id));
  const order = [...bound.filter((id) => !goneIds.has(id)), ...ids.filter((id) => !bound.includes(id))];
  summary.bound = order.length;
  summary.removed = gone.map((action) => action.name);
  if (options.dryRun) return summary;
  if (order.length !== bound.length || order.some((id, i) => id !== bound[i])) {
    await call('PATCH', `/actions/triggers/${TRIGGER}/bindings`, {
      bindings: order.map((value) => ({ ref: { type: 'action_id', value } })),
    });
  }
  for (const action of gone) await call('DELETE', `/actions/actions/${action.id}?force=true`);
  return summary;
}

/** One line per change and a total, for a person reading the CLI's output or the server's log. */
export function describeSync(summary: SyncSummary): string[] {
  return [
    ...summary.created.map((name) => `created and deployed "${name}"`),
    ...summary.updated.map((name) => `updated and deployed "${name}"`),
    ...summary.removed.map((name) => `removed "${name}"`),
    `${summary.created.length} created, ${summary.updated.length} updated, ${summary.unchanged.length} unchanged, ` +
      `${summary.removed.length} removed; ${TRIGGER} runs ${summary.bound} workflow(s)`,
  ];
}
