#!/usr/bin/env node
// `npm run build`, last step: bundles the dashboard (dashboard/src/, type-checked by dashboard/tsconfig.json) with
// esbuild into dist/dashboard/, which src/plugins/dashboard.ts serves at /dashboard:
//
// - app-<hash>.js, the entry, and <name>-<hash>.js chunks loaded on demand (the code editor and the charts load when
//   a page needs them, so the sign-in screen paints before they arrive); app-<hash>.css with uPlot's styles;
// - index.html, dashboard/index.html with the hashed names written in. Only it changes name-less between builds, so
//   the server caches every other file for a year and index.html not at all.
//
// No inline script or style anywhere: the server's Content-Security-Policy allows 'self' only.
// DASHBOARD_MINIFY=0 leaves the bundle readable (to debug in the browser).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'dist', 'dashboard');

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });

const result = await esbuild.build({
  absWorkingDir: ROOT,
  entryPoints: { app: 'dashboard/src/main.tsx' },
  tsconfig: 'dashboard/tsconfig.json',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome111', 'firefox115', 'safari16.4'],
  minify: process.env.DASHBOARD_MINIFY !== '0',
  outdir: OUT,
  entryNames: '[name]-[hash]',
  chunkNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  legalComments: 'linked',
  metafile: true,
  logLevel: 'warning',
});

const outputs = Object.entries(result.metafile.outputs);
const entry = outputs.find(([, o]) => o.entryPoint === 'dashboard/src/main.tsx');
if (!entry) throw new Error('build-dashboard: esbuild wrote no entry');
const [script, { cssBundle, imports }] = entry;
if (!cssBundle) throw new Error('build-dashboard: the entry has no stylesheet');
// Chunks the entry imports statically are fetched in parallel with it rather than after it is parsed.
const preloads = imports.filter((i) => i.kind === 'import-statement').map((i) => basename(i.path));

const html = readFileSync(join(ROOT, 'dashboard', 'index.html'), 'utf8')
  .replace('<!-- stylesheet -->', `<link rel="stylesheet" href="${basename(cssBundle)}">`)
  .replace(
    '<!-- script -->',
    [
      ...preloads.map((name) => `<link rel="modulepreload" href="${name}">`),
      `<script type="module" src="${basename(script)}"></script>`,
    ].join('\n    '),
  );
if (html.includes('<!--')) throw new Error('build-dashboard: index.html has a placeholder left');
writeFileSync(join(OUT, 'index.html'), html);
