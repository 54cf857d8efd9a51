/**
 * The profiling flags of the server's own Node command line that its sandbox process gets too (sandbox-child.ts):
 * `npm run bench -- --profile` and `perf` with `--perf-basic-prof` would otherwise see only half of a token's cost,
 * since the sandbox process is started with a command line of its own. Only these flags pass; nothing else of the
 * server's command line does.
 *
 * A `--cpu-prof` profile is written when a process exits normally, so a profiled sandbox process leaves when the
 * server closes its channel (sandbox-host.ts) instead of being killed.
 */

/** Flags that take no value. */
const BARE = new Set([
  '--cpu-prof',
  '--perf-basic-prof',
  '--perf-basic-prof-only-functions',
  '--perf-prof',
  '--interpreted-frames-native-stack',
]);
/** Flags followed by a value, as `--flag value` or `--flag=value`. */
const VALUED = new Set(['--cpu-prof-dir', '--cpu-prof-interval']);

/** The profiling flags among `execArgv`, in order, each with its value. */
export function profilingFlags(execArgv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i]!;
    const name = arg.split('=', 1)[0]!;
    if (BARE.has(arg)) out.push(arg);
    else if (VALUED.has(name)) {
      if (arg.includes('=')) out.push(arg);
      else if (i + 1 < execArgv.length) out.push(arg, execArgv[++i]!);
    }
  }
  return out;
}

/** Whether a process with these flags writes a `--cpu-prof` profile when it exits. */
export const writesCpuProfile = (execArgv: readonly string[]) => execArgv.includes('--cpu-prof');
