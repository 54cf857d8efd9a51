/**
 * Why an action's dependencies could not be installed or bundled: the package it is about (or the module the action
 * requires) and the reason, in words an operator can act on. The management API answers it as a 400
 * `dependency_failed` (management/action-deployer.ts).
 */
export class DependencyError extends Error {
  override name = 'DependencyError';
  constructor(
    /** The package (`lodash`), or the module the action's code requires (`fs`). */
    readonly dependency: string,
    /** What went wrong, without the package's name. */
    readonly reason: string,
  ) {
    super(`${dependency}: ${reason}`);
  }
}
