#!/usr/bin/env -S node --no-node-snapshot
/**
 * The `minter` command.
 *
 * `minter sync-workflows <folder> [--prune] [--dry-run]` keeps the Kinde workflows of a project laid out as Kinde's
 * (`kinde.json`, `kindeSrc/environment/workflows/**\/*Workflow.ts`) deployed on a running Minter: it compiles each
 * locally first (errors show file and line before anything changes), deploys the ones whose sources changed, binds
 * them to `m2m:token_generation`, and with `--prune` removes those whose file is gone (workflows/sync.ts).
 * `minter deploy-workflows <folder>` is the same without `--prune`.
 *
 * `minter actions bundle` and `minter actions upload` (actions-bundle.ts) carry an Auth0 action with npm dependencies
 * to a Minter that cannot reach the registry.
 *
 * Connection: `--url` (or MINTER_URL, default http://localhost:3000), `--client-id` / `--client-secret` (or
 * MINTER_ADMIN_CLIENT_ID / MINTER_ADMIN_CLIENT_SECRET), `--audience` (default `<url>/api/v2/`).
 */
import { parseArgs } from 'node:util';
import { WorkflowCompileError } from '../triggers/kinde/compile.js';
import { DependencyError } from '../triggers/packages/dependency-error.js';
import { describeSync, syncWorkflows } from '../workflows/sync.js';
import { actionsCommand, ACTIONS_USAGE } from './actions-bundle.js';
import { CliError, connect } from './management-client.js';

const USAGE = `usage: minter sync-workflows <folder> [--prune] [--dry-run] [--url URL] [--client-id ID] [--client-secret SECRET] [--audience AUD]
       minter deploy-workflows <folder> [--dry-run] [...the same connection options]
${ACTIONS_USAGE}
environment: MINTER_URL, MINTER_ADMIN_CLIENT_ID, MINTER_ADMIN_CLIENT_SECRET`;

const SYNC_COMMANDS = new Set(['sync-workflows', 'deploy-workflows']);

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
      prune: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, folder] = positionals;
  if (values.help || command === undefined || !SYNC_COMMANDS.has(command) || !folder) {
    console.log(USAGE);
    if (!values.help) process.exitCode = 2;
    return;
  }
  if (command === 'deploy-workflows' && values.prune) throw new CliError('--prune is for sync-workflows');
  const call = await connect({
    url: values.url ?? process.env.MINTER_URL ?? 'http://localhost:3000',
    clientId: values['client-id'] ?? process.env.MINTER_ADMIN_CLIENT_ID,
    clientSecret: values['client-secret'] ?? process.env.MINTER_ADMIN_CLIENT_SECRET,
    ...(values.audience !== undefined && { audience: values.audience }),
  });
  const summary = await syncWorkflows(folder, call, { prune: values.prune, dryRun: values['dry-run'] });
  for (const line of describeSync(summary)) console.log(values['dry-run'] ? `(dry run) ${line}` : line);
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
