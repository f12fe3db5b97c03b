/**
 * One measurement, run in a fresh process by run.ts (so peak RSS and timings belong to it alone):
 *
 *   worker ours  <n> <outdir>          construct the mesh of n services + App.synth() to outdir
 *   worker peer  <n> <outdir>          the same mesh written by hand (bench/peer.ts) + App.synth()
 *   worker floor <objects.json> <outdir>   the same objects as raw ApiObjects in one chart + App.synth()
 *   worker yaml  <objects.json>        serialize the same objects with the `yaml` package only
 *   worker dump  <n> <outdir> <objects.json>  synthesize the mesh, write its objects as JSON (not timed)
 *   worker dump-peer <n> <outdir> <objects.json>  the same for the peer (run.ts compares the two)
 *
 * Each timed mode first runs a small warm-up of the same code path (into a separate folder), so
 * the timing is of warmed-up code; `processMs` (from process start) is reported besides.
 * Prints one JSON line: { ms, cpuMs, constructMs, synthMs, maxRssKb, objects, bytes, processMs }.
 */
import * as fs from 'fs';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { ApiObject, App, Chart } from 'cdk8s';
import * as YAML from 'yaml';
import { buildMesh } from './mesh';
import { buildPeer } from './peer';

const WARMUP_SERVICES = 10;
const WARMUP_OBJECTS = 100;

interface Result {
  readonly ms: number;
  /** CPU time (user + system, all threads of the process) over the same span as `ms`. */
  readonly cpuMs: number;
  readonly constructMs?: number;
  readonly synthMs?: number;
  readonly objects: number;
  readonly bytes: number;
}

/** CPU time of this process so far, ms: less disturbed than wall time by other work on the machine. */
function cpuNow(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function bytesUnder(dir: string): number {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    total += e.isDirectory() ? bytesUnder(full) : fs.statSync(full).size;
  }
  return total;
}

function fresh(dir: string): string {
  fs.rmSync(dir, { recursive: true, force: true });
  return dir;
}

/** Builds an app of n services (the library's mesh or the hand-written peer). */
type Builder = (n: number, outdir: string) => { readonly app: App; readonly chart: Chart };

const BUILDERS: Readonly<Record<'ours' | 'peer', Builder>> = { ours: buildMesh, peer: buildPeer };

function build(builder: Builder, n: number, outdir: string): Result {
  builder(WARMUP_SERVICES, fresh(`${outdir}-warmup`)).app.synth();
  fresh(outdir);
  const c0 = cpuNow();
  const t0 = performance.now();
  const mesh = builder(n, outdir);
  const t1 = performance.now();
  mesh.app.synth();
  const t2 = performance.now();
  const cpuMs = cpuNow() - c0;
  const objects = mesh.chart.node.findAll().filter((c) => c instanceof ApiObject).length;
  return { ms: t2 - t0, cpuMs, constructMs: t1 - t0, synthMs: t2 - t1, objects, bytes: bytesUnder(outdir) };
}

/** The floor: every object of our output, re-created verbatim as an ApiObject in one chart. */
function floorApp(objects: readonly any[], outdir: string): App {
  const app = new App({ outdir });
  const chart = new Chart(app, 'mesh', { disableResourceNameHashes: true });
  objects.forEach((o, i) => new ApiObject(chart, `o${i}`, o));
  return app;
}

function floor(objectsFile: string, outdir: string): Result {
  const objects: any[] = JSON.parse(fs.readFileSync(objectsFile, 'utf8'));
  floorApp(objects.slice(0, WARMUP_OBJECTS), fresh(`${outdir}-warmup`)).synth();
  fresh(outdir);
  const c0 = cpuNow();
  const t0 = performance.now();
  const app = floorApp(objects, outdir);
  const t1 = performance.now();
  app.synth();
  const t2 = performance.now();
  const cpuMs = cpuNow() - c0;
  return { ms: t2 - t0, cpuMs, constructMs: t1 - t0, synthMs: t2 - t1, objects: objects.length, bytes: bytesUnder(outdir) };
}

/** Serialization only: what cdk8s's Yaml.stringify does, with the `yaml` package, no disk. */
function stringifyAll(objects: readonly any[]): string {
  return objects.map((o) => YAML.stringify(o, { keepUndefined: true, lineWidth: 0, version: '1.1' })).join('---\n');
}

function yamlOnly(objectsFile: string): Result {
  const objects: any[] = JSON.parse(fs.readFileSync(objectsFile, 'utf8'));
  stringifyAll(objects.slice(0, WARMUP_OBJECTS));
  const c0 = cpuNow();
  const t0 = performance.now();
  const text = stringifyAll(objects);
  const t1 = performance.now();
  return { ms: t1 - t0, cpuMs: cpuNow() - c0, objects: objects.length, bytes: Buffer.byteLength(text) };
}

/** Synthesizes the mesh and writes its objects (parsed back from the YAML written) as JSON. */
function dump(builder: Builder, n: number, outdir: string, objectsFile: string): Result {
  fresh(outdir);
  const mesh = builder(n, outdir);
  mesh.app.synth();
  const objects: any[] = [];
  for (const f of fs.readdirSync(outdir).filter((x) => x.endsWith('.yaml')).sort()) {
    for (const doc of YAML.parseAllDocuments(fs.readFileSync(path.join(outdir, f), 'utf8'), { version: '1.1' })) {
      const o = doc.toJS();
      if (o) objects.push(o);
    }
  }
  fs.writeFileSync(objectsFile, JSON.stringify(objects));
  return { ms: 0, cpuMs: 0, objects: objects.length, bytes: bytesUnder(outdir) };
}

function main(argv: string[]): void {
  const [mode, a, b, c] = argv;
  let r: Result;
  switch (mode) {
    case 'ours': case 'peer': r = build(BUILDERS[mode], Number(a), b); break;
    case 'floor': r = floor(a, b); break;
    case 'yaml': r = yamlOnly(a); break;
    case 'dump': r = dump(buildMesh, Number(a), b, c); break;
    case 'dump-peer': r = dump(buildPeer, Number(a), b, c); break;
    default: throw new Error(`unknown mode ${mode}`);
  }
  const out = { ...r, maxRssKb: process.resourceUsage().maxRSS, processMs: performance.now() };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

if (require.main === module) main(process.argv.slice(2));
