/**
 * How many isolates all action versions hold together, against `MINTER_ACTIONS_MAX_ISOLATES`. A version may create
 * isolates past its own `maxIsolatesPerVersion` so that a client whose requests find every isolate held by other
 * clients gets one of its own (version-isolate.ts); this bounds how far all of that may go, and so the memory
 * (each isolate ~1.3 MB idle, up to `MINTER_ACTIONS_MEMORY_MB` in use). Retired isolates count until disposed.
 */
export class IsolateCensus {
  readonly max: number;
  #count = 0;

  constructor(max: number) {
    this.max = max;
  }

  /** Isolates alive or being created now. */
  get count(): number {
    return this.#count;
  }

  /** Whether another isolate may be created; a version's only one (`first`) always may. */
  hasRoom(first: boolean): boolean {
    return first || this.#count < this.max;
  }

  /** Counts an isolate from the start of its creation. */
  enter(): void {
    this.#count++;
  }

  /** An isolate counted by {@link enter} failed to load or was disposed. */
  leave(): void {
    this.#count--;
  }
}
