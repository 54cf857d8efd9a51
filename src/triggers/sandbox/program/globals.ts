/** Defines a global an action sees, as a plain assignment to `globalThis` (writable, enumerable, configurable). */
export function installGlobal(name: string, value: unknown): void {
  (globalThis as Record<string, unknown>)[name] = value;
}
