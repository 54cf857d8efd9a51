#!/usr/bin/env -S node --no-node-snapshot
/**
 * The `minter` command. `minter deploy-workflows <folder>` deploys every Kinde workflow of a project laid out as
 * Kinde's (`kinde.json`, `kindeSrc/environment/workflows/**\/*Workflow.ts`) to a running Minter: it compiles each
 * locally first (so errors show file and line before anything changes), then creates or updates the action named
 * by `workflowSettings.id`, deploys it, and binds it to `m2m:token_generation` (kept in the current order, new ones
 * appended) — on Kinde a sync makes workflows live; this does the same.
 *
 * `minter actions bundle` and `minter actions upload` (actions-bundle.ts) carry an Auth0 action with npm dependencies
 * to a Minter that cannot reach the registry.
 *
 * Connection: `--url` (or MINTER_URL, default http://localhost:3000), `--client-id` / `--client-secret` (or
 * MINTER_ADMIN_CLIENT_ID / MINTER_ADMIN_CLIENT_SECRET), `--audience` (default `<url>/api/v2/`).
 */
import { parseArgs } from 'node:util';
import { compileKindeProject } from '../triggers/kinde/project.js';
import { WorkflowCompileError } from '../triggers/kinde/compile.js';
import { DependencyError } from '../triggers/packages/dependency-error.js';
import { actionsCommand, ACTIONS_USAGE } from './actions-bundle.js';
import { call, CliError, connect } from './management-client.js';

const USAGE = `usage: minter deploy-workflows <folder> [--url URL] [--client-id ID] [--client-secret SECRET] [--audience AUD] [--dry-run]
${ACTIONS_USAGE}`;

async function deployWorkflows(
  folder: string,
  options: { url: string; clientId?: string; clientSecret?: string; audience?: string; dryRun: boolean },
) {
  const workflows = await compileKindeProject(folder);
  if (workflows.length === 0) throw new CliError(`no *Workflow.ts files under ${folder}`);
  for (const w of workflows) console.log(`compiled ${w.entry} → workflow "${w.compiled.settings.id}"`);
  if (options.dryRun) return;
  const { url, token } = await connect(options);

  const deployedIds: string[] = [];
  for (const w of workflows) {
    const name = w.compiled.settings.id;
    const { [w.entry]: code, ...files } = w.files;
    const listed = await call(url, token, 'GET', `/actions/actions?actionName=${encodeURIComponent(name)}`);
    let action = listed.actions[0];
    if (action && action.supported_triggers[0].id !== 'm2m:token_generation') {
      throw new CliError(
        `an action named "${name}" exists for ${action.supported_triggers[0].id}; rename the workflow id`,
      );
    }
    const source = { code, files, entry_path: w.entry };
    action = action
      ? await call(url, token, 'PATCH', `/actions/actions/${action.id}`, source)
      : await call(url, token, 'POST', '/actions/actions', {
          name,
          supported_triggers: [{ id: 'm2m:token_generation', version: 'v1' }],
          ...source,
        });
    const version = await call(url, token, 'POST', `/actions/actions/${action.id}/deploy`);
    console.log(`deployed "${name}" as version ${version.number}`);
    deployedIds.push(action.id);
  }

  const current = await call(url, token, 'GET', '/actions/triggers/m2m:token_generation/bindings');
  const bound: string[] = current.bindings.map((b: { action: { id: string } }) => b.action.id);
  const order = [...bound, ...deployedIds.filter((id) => !bound.includes(id))];
  if (order.length !== bound.length) {
    await call(url, token, 'PATCH', '/actions/triggers/m2m:token_generation/bindings', {
      bindings: order.map((value) => ({ ref: { type: 'action_id', value } })),
    });
  }
  console.log(`m2m:token_generation runs ${order.length} workflow(s)`);
}

async function main(argv: string[]): Promise<void> {
  if (argv[0] === 'actions') return actionsCommand(argv.slice(1));
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      url: { type: 'string' },
      'client-id': { type: 'string' },
      'client-secret': { type: 'string' },
      audience: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, folder] = positionals;
  if (values.help || command !== 'deploy-workflows' || !folder) {
    console.log(USAGE);
    if (!values.help) process.exitCode = 2;
    return;
  }
  await deployWorkflows(folder, {
    url: values.url ?? process.env.MINTER_URL ?? 'http://localhost:3000',
    clientId: values['client-id'] ?? process.env.MINTER_ADMIN_CLIENT_ID,
    clientSecret: values['client-secret'] ?? process.env.MINTER_ADMIN_CLIENT_SECRET,
    audience: values.audience,
    dryRun: values['dry-run'] ?? false,
  });
}

main(process.argv.slice(2))
  .catch((error: unknown) => {
    if (error instanceof WorkflowCompileError || error instanceof CliError || error instanceof DependencyError)
      console.error(`minter: ${error.message}`);
    else console.error(`minter: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  })
  // Exit explicitly: isolated-vm 5 can abort a Node 20 process that ends by running out of work mid-GC.
  .finally(() => process.exit(process.exitCode ?? 0));
