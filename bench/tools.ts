/**
 * Tool rows of `npm run bench`: how long `gray-release` explain, lint, lanes, routes and diff take
 * on the bench mesh (bench/mesh.ts, plus a gateway entry with its coloring) against reading the
 * same YAML, at 200, 1,000 and 2,000 services. Target: every command within 3x the parse time
 * (diff: within 3x the parse time of both versions), i.e. linear in the objects.
 *
 * Each number is the median over fresh processes (precompiled JS, bench/tools-worker.ts), after a
 * warm-up of the same code on the 10-service mesh; the command's time includes reading its YAML.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';

/** Sizes the tool rows are measured at (when the run includes them). */
export const TOOL_SIZES = [200, 1000, 2000];
/** Upper bound of command time / parse time. */
export const TOOL_BOUND = 3;

interface Sample {
  readonly ms: number;
  readonly maxRssKb: number;
  readonly code?: number;
  readonly outBytes?: number;
}

/** One size: parse times and each command's time. */
export interface ToolResult {
  readonly n: number;
  readonly reps: number;
  readonly parseMs: number;
  /** Parse time of both versions (the baseline of diff). */
  readonly parseBothMs: number;
  readonly commands: ReadonlyArray<{ readonly name: string; readonly ms: number; readonly ratio: number; readonly rssMb: number; readonly outBytes: number }>;
}

function runWorker(worker: string, args: string[]): Sample {
  const r = spawnSync(process.execPath, [worker, ...args], { encoding: 'utf8', env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' }, maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`tools worker ${args.slice(0, 2).join(' ')} failed (${r.status}):\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** The commands measured, with their arguments for a mesh folder (and its changed copy). */
function commands(dir: string): Array<{ readonly name: string; readonly args: string[]; readonly both?: boolean }> {
  return [
    { name: 'explain', args: ['explain', dir, '--gateway', '-H', 'agent: pc', '--release-all'] },
    { name: 'lint', args: ['lint', dir] },
    { name: 'lanes', args: ['lanes', dir] },
    { name: 'routes', args: ['routes', dir] },
    { name: 'diff', args: ['diff', dir, `${dir}-after`], both: true },
  ];
}

/**
 * Measures the tools at `sizes` (those of {@link TOOL_SIZES}), `reps` fresh processes each, with the
 * transpiled tree at `jsRoot` (bench/run.ts's) and scratch folders under `tmp`.
 */
export function measureTools(jsRoot: string, sizes: readonly number[], reps: number, tmp: string, log: (s: string) => void): ToolResult[] {
  const worker = path.join(jsRoot, 'bench', 'tools-worker.js');
  const warm = path.join(tmp, 'tools-10');
  runWorker(worker, ['yaml', '10', warm]);
  const out: ToolResult[] = [];
  for (const n of sizes.filter((s) => TOOL_SIZES.includes(s))) {
    log(`tools N=${n}: ${reps} repetition(s)...`);
    const dir = path.join(tmp, `tools-${n}`);
    runWorker(worker, ['yaml', String(n), dir]);
    const parse: number[] = [];
    const parseBoth: number[] = [];
    const samples = new Map<string, Sample[]>();
    for (let r = 0; r < reps; r++) {
      parse.push(runWorker(worker, ['parse', warm, dir]).ms);
      parseBoth.push(runWorker(worker, ['parse', warm, dir, `${dir}-after`]).ms);
      for (const c of commands(dir)) {
        const warmArgs = commands(warm).find((w) => w.name === c.name)!.args;
        samples.set(c.name, [...(samples.get(c.name) ?? []), runWorker(worker, ['cli', JSON.stringify(warmArgs), JSON.stringify(c.args)])]);
      }
    }
    const parseMs = median(parse);
    const parseBothMs = median(parseBoth);
    out.push({
      n, reps, parseMs, parseBothMs,
      commands: commands(dir).map((c) => {
        const s = samples.get(c.name)!;
        const ms = median(s.map((x) => x.ms));
        return { name: c.name, ms, ratio: ms / (c.both ? parseBothMs : parseMs), rssMb: median(s.map((x) => x.maxRssKb)) / 1024, outBytes: s[0].outBytes ?? 0 };
      }),
    });
  }
  return out;
}

/** The BENCHMARKS.md section of the tool rows. */
export function toolLines(results: readonly ToolResult[]): string[] {
  if (results.length === 0) return [];
  const names = results[0].commands.map((c) => c.name);
  const lines = [
    '## Tools (`gray-release`)',
    '',
    'Time of each command on the bench mesh (with a gateway entry and its coloring), including reading the YAML, against reading',
    'the same YAML (`loadManifests`; for diff, both versions). Median of fresh processes, after a warm-up on the 10-service mesh.',
    `Target: every command within ${TOOL_BOUND}x the parse time, at every size.`,
    '',
    `| N services | parse ms | ${names.map((n) => `${n} ms (x parse)`).join(' | ')} | peak RSS MB (max) |`,
    `|---:|---:|${names.map(() => '---:').join('|')}|---:|`,
  ];
  for (const r of results) {
    const cells = r.commands.map((c) => `${c.ms.toFixed(0)} (${c.ratio.toFixed(2)})`);
    lines.push(`| ${r.n} | ${r.parseMs.toFixed(0)} (both ${r.parseBothMs.toFixed(0)}) | ${cells.join(' | ')} | ${Math.max(...r.commands.map((c) => c.rssMb)).toFixed(0)} |`);
  }
  const worst = results.flatMap((r) => r.commands.map((c) => ({ n: r.n, ...c }))).reduce((a, b) => (b.ratio > a.ratio ? b : a));
  lines.push('', `- every command within ${TOOL_BOUND}x parse at every N: worst ${worst.name} at ${worst.n}, ${worst.ratio.toFixed(2)} ${worst.ratio <= TOOL_BOUND ? 'PASS' : 'MISS'}`, '');
  return lines;
}
