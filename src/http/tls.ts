/**
 * https on `PORT` when MINTER_TLS_CERT and MINTER_TLS_KEY name PEM files: the server is created with them, and they
 * are read again when either changes on disk (a renewed certificate is served to new connections without a restart;
 * connections already open keep theirs). A pair that does not load is refused: at start-up with the file named, on a
 * reload with a warning, the pair in use staying in use.
 */
import { readFileSync, unwatchFile, watchFile, type Stats } from 'node:fs';
import type { RequestListener, Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createSecureContext } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { ConfigError } from '../errors.js';

export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

/** How often the files' modification times are looked at, in ms (polling survives a renewal that swaps a symlink). */
const WATCH_INTERVAL_MS = 1000;

interface Pair {
  cert: Buffer;
  key: Buffer;
}

/** The certificate and key, checked to load together; throws naming the file at fault. */
export function readPair(files: TlsFiles): Pair & { subject: string; validTo: string } {
  const read = (path: string, what: string) => {
    try {
      return readFileSync(path);
    } catch (error) {
      throw new ConfigError(`cannot read the TLS ${what} ${path}: ${(error as Error).message}`);
    }
  };
  const cert = read(files.certFile, 'certificate (MINTER_TLS_CERT)');
  const key = read(files.keyFile, 'private key (MINTER_TLS_KEY)');
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (error) {
    throw new ConfigError(`MINTER_TLS_CERT ${files.certFile} is not a PEM certificate: ${(error as Error).message}`);
  }
  try {
    createSecureContext({ cert, key });
  } catch (error) {
    throw new ConfigError(
      `MINTER_TLS_KEY ${files.keyFile} does not load with MINTER_TLS_CERT ${files.certFile}: ${(error as Error).message}`,
    );
  }
  return { cert, key, subject: x509.subject.replace(/\n/g, ', '), validTo: x509.validTo };
}

/**
 * Fastify's `serverFactory` for https with the files' pair, read now (a pair that does not load stops the start).
 * Typed as Node's http.Server, as Fastify's default instance is: https.Server serves the same request events.
 */
export function httpsServerFactory(files: TlsFiles): (handler: RequestListener) => Server {
  const pair = readPair(files);
  return (handler) => createHttpsServer({ cert: pair.cert, key: pair.key }, handler) as unknown as Server;
}

/** Something to tell about a reload. */
export interface TlsLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

/** Reloads the pair into `server` whenever a file changes; returns what stops watching. */
export function watchPair(server: Server, files: TlsFiles, log: TlsLog): () => void {
  const https = server as unknown as HttpsServer;
  const onChange = (current: Stats, previous: Stats) => {
    if (current.mtimeMs === previous.mtimeMs && current.size === previous.size) return;
    try {
      const pair = readPair(files);
      https.setSecureContext({ cert: pair.cert, key: pair.key });
      log.info({ subject: pair.subject, validTo: pair.validTo }, 'TLS certificate reloaded');
    } catch (error) {
      // Mid-renewal the files may not match yet: the next change tries again, the old pair serves meanwhile.
      log.warn({ reason: (error as Error).message }, 'TLS files changed but do not load; the previous pair stays');
    }
  };
  for (const path of [files.certFile, files.keyFile]) {
    watchFile(path, { interval: WATCH_INTERVAL_MS, persistent: false }, onChange);
  }
  return () => {
    for (const path of [files.certFile, files.keyFile]) unwatchFile(path, onChange);
  };
}
