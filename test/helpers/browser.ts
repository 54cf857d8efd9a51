/**
 * A real Chromium for the dashboard tests, driven by playwright-core: the machine's own browser (Debian's `chromium`
 * package; `.ci/run` installs it), never a downloaded one. Also the page-level checks every dashboard page gets:
 * axe-core's serious and critical violations, and screenshots for the docs when MINTER_SCREENSHOTS=1.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The Chromium to drive: MINTER_CHROMIUM, else `chromium` on PATH; undefined when there is none. */
export function findChromium(): string | undefined {
  const named = process.env.MINTER_CHROMIUM;
  if (named) return existsSync(named) ? named : undefined;
  try {
    const path = execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], {
      encoding: 'utf8',
    }).trim();
    return path === '' ? undefined : path;
  } catch {
    return undefined;
  }
}

/**
 * axe-core's source. The dashboard's CSP refuses inline scripts, page.addScriptTag's among them (the test would need
 * bypassCSP, which would also hide the page's own violations), so it is evaluated through the DevTools protocol.
 */
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeFigures {
  page: string;
  violations: Array<{ id: string; impact: string | null; nodes: number; help: string }>;
  passes: number;
  incomplete: number;
}

/** Runs axe-core (WCAG 2.0/2.1 A and AA rules, and best practices) in the page as it is now. */
export async function runAxe(page: Page, name: string): Promise<AxeFigures> {
  if (!(await page.evaluate('typeof window.axe === "object"'))) await page.evaluate(axeSource);
  const result = (await page.evaluate(
    `window.axe.run(document, { resultTypes: ['violations'] }).then((r) => ({
      violations: r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length, help: v.help,
        targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) })),
      passes: r.passes.length,
      incomplete: r.incomplete.length,
    }))`,
  )) as Omit<AxeFigures, 'page'>;
  return { page: name, ...result };
}

/** The pages docs/dashboard.md and the README show. */
const DOCUMENTED = new Set([
  'sign-in',
  'overview',
  'application',
  'action',
  'action-versions',
  'triggers',
  'logs',
  'log-record',
  'keys',
  'read-only',
  'narrow',
]);

/**
 * Saves a screenshot of a documented page as docs/images/dashboard-<name>.png, only when MINTER_SCREENSHOTS=1 (CI
 * leaves the tracked files be).
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.MINTER_SCREENSHOTS !== '1' || !DOCUMENTED.has(name)) return;
  const dir = join(repoRoot, 'docs', 'images');
  await mkdir(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `dashboard-${name}.png`), fullPage: false });
}

/** The dashboard's built files, for the size figures. */
export const dashboardBuildDir = join(repoRoot, 'dist', 'dashboard');
