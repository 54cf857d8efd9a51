/**
 * `npm start`: reads the environment, builds Minter, listens, and shuts down gracefully on SIGTERM/SIGINT
 * (stops accepting, flushes the log and execution records, closes storage). With `MINTER_WORKERS` > 1 (one per core
 * by default) this process becomes the cluster's primary (cluster/primary.ts) and forks the token workers, which run
 * this same file (cluster/token-worker.ts).
 */
import cluster from 'node:cluster';
import { startPrimary } from './cluster/primary.js';
import { runTokenWorker } from './cluster/token-worker.js';
import { loadConfig, type Config } from './config.js';
import { ConfigError } from './errors.js';
import { kindeAudience } from './kinde-api/scopes.js';
import type { BootstrapResult } from './bootstrap.js';
import { buildApp } from './server.js';

/** Printed once, on the start that created it; only its digest is stored. */
function printGeneratedAdmin(config: Readonly<Config>, bootstrap: BootstrapResult): void {
  const generated = bootstrap.generatedAdmin;
  if (!generated) return;
  process.stdout.write(
    [
      '',
      'Minter created an admin client for the management API. Keep these; the secret is not shown again:',
      `  MINTER_ADMIN_CLIENT_ID=${generated.clientId}`,
      `  MINTER_ADMIN_CLIENT_SECRET=${generated.clientSecret}`,
      `  audience: ${config.issuer}/api/v2/`,
      '',
    ].join('\n') + '\n',
  );
}

/** What clients must send exactly: the issuer tokens carry and the management APIs' audiences. */
function printListening(config: Readonly<Config>, workers: number): void {
  process.stdout.write(
    [
      `Minter is listening on ${config.tls ? 'https' : 'http'}://${config.host}:${config.port}` +
        (workers > 1 ? ` (${workers} token workers)` : ''),
      `  issuer (iss, discovery):   ${config.issuer}`,
      `  token endpoint:            ${config.issuer}/oauth/token`,
      `  management API audience:   ${config.issuer}/api/v2/`,
      `  Kinde API audience:        ${kindeAudience(config.issuer)}   (/api/v1, Kinde's management API)`,
      ...(config.dashboard ? [`  dashboard:                 ${config.issuer}/dashboard/`] : []),
      '',
    ].join('\n'),
  );
}

/** Runs `stop` once on SIGTERM or SIGINT, then exits (1 if it failed). */
function stopOnSignal(
  log: { info(o: object, m: string): void; error(e: unknown, m: string): void },
  stop: () => Promise<void>,
) {
  let stopping = false;
  const onSignal = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    stop().then(
      () => process.exit(0),
      (error) => {
        log.error(error, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
}

async function main(): Promise<void> {
  const config = loadConfig();
  if (cluster.isWorker) return runTokenWorker(config);
  if (config.workers > 1) {
    // Printed before `/health` answers 200, as a single process prints before it listens.
    const primary = await startPrimary(config, {
      onReady: (minter, workers) => {
        printGeneratedAdmin(config, minter.bootstrap);
        printListening(config, workers);
      },
    });
    const { minter } = primary;
    minter.app.log.info(
      { issuer: config.issuer, storage: minter.database.kind, workers: primary.workers },
      'minter is ready',
    );
    stopOnSignal(minter.app.log, () => primary.stop());
    return;
  }
  const minter = await buildApp(config);
  printGeneratedAdmin(config, minter.bootstrap);
  await minter.app.listen({ port: config.port, host: config.host });
  printListening(config, 1);
  minter.app.log.info({ issuer: config.issuer, storage: minter.database.kind }, 'minter is ready');
  stopOnSignal(minter.app.log, () => minter.close());
}

main().catch((error) => {
  const role = cluster.isWorker ? `token worker ${cluster.worker?.id}: ` : '';
  const message =
    error instanceof ConfigError
      ? error.message
      : `failed to start: ${error instanceof Error ? error.stack : String(error)}`;
  process.stderr.write(`minter: ${role}${message}\n`);
  if (!cluster.isWorker || !process.send) process.exit(1);
  // A worker tells the primary why before it ends (cluster/primary.ts reports it if the start fails).
  const failed = { t: 'failed', message: error instanceof Error ? error.message : String(error) };
  process.send(failed, undefined, {}, () => process.exit(1));
});
