import { ObjectCreate, ObjectDefineProperty } from './intrinsics.js';

/** Defines a global an action sees, as a plain assignment to `globalThis` (writable, enumerable, configurable). */
export function installGlobal(name: string, value: unknown): void {
  (globalThis as Record<string, unknown>)[name] = value;
}

/**
 * Defines a global made at its first read (Node's `Buffer`, `crypto`): until then an accessor, whose getter makes
 * the value and replaces itself with it (writable, configurable, as `enumerable` says); an assignment replaces it
 * with the value assigned, as for any global.
 */
export function installLazyGlobal(name: string, make: () => unknown, enumerable: boolean): void {
  function settle(value: unknown): void {
    const d = ObjectCreate(null) as PropertyDescriptor;
    d.value = value;
    d.writable = true;
    d.enumerable = enumerable;
    d.configurable = true;
    ObjectDefineProperty(globalThis, name, d);
  }
  const d = ObjectCreate(null) as PropertyDescriptor;
  d.get = function () {
    const value = make();
    settle(value);
    return value;
  };
  d.set = settle;
  d.enumerable = enumerable;
  d.configurable = true;
  ObjectDefineProperty(globalThis, name, d);
}
