/**
 * `require` of the npm packages bundled into the Node layer (scripts/build-sandbox.mjs): esbuild turns each call into
 * the package's lazy CommonJS loader, so a package is evaluated at its first use, not when the layer is made. Only
 * inside functions (vendor.ts), and only of packages.
 */
declare function require(id: string): unknown;
