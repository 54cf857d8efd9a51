/**
 * The deploy-time check of the Node built-ins an Auth0 action's own code requires: each `require('x')` (or
 * `import`) of a built-in Minter does not provide (node-builtins.ts) fails the deploy with the module's name, what to
 * use instead, and where. The calls are found by esbuild, not by a regular expression, so a `require` in a comment or
 * a string does not count; a `require` of a computed name cannot be seen here and throws the same text when it runs.
 */
import * as esbuild from 'esbuild';
import { builtinOf, isSupportedBuiltin, refusedBuiltinMessage } from './node-builtins.js';

/** A refused built-in and where it is required (1-based line and column). */
export interface RefusedRequire {
  specifier: string;
  message: string;
  line: number;
  column: number;
}

const PLUGIN = 'minter-builtins';

/** The first unsupported built-in `code` requires, or undefined (also when esbuild cannot read the code: V8 says why). */
export async function refusedRequire(code: string): Promise<RefusedRequire | undefined> {
  try {
    await esbuild.build({
      stdin: { contents: code, loader: 'js', sourcefile: 'action.js' },
      bundle: true,
      write: false,
      format: 'cjs',
      platform: 'neutral',
      logLevel: 'silent',
      plugins: [
        {
          name: PLUGIN,
          setup(build) {
            build.onResolve({ filter: /.*/ }, (args) => {
              const refused = builtinOf(args.path) !== undefined && !isSupportedBuiltin(args.path);
              if (refused && args.kind !== 'require-resolve')
                return { errors: [{ text: args.path, detail: refusedBuiltinMessage(args.path) }] };
              return { path: args.path, external: true };
            });
          },
        },
      ],
    });
  } catch (error) {
    const first = (error as { errors?: esbuild.Message[] }).errors?.find((e) => e.pluginName === PLUGIN);
    if (first === undefined) return undefined;
    return {
      specifier: first.text,
      message: String(first.detail),
      line: first.location?.line ?? 0,
      column: (first.location?.column ?? -1) + 1,
    };
  }
  return undefined;
}
