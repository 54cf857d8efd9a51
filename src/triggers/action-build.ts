/**
 * Turns an action's source into what the engine runs, at deploy time, so that broken code is a 400 on deploy and
 * never a surprise on the token path. Auth0 actions: checked for syntax, for Node built-ins Minter does not provide,
 * and by evaluating the module once in a throwaway isolate running the Auth0 program (`exports.onExecuteCredentials
 * Exchange` is a function). Kinde workflows: compiled with esbuild.
 */
import ivm from 'isolated-vm';
import { InMemoryActionCache } from './auth0/cache.js';
import { refusedRequire } from './auth0/builtin-requires.js';
import type { ActionSource, BuiltAction, DeployedAction, HostServices } from './contract.js';
import { compileKindeWorkflow, WorkflowCompileError } from './kinde/compile.js';
import { IsolateCensus } from './runtime/isolate-census.js';
import { createInstance, type SandboxOptions } from './runtime/isolate-factory.js';
import { hardenedContext } from './sandbox/hardening.js';

/** A build failure with the place it happened, shown to the operator. */
export class ActionBuildError extends Error {
  override name = 'ActionBuildError';
  constructor(
    message: string,
    readonly file: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}

const AUTH0_FILE = 'action.js';

/** Where a deploy-time check runs the action's module: the engine's sandbox settings. */
export type BuildOptions = Omit<SandboxOptions, 'host' | 'census' | 'memoryLimitMb' | 'onBatch' | 'onLoad' | 'onStuck'>;

/**
 * Memory of the check's isolate, in MB: 16 for an action's own code (the Node layer and its packages take ~2 MB when
 * all are required), and 16 more per MB past 100 KB for a module bundled with its dependencies
 * (packages/action-bundle.ts), which V8 parses and whose packages load here.
 */
const checkMemoryMb = (code: string) =>
  Math.min(256, 16 + 16 * Math.ceil(Math.max(0, code.length - 100 * 1024) / (1024 * 1024)));
/** Budget of the module's top-level code at deploy, in ms. */
const CHECK_MS = 1000;

/** What a deploy-time check may call: no network (a top-level `fetch` rejects), an empty cache. */
const DEPLOY_HOST: HostServices = {
  cache: new InMemoryActionCache(),
  fetch: () => Promise.reject(new Error('fetch is not available while an action is checked at deploy')),
  kindeManagementGet: async () => ({ status: 404, body: {} }),
};

/** Compiles the module alone, in a hardened throwaway isolate: a syntax error with its line and column. */
async function checkSyntax(code: string): Promise<void> {
  const isolate = new ivm.Isolate({ memoryLimit: checkMemoryMb(code) });
  try {
    await hardenedContext(isolate);
    try {
      await isolate.compileScript(`(function (exports, module, require) {\n${code}\n})`, {
        filename: AUTH0_FILE,
        lineOffset: -1,
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const where = /action\.js:(\d+)(?::(\d+))?/.exec(error instanceof Error ? (error.stack ?? '') : '');
      throw new ActionBuildError(
        `SyntaxError: ${message}`,
        AUTH0_FILE,
        Number(where?.[1] ?? 0),
        Number(where?.[2] ?? 0),
      );
    }
  } finally {
    if (!isolate.isDisposed) isolate.dispose();
  }
}

/** `Name: message` as the program reports a load failure (program/load.ts) → the message, as deploy errors show it. */
const messageOf = (failure: string) => failure.slice(failure.indexOf(': ') + 2);

/**
 * Checks an Auth0 action module: its syntax, the Node built-ins it requires (auth0/builtin-requires.ts), then its
 * top-level code, run by the real Auth0 program in a fresh isolate as on the token path (so `require('crypto')` at
 * the top level works as it will there), within {@link CHECK_MS}; it must export `onExecuteCredentialsExchange`.
 */
async function checkAuth0(code: string, ownCode: string, options: BuildOptions): Promise<void> {
  await checkSyntax(code);
  const refused = await refusedRequire(ownCode);
  if (refused !== undefined)
    throw new ActionBuildError(
      `require('${refused.specifier}'): ${refused.message}`,
      AUTH0_FILE,
      refused.line,
      refused.column,
    );
  const check: DeployedAction = {
    actionId: 'deploy-check',
    versionId: 'deploy-check',
    name: 'action',
    triggerId: 'credentials-exchange',
    code,
    secrets: {},
  };
  const loaded = await createInstance(
    check,
    { ...options, memoryLimitMb: checkMemoryMb(code), host: DEPLOY_HOST, census: new IsolateCensus(1) },
    performance.now() + CHECK_MS,
  );
  if ('runner' in loaded) {
    loaded.alarm.stop();
    if (!loaded.isolate.isDisposed) loaded.isolate.dispose();
    return;
  }
  if (/^TypeError: The action does not export onExecuteCredentialsExchange/.test(loaded.message)) {
    throw new ActionBuildError(
      'The action must export onExecuteCredentialsExchange: exports.onExecuteCredentialsExchange = async (event, api) => { … }',
      AUTH0_FILE,
      0,
      0,
    );
  }
  const why = loaded.status === 'compile' ? messageOf(loaded.message) : loaded.message;
  throw new ActionBuildError(`The module failed while loading: ${why.slice(0, 2000)}`, AUTH0_FILE, 0, 0);
}

/** Builds an action's source; `options` are the engine's sandbox settings, for the Auth0 check's isolate. */
export async function buildAction(source: ActionSource, options: BuildOptions): Promise<BuiltAction> {
  if (source.triggerId === 'credentials-exchange') {
    await checkAuth0(source.code, source.ownCode ?? source.code, options);
    return { compiled: source.code, settings: {} };
  }
  const entry = source.entryPath ?? 'workflow.ts';
  try {
    const built = await compileKindeWorkflow({ files: { ...source.files, [entry]: source.code }, entry });
    return { compiled: built.code, settings: built.settings };
  } catch (error) {
    if (error instanceof WorkflowCompileError) {
      // The message leads with the place; the management answer puts it there itself ("Build failed at file:l:c").
      const text = error.diagnostics[0]?.text ?? error.message;
      throw new ActionBuildError(text, error.file, error.line, error.column);
    }
    throw error;
  }
}
