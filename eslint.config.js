// `npm run lint`: ESLint with typescript-eslint's recommended rules over the TypeScript sources, the tests and the
// benchmarks, and Node's globals for the plain scripts. Formatting is Prettier's (`.prettierrc.json`), not ESLint's.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // test/fixtures holds other people's code as they wrote it (Kinde projects): it is input, not ours to lint.
  { ignores: ['dist/', 'node_modules/', 'bench/results/', 'data/', 'test/fixtures/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
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
