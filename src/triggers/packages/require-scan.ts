/**
 * The modules an action's own code requires by name (`require('lodash')`, `require('node:crypto')`), found by esbuild
 * rather than by a regular expression, so that a `require` in a comment or a string does not count. A `require` of a
 * computed name cannot be seen at deploy and is left to run time.
 */
import * as esbuild from 'esbuild';

/** A module the action requires, and the first line (1-based) that names it. */
export interface RequiredModule {
  specifier: string;
  line: number;
}

/** Where esbuild could not read the code (a syntax error): line and column, 1-based as V8 counts them. */
export interface ScanFailure {
  message: string;
  line: number;
  column: number;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function lineOf(code: string, specifier: string): number {
  const call = new RegExp(`require\\s*\\(\\s*(['"\`])${escape(specifier)}\\1\\s*\\)`).exec(code);
  const at = call ? call.index : code.indexOf(specifier);
  return at < 0 ? 0 : code.slice(0, at).split('\n').length;
}

/** The modules `code` requires, in order of appearance, or why it could not be read. */
export async function scanRequires(code: string): Promise<RequiredModule[] | ScanFailure> {
  const found: string[] = [];
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
          name: 'minter-require-scan',
          setup(build) {
            build.onResolve({ filter: /.*/ }, (args) => {
              // `require.resolve('x')` names a module without loading it.
              if (args.kind !== 'require-resolve' && !found.includes(args.path)) found.push(args.path);
              return { path: args.path, external: true };
            });
          },
        },
      ],
    });
  } catch (error) {
    const first = (error as { errors?: esbuild.Message[] }).errors?.[0];
    if (!first) throw error;
    return { message: first.text, line: first.location?.line ?? 0, column: (first.location?.column ?? -1) + 1 };
  }
  return found.map((specifier) => ({ specifier, line: lineOf(code, specifier) }));
}
