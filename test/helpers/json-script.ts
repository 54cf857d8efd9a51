/**
 * Runs a client script as its own process, as a service would run (so that NODE_EXTRA_CA_CERTS and other start-up
 * settings apply to it), with exactly `env` plus PATH; resolves with the one JSON line it prints.
 */
import { spawn } from 'node:child_process';

export function runJsonScript(script: string, env: Record<string, string>, what: string): Promise<any> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`${what} exited ${code}: ${err}`)),
    );
  });
}
