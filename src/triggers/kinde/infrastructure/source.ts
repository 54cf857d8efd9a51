/**
 * Minter's implementation of `@kinde/infrastructure`, bundled into every Kinde workflow that imports it: the compiler
 * (kinde/compile.ts) resolves the package to {@link KINDE_INFRASTRUCTURE_SOURCE}.
 *
 * The module is TypeScript under sandbox/program/kinde/ (infrastructure.ts says what it implements and where it
 * differs from Kinde's), built at build time (scripts/build-sandbox.mjs) to ES2019 — the level Kinde's goja runtime
 * accepts, notes §2.4 — and kept as a string so it ships inside the compiled server; esbuild parses it at deploy.
 */
import { KINDE_INFRASTRUCTURE_MODULE } from '../../sandbox/bundles.generated.js';

/** The import specifier the compiler maps to {@link KINDE_INFRASTRUCTURE_SOURCE}. */
export const KINDE_INFRASTRUCTURE_SPECIFIER = '@kinde/infrastructure';

/** ES2019 JavaScript (ES module syntax) implementing `@kinde/infrastructure` inside the sandbox. */
export const KINDE_INFRASTRUCTURE_SOURCE = KINDE_INFRASTRUCTURE_MODULE;
