// `npm run lint`: ESLint with typescript-eslint's recommended rules over the TypeScript sources, the tests and the
// benchmarks, and Node's globals for the plain scripts. Formatting is Prettier's (`.prettierrc.json`), not ESLint's.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const SANDBOX_PROGRAM = 'src/triggers/sandbox/program/';

export default tseslint.config(
  // test/fixtures holds other people's code as they wrote it (Kinde projects): it is input, not ours to lint. The
  // sandbox bundles are generated from src/triggers/sandbox/program/ (scripts/build-sandbox.mjs), which is linted.
  {
    ignores: [
      'dist/',
      'node_modules/',
      'bench/results/',
      'data/',
      'test/fixtures/',
      'src/triggers/sandbox/bundles.generated.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  // The code that runs inside the isolates has V8 alone: no Node globals (its tsconfig has no Node types either).
  { ignores: [`${SANDBOX_PROGRAM}**`], languageOptions: { globals: globals.node } },
  {
    // The URL parser's code point classes include C0 controls, as the WHATWG URL Standard writes them.
    files: [`${SANDBOX_PROGRAM}url/**/*.ts`],
    rules: { 'no-control-regex': 'off' },
  },
  {
    rules: {
      // `_` names a value deliberately left unused (a callback's argument, a destructured field set aside).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  {
    // Tests and benchmarks read JSON off the wire and poke at it; `any` there is the body as sent, checked by the
    // assertions that follow. src/ stays without it.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
