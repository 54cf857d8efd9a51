// `npm run lint`: ESLint with typescript-eslint's recommended rules over the TypeScript sources, the tests and the
// benchmarks, and Node's globals for the plain scripts. Formatting is Prettier's (`.prettierrc.json`), not ESLint's.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * The floors of docs/architecture.md, enforced: a module imports from its own floor and the floors below, never
 * above; oauth/ and management/ not each other, and neither the Kinde API (kinde-api/, which may reuse
 * management/'s guards but not oauth/). Each entry: the folders of a floor, and what they may not import.
 */
const up = (names) => `^(\\.\\./)+(${names.join('|')})(/|\\.js$)`;
const FLOOR_1 = ['cluster', 'plugins', 'http', 'cli', 'workflows', 'main', 'server', 'bootstrap', 'config'];
const FLOOR_2 = ['oauth', 'management', 'kinde-api', 'error-handler'];
const FLOOR_3 = ['triggers'];
const FLOOR_4 = ['registry', 'keys', 'observability'];
const floors = [
  { files: ['src/oauth/**/*.ts'], banned: [...FLOOR_1, 'management', 'kinde-api'] },
  { files: ['src/management/**/*.ts'], banned: [...FLOOR_1, 'oauth', 'kinde-api'] },
  { files: ['src/kinde-api/**/*.ts'], banned: [...FLOOR_1, 'oauth'] },
  { files: ['src/triggers/**/*.ts'], banned: [...FLOOR_1, ...FLOOR_2] },
  { files: FLOOR_4.map((d) => `src/${d}/**/*.ts`), banned: [...FLOOR_1, ...FLOOR_2, ...FLOOR_3] },
  { files: ['src/store/**/*.ts', 'src/crypto/**/*.ts'], banned: [...FLOOR_1, ...FLOOR_2, ...FLOOR_3, ...FLOOR_4] },
].map(({ files, banned }) => ({
  files,
  rules: {
    'no-restricted-imports': [
      'error',
      { patterns: [{ regex: up(banned), message: 'An import up the floors (docs/architecture.md).' }] },
    ],
  },
}));
/** The leaves every floor may import import nothing of Minter's but each other. */
const LEAVES = ['errors', 'ids', 'credential-parameters', 'claim-property'];
const leaves = {
  files: LEAVES.map((name) => `src/${name}.ts`),
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            regex: `^\\./(?!(${LEAVES.join('|')})\\.js$)`,
            message: 'A leaf imports only other leaves (docs/architecture.md).',
          },
        ],
      },
    ],
  },
};
const SANDBOX_PROGRAM = 'src/triggers/sandbox/program/';
/** The dashboard runs in the browser: the DOM's globals, and nothing of the server's code (it talks to it over HTTP). */
const dashboard = {
  files: ['dashboard/**/*.{ts,tsx}'],
  languageOptions: { globals: globals.browser },
  rules: {
    'no-restricted-imports': [
      'error',
      { patterns: [{ regex: '^(\\.\\./)+src/', message: 'The dashboard reaches the server over HTTP only.' }] },
    ],
  },
};

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
  { ignores: [`${SANDBOX_PROGRAM}**`, 'dashboard/**'], languageOptions: { globals: globals.node } },
  {
    // The Node layer loads each npm stand-in with `require` inside a function, so that a package is evaluated at its
    // first use rather than with the layer (program/node/bundled-require.d.ts).
    files: [`${SANDBOX_PROGRAM}node/**/*.ts`],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
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
  ...floors,
  leaves,
  dashboard,
);
