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
 * Binding names Kinde knows (INFRA `KindeBindings` plus the runtime-only `kinde.cache`, `kinde.risk`,
 * `kinde.plan`, `util`). Declaring one Minter does not provide is allowed, as on Kinde; using it throws the
 * package's "binding not available" error at run time. An unknown name is almost always a typo, so it is refused.
 */
const KNOWN_BINDINGS: ReadonlySet<string> = new Set([
  'kinde.idToken',
  'kinde.accessToken',
  'kinde.m2mToken',
  'console',
  'kinde.fetch',
  'kinde.secureFetch',
  'kinde.widget',
  'kinde.env',
  'kinde.auth',
  'kinde.localization',
  'kinde.mfa',
  'kinde.ssoSession',
  'url',
  'kinde.cache',
  'kinde.risk',
  'kinde.plan',
  'util',
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
  const unknown = names.filter((n) => !KNOWN_BINDINGS.has(n));
  if (unknown.length > 0) {
    fail(
      'settings',
      `unknown binding ${unknown.map((n) => JSON.stringify(n)).join(', ')} in workflowSettings.bindings; known: ${[...KNOWN_BINDINGS].join(', ')}`,
      lineOf(source, /\bbindings\s*:/) || settingsLine,
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
