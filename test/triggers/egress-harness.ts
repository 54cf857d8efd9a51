/**
 * Test support for the egress guard: a loopback HTTP server that counts connections, and a guard that records
 * every outgoing socket and blocks any that is not aimed at loopback, so a bug cannot send traffic elsewhere.
 */
import dc from 'node:diagnostics_channel';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface LocalServer {
  port: number;
  /** Base URL on 127.0.0.1. */
  url: string;
  /** TCP connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 with an ephemeral port. */
export async function startLocalServer(handler: http.RequestListener): Promise<LocalServer> {
  const server = http.createServer(handler);
  let connections = 0;
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    connections: () => connections,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export interface ConnectionGuard {
  /** Hosts of every outgoing TCP connection attempted while the guard was on. */
  attempts: string[];
  /** Those that were not loopback, and were stopped before any packet left. */
  blocked: string[];
  stop(): void;
}

/** Watches `net.connect` (the path of `http.request`) and stops any non-loopback attempt before it connects. */
export function guardConnections(): ConnectionGuard {
  const guard: ConnectionGuard = {
    attempts: [],
    blocked: [],
    stop: () => dc.unsubscribe('net.client.socket', onSocket),
  };
  function onSocket(message: unknown): void {
    const socket = (message as { socket: Socket }).socket;
    const connect = socket.connect.bind(socket) as (...args: unknown[]) => Socket;
    (socket as unknown as { connect: (...args: unknown[]) => Socket }).connect = (...args: unknown[]) => {
      const first = args[0];
      const options = (Array.isArray(first) ? first[0] : first) as { host?: string } | undefined;
      const host = options?.host ?? 'localhost';
      guard.attempts.push(host);
      if (LOOPBACK.has(host)) return connect(...args);
      guard.blocked.push(host);
      process.nextTick(() => socket.destroy(new Error(`test guard blocked a connection to ${host}`)));
      return socket;
    };
  }
  dc.subscribe('net.client.socket', onSocket);
  return guard;
}

/** A lookup that answers from a fixed table and counts its calls. */
export function fakeLookup(table: Record<string, string[]>) {
  const calls: string[] = [];
  const lookup = async (hostname: string) => {
    calls.push(hostname);
    const addresses = table[hostname];
    if (addresses === undefined) throw Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return { lookup, calls };
}
