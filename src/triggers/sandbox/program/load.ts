/**
 * `load(factory)`, what the program answers the host: it evaluates the action module, a CommonJS factory
 * `(exports, require, module, __filename, __dirname)` compiled on its own (sandbox/bootstrap.ts `wrapModule`), and
 * answers its entry points (entries.ts), or a load failure as the string `Name: message`, read inside the isolate
 * within the budget: nothing the action made ever crosses to the host as a thrown value.
 */
import { makeEntries, type Entries, type Start } from './entries.js';
import { ErrorCtor, StringCtor, reflectApply } from './intrinsics.js';
import { describeError } from './record.js';

/** A CommonJS module as the action's factory fills it. */
export interface ActionModule {
  exports: unknown;
}

/** The action's module, compiled as `(exports, require, module, __filename, __dirname) => …`. */
type ActionFactory = (
  exports: unknown,
  require: (name: unknown) => unknown,
  module: ActionModule,
  filename: string,
  dirname: string,
) => unknown;

/**
 * CommonJS require where the platform has no modules (Kinde: workflows are bundled at deploy): say so plainly. Made
 * as a property's function so that its name (the action sees it, and its stack frame) is `require`: the bundler
 * renames a function declared so.
 */
const requireModule = {
  require: function (name: unknown): never {
    throw new ErrorCtor(
      "Modules are not available in Minter actions: require('" +
        StringCtor(name) +
        "') cannot be loaded. Only the platform globals (fetch, URL, console, api / kinde bindings) exist.",
    );
  },
}.require;

/**
 * The `load` of a platform whose `makeRunner(module)` answers its `start(p)`, or throws when the module is unfit;
 * `require` is the module's (Auth0: Node's built-ins, node/require.ts), by default one that refuses every name.
 */
export function makeLoad(
  makeRunner: (module: ActionModule) => Start,
  require: (name: unknown) => unknown = requireModule,
): (factory: ActionFactory) => Entries | string {
  return function load(factory) {
    const module: ActionModule = { exports: {} };
    try {
      reflectApply(factory, module.exports, [module.exports, require, module, 'action.js', '/']);
      return makeEntries(makeRunner(module));
    } catch (e) {
      const error = describeError(e);
      return error.name + ': ' + error.message;
    }
  };
}
