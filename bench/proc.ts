/**
 * What Linux's `/proc` says about the processes under test (each with the processes it started): memory from
 * `/proc/<pid>/status` — `VmRSS`
 * (resident now) and `VmHWM` (resident high-water mark) — and CPU time from `/proc/<pid>/stat` and `/proc/stat`,
 * to tell how much of the machine the server used and how much went to processes outside the benchmark
 * (other people's builds and tests on a shared machine). Memory in bytes, CPU in seconds.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of `/proc` CPU times (`getconf CLK_TCK`, 100 on Linux). */
const TICK = 100;

/** The fields of `/proc/<pid>/stat` after the command name (which may contain spaces); undefined when it is gone. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/**
 * `pid` and every process it started, and they started (the server and its sandbox process, isolates and all): what
 * "the server" costs is the whole tree's. Read from the parent ids in `/proc/<pid>/stat`.
 */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const ppid = Number(statFields(Number(entry))?.[1]);
    if (!Number.isInteger(ppid)) continue;
    const list = children.get(ppid);
    if (list) list.push(Number(entry));
    else children.set(ppid, [Number(entry)]);
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]!) ?? []));
  return tree;
}

function processMemory(pid: number): { rss: number; hwm: number } | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const kB = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kB('VmRSS'), hwm: kB('VmHWM') };
}

/**
 * Resident set now and its high-water mark of `pid` and its descendants together, in bytes, and how many processes
 * that is; undefined when `pid` is gone. (The high-water marks are summed per process, so they may not all have been
 * reached at once.)
 */
export function readMemory(pid: number): { rss: number; hwm: number; processes: number } | undefined {
  const own = processMemory(pid);
  if (own === undefined) return undefined;
  let processes = 1;
  for (const child of processTree(pid).slice(1)) {
    const memory = processMemory(child);
    if (memory === undefined) continue;
    own.rss += memory.rss;
    own.hwm += memory.hwm;
    processes++;
  }
  return { ...own, processes };
}

/**
 * User + system CPU time (s) of `pid` and all its threads, of its live descendants, and of the descendants that
 * ended and were waited for (`cutime` and `cstime`: a sandbox process replaced during the run still counts); 0 when
 * it is gone.
 */
export function processCpu(pid: number): number {
  let ticks = 0;
  for (const [i, member] of processTree(pid).entries()) {
    const fields = statFields(member);
    if (fields === undefined) continue;
    // utime, stime, cutime, cstime are fields 14 to 17 (11 to 14 here): the tree's root counts its waited-for
    // children too, each live descendant its own time (its waited-for children are in its parent's cutime once
    // reaped, and it is in the tree while alive).
    ticks += Number(fields[11]) + Number(fields[12]);
    if (i === 0) ticks += Number(fields[13]) + Number(fields[14]);
  }
  return ticks / TICK;
}

/** Machine-wide CPU time (s): busy (not idle, not iowait), stolen by the hypervisor, and everything. */
export function machineCpu(): { busy: number; steal: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line
    .trim()
    .split(/\s+/)
    .slice(1, 9)
    .map(Number) as number[];
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
  /** CPU time of the server's processes and threads over the watch, in seconds (the load generator excluded). */
  serverSeconds: number;
  load: number;
  /** Busy CPU not spent in the server or the load generator: other processes on the machine. */
  other: number;
  steal: number;
}

/** Polls VmRSS every `intervalMs` (ms) until stopped and accounts for CPU between start and stop. */
export class ProcessWatch {
  #peak = 0;
  #samples = 0;
  #processes = 0;
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
    if (memory.processes > this.#processes) this.#processes = memory.processes;
  }

  /**
   * Stops polling. `loadCpu` is the CPU time (s) the load generator reported for itself. Returns the peak VmRSS
   * (bytes), the number of samples, the most processes seen in the tree, and the CPU use over the watch.
   */
  stop(loadCpu = 0): { peak: number; samples: number; processes: number; cpu: CpuUse } {
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
      processes: this.#processes,
      cpu: {
        server: round(server),
        serverSeconds: server,
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
export async function waitForQuiet(
  maxCores: number,
  timeoutMs: number,
): Promise<{ waitedMs: number; other: number; quiet: boolean }> {
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
