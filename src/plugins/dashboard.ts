/**
 * The dashboard at `/dashboard/`: the static files `npm run build` bundles into dist/dashboard/
 * (scripts/build-dashboard.mjs), read into memory once at start. Every answer carries a strict Content-Security-Policy
 * (no inline script or style, nothing from another origin, no framing); the page talks only to this server's own
 * token endpoint, management API and `/metrics`, so every write passes the same checks as curl's. Bundles have hashed
 * names and are cached for a year; `index.html` is revalidated on every load. `MINTER_DASHBOARD=false` leaves the
 * plugin out.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';

/** Where the build writes the bundle: dist/dashboard/, beside dist/src/ where this module runs from. */
export const DASHBOARD_BUILD_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dashboard');

/** What the page may load and reach: itself, only. Keep in step with docs/dashboard.md. */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

interface Asset {
  body: Buffer;
  type: string;
}

function readBuild(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  if (!existsSync(dir)) return assets;
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)];
    if (type) assets.set(name, { body: readFileSync(join(dir, name)), type });
  }
  return assets;
}

export interface DashboardOptions {
  /** The built files; {@link DASHBOARD_BUILD_DIR} by default. */
  dir?: string;
}

export const dashboardPlugin: FastifyPluginAsync<DashboardOptions> = async (app, options) => {
  const assets = readBuild(options.dir ?? DASHBOARD_BUILD_DIR);
  const index = assets.get('index.html');
  if (!index) app.log.warn('the dashboard is not built (run npm run build): /dashboard answers 503');

  const secure = (reply: FastifyReply) =>
    reply
      .header('content-security-policy', DASHBOARD_CSP)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('x-frame-options', 'DENY')
      .header('cross-origin-opener-policy', 'same-origin')
      .header('cross-origin-resource-policy', 'same-origin');

  // Relative, so that the page's relative URLs resolve under any path prefix a proxy adds.
  app.get('/dashboard', { schema: { hide: true } }, (_request, reply) => {
    secure(reply).redirect('dashboard/', 301);
  });

  app.get('/dashboard/', { schema: { hide: true } }, (_request, reply) => {
    secure(reply).header('cache-control', 'no-cache');
    if (!index) {
      reply.code(503).type('text/plain; charset=utf-8').send('The dashboard is not built: run npm run build.\n');
      return;
    }
    reply.type(index.type).send(index.body);
  });

  app.get<{ Params: { file: string } }>('/dashboard/:file', { schema: { hide: true } }, (request, reply) => {
    const asset = request.params.file === 'index.html' ? undefined : assets.get(request.params.file);
    secure(reply);
    if (!asset) {
      reply.code(404).header('cache-control', 'no-cache').type('text/plain; charset=utf-8').send('Not found\n');
      return;
    }
    // Every file but index.html has its content's hash in its name (the build's LEGAL.txt files too).
    reply.header('cache-control', 'public, max-age=31536000, immutable').type(asset.type).send(asset.body);
  });
};
