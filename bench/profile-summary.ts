/**
 * `node dist/bench/profile-summary.js <file.cpuprofile> [--from=S] [--to=S] [--top=N]`: what a V8 CPU profile
 * (`node --cpu-prof`, `npm run bench -- --profile`) spent its busy time on — self time by function, inclusive time
 * by source file or package — as plain text, for a first look before opening it in Chrome DevTools or speedscope.
 * A per-second timeline of busy time comes first, so that `--from`/`--to` (seconds since the profile started) can
 * cut out start-up and idle waits and keep only the load.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--'));
const option = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
if (!file) {
  process.stderr.write('usage: node dist/bench/profile-summary.js <file.cpuprofile> [--from=S] [--to=S] [--top=N]\n');
  process.exit(2);
}
const top = Number(option('top') ?? 25);
const fromUs = Number(option('from') ?? 0) * 1e6;
const toUs = Number(option('to') ?? Infinity) * 1e6;
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

const IDLE = new Set(['(idle)', '(program)']);
// Time per sample (µs): the delta to the next sample. Idle samples only feed the timeline.
const selfUs = new Map<number, number>();
const busyPerSecond: number[] = [];
let at = 0;
profile.samples.forEach((id, i) => {
  at += profile.timeDeltas[i] ?? 0;
  const dt = profile.timeDeltas[i + 1] ?? 0;
  if (IDLE.has(byId.get(id)!.callFrame.functionName)) return;
  const second = Math.floor(at / 1e6);
  busyPerSecond[second] = (busyPerSecond[second] ?? 0) + dt;
  if (at < fromUs || at > toUs) return;
  selfUs.set(id, (selfUs.get(id) ?? 0) + dt);
});
const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);

/** A short, stable name for where code lives: the project file, a package, or a Node internal. */
function place(url: string): string {
  if (!url) return '(native/V8)';
  const project = /\/dist\/((?:src|bench)\/.*)$/.exec(url);
  if (project) return project[1]!;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return `[${pkg[1]}]`;
  if (url.startsWith('node:')) return url;
  return url.replace(/^file:\/\//, '');
}

const label = (n: ProfileNode) =>
  `${n.callFrame.functionName || '(anonymous)'}  ${place(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;

const self = new Map<string, number>();
const inclusiveByPlace = new Map<string, number>();
for (const [id, us] of selfUs) {
  const node = byId.get(id)!;
  self.set(label(node), (self.get(label(node)) ?? 0) + us);
  // Count each place once per stack, so recursion does not inflate it.
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const p = place(byId.get(cur)!.callFrame.url);
    if (seen.has(p)) continue;
    seen.add(p);
    inclusiveByPlace.set(p, (inclusiveByPlace.get(p) ?? 0) + us);
  }
}

const pct = (us: number) => ((us / totalUs) * 100).toFixed(1).padStart(5) + ' %';
const print = (title: string, entries: Map<string, number>) => {
  process.stdout.write(`\n${title}\n`);
  for (const [name, us] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, top))
    process.stdout.write(`${pct(us)}  ${name}\n`);
};
process.stdout.write(`${file}\nbusy % per second since start:\n`);
process.stdout.write(
  Array.from(busyPerSecond, (us, s) => `${String(s).padStart(4)}s ${String(Math.round((us ?? 0) / 1e4)).padStart(3)}%`)
    .join('\n')
    .split('\n')
    .reduce<string[]>(
      (rows, cell, i) => (i % 8 === 0 ? rows.push(cell) : (rows[rows.length - 1] += '   ' + cell), rows),
      [],
    )
    .join('\n') + '\n',
);
process.stdout.write(
  `\n${(totalUs / 1e6).toFixed(2)} s busy between ${fromUs / 1e6} s and ${toUs / 1e6} s; percentages of that\n`,
);
print('self time by function', self);
print('inclusive time by file or package', inclusiveByPlace);
