/**
 * Checks what a workflow exports against what Minter can run: `workflowSettings` (id, trigger, failure policy,
 * bindings) and a default export, each failure a {@link WorkflowCompileError} at the line it concerns.
 */
import type { Exported } from './workflow-introspect.js';
import {
  KINDE_M2M_TRIGGER,
  WorkflowCompileError,
  type KindeWorkflowSettings,
  type WorkflowCompileErrorCode,
} from './workflow.js';

/**
 * The bindings a workflow may declare in `m2m:token_generation`, as Minter provides them (docs/kinde-workflows.md):
 * Kinde's documented M2M bindings, `console`, `util`, `kinde.cache` (`jwtToken`), `kinde.risk` (`setScore` /
 * `getScore`, shown in the execution record) and `kinde.auth` (`denyAccess`, a Minter extension in M2M).
 */
const M2M_BINDINGS: ReadonlySet<string> = new Set([
  'kinde.m2mToken',
  'kinde.fetch',
  'kinde.secureFetch',
  'kinde.env',
  'url',
  'console',
  'util',
  'kinde.cache',
  'kinde.risk',
  'kinde.auth',
]);

/**
 * Bindings Kinde documents for other triggers, with no meaning when a machine asks for a token: declaring one is
 * refused at deploy with the reason, rather than failing at run time.
 */
const NO_M2M_MEANING: ReadonlyMap<string, string> = new Map([
  ['kinde.idToken', "sets claims of a user's ID token; in m2m:token_generation use kinde.m2mToken"],
  ['kinde.accessToken', "sets claims of a user's access token; in m2m:token_generation use kinde.m2mToken"],
  ['kinde.widget', 'renders sign-in pages, which an M2M token request has none of'],
  ['kinde.localization', 'localizes sign-in pages, which an M2M token request has none of'],
  ['kinde.mfa', 'controls multi-factor prompts of a user sign-in'],
  ['kinde.ssoSession', 'controls the SSO session of a user'],
  ['kinde.plan', "reads a user's billing plan"],
]);

/** 1-based line of the first match in `source`, 0 when absent. */
function lineOf(source: string, pattern: RegExp): number {
  const match = pattern.exec(source);
  return match === null ? 0 : source.slice(0, match.index).split('\n').length;
}

/** The settings Minter keeps, or the first reason the workflow cannot run. */
export function validate(exported: Exported, entry: string, source: string): KindeWorkflowSettings {
  const settingsLine =
    lineOf(source, /\bexport\s+(?:const|let|var)\s+workflowSettings\b/) || lineOf(source, /\bworkflowSettings\b/);
  const fail = (code: WorkflowCompileErrorCode, text: string, line = settingsLine): never => {
    throw new WorkflowCompileError(code, [{ file: entry, line, column: line > 0 ? 1 : 0, text }]);
  };
  const s = exported.settings;
  if (!exported.hasSettings || s === null || typeof s !== 'object' || Array.isArray(s)) {
    fail(
      'settings',
      'the workflow must export a "workflowSettings" object (export const workflowSettings = { id, trigger, ... })',
      0,
    );
  }
  const settings = s as Record<string, unknown>;
  if (typeof settings.id !== 'string' || settings.id.trim() === '') {
    fail('settings', 'workflowSettings.id must be a non-empty string');
  }
  if (settings.name !== undefined && typeof settings.name !== 'string') {
    fail('settings', 'workflowSettings.name must be a string when present');
  }
  if (settings.trigger !== KINDE_M2M_TRIGGER) {
    const hint = settings.trigger === 'm2m:tokens_generation' ? ` (did you mean "${KINDE_M2M_TRIGGER}"?)` : '';
    fail(
      'trigger',
      `workflowSettings.trigger is ${JSON.stringify(settings.trigger)}${hint}: Minter only runs "${KINDE_M2M_TRIGGER}" workflows (WorkflowTrigger.M2MTokenGeneration)`,
      lineOf(source, /\btrigger\s*:/) || settingsLine,
    );
  }
  let failurePolicy: 'stop' | 'continue' = 'stop';
  if (settings.failurePolicy !== undefined) {
    const action = (settings.failurePolicy as { action?: unknown } | null)?.action;
    if (action !== 'stop' && action !== 'continue') {
      fail(
        'settings',
        'workflowSettings.failurePolicy.action must be "stop" or "continue"',
        lineOf(source, /\bfailurePolicy\b/) || settingsLine,
      );
    }
    failurePolicy = action as 'stop' | 'continue';
  }
  const bindings = settings.bindings ?? {};
  if (bindings === null || typeof bindings !== 'object' || Array.isArray(bindings)) {
    fail('settings', 'workflowSettings.bindings must be an object such as { "kinde.m2mToken": {} }');
  }
  const names = Object.keys(bindings as object);
  const bindingsLine = lineOf(source, /\bbindings\s*:/) || settingsLine;
  const meaningless = names.filter((n) => NO_M2M_MEANING.has(n));
  if (meaningless.length > 0) {
    fail(
      'settings',
      meaningless
        .map((n) => `binding "${n}" is not available in ${KINDE_M2M_TRIGGER} workflows: it ${NO_M2M_MEANING.get(n)}`)
        .join('; '),
      bindingsLine,
    );
  }
  const unknown = names.filter((n) => !M2M_BINDINGS.has(n));
  if (unknown.length > 0) {
    fail(
      'settings',
      `unknown binding ${unknown.map((n) => JSON.stringify(n)).join(', ')} in workflowSettings.bindings; known: ${[...M2M_BINDINGS].join(', ')}`,
      bindingsLine,
    );
  }
  if (exported.defaultType !== 'function' && exported.handleType !== 'function') {
    fail(
      'default_export',
      'the workflow must have a default export: an async function (export default async function Workflow(event) {}) or an object with a handle function',
      lineOf(source, /\bexport\s+default\b/),
    );
  }
  return {
    id: settings.id as string,
    ...(typeof settings.name === 'string' ? { name: settings.name } : {}),
    trigger: KINDE_M2M_TRIGGER,
    failurePolicy,
    bindings: names,
  };
}
