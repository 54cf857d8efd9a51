/**
 * The https part: when MINTER_TLS_CERT and MINTER_TLS_KEY are set, the server (made https by http/fastify-options.ts)
 * reloads the pair when the files change, and stops watching them when the app closes.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import { watchPair } from '../http/tls.js';

export function watchTlsFiles(app: FastifyInstance, config: Readonly<Config>): void {
  if (config.tls === undefined) return;
  const stop = watchPair(app.server, config.tls, app.log);
  app.addHook('onClose', async () => stop());
}
