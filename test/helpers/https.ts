/**
 * https for tests of Minter serving TLS (MINTER_TLS_CERT / MINTER_TLS_KEY): a self-signed certificate made with the
 * openssl CLI, and JSON requests that trust it.
 */
import { execFileSync } from 'node:child_process';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';

/** A self-signed P-256 certificate for localhost and 127.0.0.1, made with the openssl CLI. */
export function makeCertificate(dir: string, name: string): { cert: string; key: string } {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  return { cert, key };
}

/** A JSON request over https trusting `ca`. */
export function httpsJson(
  method: string,
  url: string,
  ca: Buffer,
  options: { body?: unknown; form?: Record<string, string>; token?: string } = {},
): Promise<{ status: number; body: any }> {
  const payload =
    options.form !== undefined
      ? new URLSearchParams(options.form).toString()
      : options.body !== undefined
        ? JSON.stringify(options.body)
        : undefined;
  const headers: Record<string, string> = {};
  if (options.form !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
  else if (payload !== undefined) headers['content-type'] = 'application/json';
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  return new Promise((resolve, reject) => {
    const request = httpsRequest(url, { method, ca, headers, agent: false }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }),
      );
    });
    request.on('error', reject);
    request.end(payload);
  });
}
