/**
 * An https front for a Minter a test started on http: a self-signed certificate for 127.0.0.1 made with the `openssl`
 * command, and a loopback TLS server that forwards every connection to Minter's port. For clients that speak only
 * https (the Auth0 Deploy CLI builds `https://${AUTH0_DOMAIN}` URLs). The certificate is its own CA: hand `caPath` to
 * a child process as NODE_EXTRA_CA_CERTS.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type TLSSocket } from 'node:tls';
import { freePort } from '../../bench/net.js';
import { makeCertificate } from './https.js';

export interface TlsFront {
  /** The https port on 127.0.0.1. */
  port: number;
  /** `https://127.0.0.1:<port>`. */
  url: string;
  /** PEM of the self-signed certificate (which is its own CA). */
  caPath: string;
  /** Forwards new connections to Minter's http port from now on (the front may be made before Minter listens). */
  forwardTo(port: number): Promise<void>;
  close(): Promise<void>;
}

/** Whether this machine has the `openssl` command the front needs. */
export function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A self-signed certificate for localhost and 127.0.0.1 (https.ts), as PEM files in a new temporary directory. */
export async function selfSignedCertificate(): Promise<{ dir: string; certPath: string; keyPath: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'minter-tls-'));
  const made = makeCertificate(dir, 'front');
  return { dir, certPath: made.cert, keyPath: made.key };
}

/** Reserves a port and makes the certificate; forwarding starts with `forwardTo`. */
export async function startTlsFront(): Promise<TlsFront> {
  const { dir, certPath, keyPath } = await selfSignedCertificate();
  const port = await freePort();
  let target = 0;
  const open = new Set<Socket>();
  const track = (socket: Socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server = createServer({ cert: await readFile(certPath), key: await readFile(keyPath) }, (client: TLSSocket) => {
    const upstream = connect(target, '127.0.0.1');
    track(client);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  });
  server.on('tlsClientError', () => undefined);
  return {
    port,
    url: `https://127.0.0.1:${port}`,
    caPath: certPath,
    async forwardTo(minterPort) {
      target = minterPort;
      if (!server.listening) await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    },
    async close() {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
