/**
 * `npm start`: reads the environment, builds Minter, listens, and shuts down gracefully on SIGTERM/SIGINT
 * (stops accepting, flushes the log and execution records, closes storage).
 */
import { loadConfig } from './config.js';
import { ConfigError } from './errors.js';
import { kindeAudience } from './kinde-api/scopes.js';
import { buildApp } from './server.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const minter = await buildApp(config);
  const generated = minter.bootstrap.generatedAdmin;
  if (generated) {
    // Printed once, on the start that created it; only its digest is stored.
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
  await minter.app.listen({ port: config.port, host: config.host });
  // What clients must send exactly: the issuer tokens carry and the management APIs' audiences.
  process.stdout.write(
    [
      `Minter is listening on ${config.tls ? 'https' : 'http'}://${config.host}:${config.port}`,
      `  issuer (iss, discovery):   ${config.issuer}`,
      `  token endpoint:            ${config.issuer}/oauth/token`,
      `  management API audience:   ${config.issuer}/api/v2/`,
      `  Kinde API audience:        ${kindeAudience(config.issuer)}   (/api/v1, Kinde's management API)`,
      ...(config.dashboard ? [`  dashboard:                 ${config.issuer}/dashboard/`] : []),
      '',
    ].join('\n'),
  );
  minter.app.log.info({ issuer: config.issuer, storage: minter.database.kind }, 'minter is ready');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    minter.app.log.info({ signal }, 'shutting down');
    minter.close().then(
      () => process.exit(0),
      (error) => {
        minter.app.log.error(error, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error) => {
  if (error instanceof ConfigError) process.stderr.write(`minter: ${error.message}\n`);
  else process.stderr.write(`minter: failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
