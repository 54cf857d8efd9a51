/**
 * What Linux's `/proc` says about the processes under test: memory from `/proc/<pid>/status` — `VmRSS`
 * (resident now) and `VmHWM` (resident high-water mark) — and CPU time from `/proc/<pid>/stat` and `/proc/stat`,
 * to tell how much of the machine the server used and how much went to processes outside the benchmark
 * (other people's builds and tests on a shared machine). Memory in bytes, CPU in seconds.
 */
import { readFileSync } from 'node:fs';

/** Clock ticks per second of `/proc` CPU times (`getconf CLK_TCK`, 100 on Linux). */
const TICK = 100;

/** Resident set now and its high-water mark, in bytes; undefined when the process is gone. */
export function readMemory(pid: number): { rss: number; hwm: number } | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const kB = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kB('VmRSS'), hwm: kB('VmHWM') };
}

/** User + system CPU time of a process and all its threads (s); 0 when it is gone. */
export function processCpu(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at field 3; utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICK;
  } catch {
    return 0;
  }
}

/** Machine-wide CPU time (s): busy (not idle, not iowait), stolen by the hypervisor, and everything. */
export function machineCpu(): { busy: number; steal: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1, 9).map(Number) as number[];
  const busy = user! + nice! + system! + irq! + softirq!;
  return { busy: busy / TICK, steal: steal! / TICK, total: (busy + idle! + iowait! + steal!) / TICK };
}

/** Cores of other work past which a run counts as disturbed (and is repeated, or marked ⚠). */
export const DISTURBED = 0.15;

/** Cores taken from the run by processes outside the benchmark, and by the hypervisor. */
export const disturbance = (cpu: CpuUse) => cpu.other + cpu.steal;

/** How the CPUs were used during a run (in cores: 1 = one core fully busy over the run's wall time). */
export interface CpuUse {
  server: number;
  load: number;
  /** Busy CPU not spent in the server or the load generator: other processes on the machine. */
  other: number;
  steal: number;
}

/** Polls VmRSS every `intervalMs` (ms) until stopped and accounts for CPU between start and stop. */
export class ProcessWatch {
  #peak = 0;
  #samples = 0;
  readonly #timer: NodeJS.Timeout;
  readonly #started = performance.now();
  readonly #serverCpu: number;
  readonly #machine = machineCpu();

  constructor(
    readonly pid: number,
    intervalMs = 100,
  ) {
    this.#serverCpu = processCpu(pid);
    this.#sample();
    this.#timer = setInterval(() => this.#sample(), intervalMs);
  }

  #sample() {
    const memory = readMemory(this.pid);
    if (!memory) return;
    this.#samples++;
    if (memory.rss > this.#peak) this.#peak = memory.rss;
  }

  /**
   * Stops polling. `loadCpu` is the CPU time (s) the load generator reported for itself. Returns the peak VmRSS
   * (bytes), the number of samples, and the CPU use over the watch.
   */
  stop(loadCpu = 0): { peak: number; samples: number; cpu: CpuUse } {
    clearInterval(this.#timer);
    this.#sample();
    const wall = (performance.now() - this.#started) / 1000;
    const machine = machineCpu();
    const server = processCpu(this.pid) - this.#serverCpu;
    const busy = machine.busy - this.#machine.busy;
    const round = (n: number) => Math.round((n / wall) * 100) / 100;
    return {
      peak: this.#peak,
      samples: this.#samples,
      cpu: {
        server: round(server),
        load: round(loadCpu),
        other: round(Math.max(0, busy - server - loadCpu)),
        steal: round(machine.steal - this.#machine.steal),
      },
    };
  }
}

/**
 * Waits until processes outside the benchmark leave the machine alone: busy CPU below `maxCores` over a
 * 2-second window. Gives up after `timeoutMs` (ms) and says how busy the machine was.
 */
export async function waitForQuiet(maxCores: number, timeoutMs: number): Promise<{ waitedMs: number; other: number; quiet: boolean }> {
  const started = Date.now();
  for (;;) {
    const before = machineCpu();
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, 2000));
    const after = machineCpu();
    const wall = (performance.now() - t0) / 1000;
    const other = (after.busy - before.busy + after.steal - before.steal) / wall;
    const waitedMs = Date.now() - started;
    if (other <= maxCores) return { waitedMs, other, quiet: true };
    if (waitedMs >= timeoutMs) return { waitedMs, other, quiet: false };
  }
}
