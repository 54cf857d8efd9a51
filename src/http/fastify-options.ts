/**
 * The Fastify instance's own options: logging (secrets redacted), proxy trust, https when configured, the one error handler for what
 * Fastify rejects before routing, path length and the JSON Schema validator's settings.
 */
import { LogController, type FastifyServerOptions } from 'fastify';
import type { Config } from '../config.js';
import { answerClientError, answerError } from '../error-handler.js';
import { narrowDateTimeFormat } from '../management/schemas.js';
import { httpsServerFactory } from './tls.js';

/** `logger`: pino options merged over Minter's, or false to stay quiet (tests). */
export function fastifyOptions(
  config: Readonly<Config>,
  logger: boolean | Record<string, unknown> | undefined,
): FastifyServerOptions {
  return {
    logger:
      logger === false
        ? false
        : {
            level: config.logLevel,
            redact: ['req.headers.authorization', 'req.body.client_secret', 'req.body.client_assertion'],
            ...(typeof logger === 'object' ? logger : {}),
          },
    // One line per request costs the hot path a few µs and fills disks; errors are logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: config.trustProxy,
    // MINTER_TLS_CERT / MINTER_TLS_KEY: https on the same port (http/tls.ts; plugins/tls.ts reloads the files).
    ...(config.tls && { serverFactory: httpsServerFactory(config.tls) }),
    // A path Fastify cannot route (bad percent-encoding) is answered by the one error handler, in the caller's shape.
    frameworkErrors: answerError,
    clientErrorHandler: answerClientError,
    // Path ids go up to 600 characters (a resource server's identifier), percent-encoded up to 3 bytes each.
    routerOptions: { maxParamLength: 2048 },
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: true, useDefaults: true, allErrors: false },
      // Every `format: 'date-time'` is a date the database can store (management/schemas.ts).
      onCreate: narrowDateTimeFormat,
    },
  };
}
