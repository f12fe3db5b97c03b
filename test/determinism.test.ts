/**
 * Determinism: the same input gives the same bytes. Every example synthesized twice into two
 * folders yields byte-identical files; inputs whose order carries no meaning (the services a
 * GrayService calls, the workloads of a dynamic-subset service) give the same files in any order.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import * as YAML from 'yaml';
import { applySyncWaves, ArgoCdApplication, CanaryStep, DynamicSubsetRouting, FallbackPolicy, GrayService, LaneMode, MeshTarget, Release, TrafficLane } from '../src';
import { EXAMPLES_DIR, exampleNames } from './support/examples';

function filesUnder(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else out[path.relative(dir, full)] = fs.readFileSync(full, 'utf8');
    }
  };
  walk(dir);
  return out;
}

function synthTo(name: string, outdir: string): Record<string, string> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const example = require(path.join(EXAMPLES_DIR, name, 'main.ts')) as { build(outdir: string): App[] };
  example.build(outdir).forEach((a) => a.synth());
  return filesUnder(outdir);
}

describe('synthesizing twice gives byte-identical files', () => {
  for (const name of exampleNames()) {
    test(`examples/${name}`, () => {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gray-det-'));
      const first = synthTo(name, path.join(root, 'a'));
      const second = synthTo(name, path.join(root, 'b'));
      expect(Object.keys(first).length).toBeGreaterThan(0);
      expect(second).toEqual(first);
      fs.rmSync(root, { recursive: true, force: true });
    });
  }
});

describe('order that carries no meaning does not change the output', () => {
  function yamlOf(build: (c: Chart) => void): string {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'gray-det-')) });
    build(new Chart(app, 'c', { disableResourceNameHashes: true }));
    return app.synthYaml();
  }

  test('the services a GrayService calls', () => {
    const make = (calls: string[]) => yamlOf((c) => new GrayService(c, 'a', { image: 'x/a:1', port: 80, calls }));
    expect(make(['b', 'c', 'd'])).toEqual(make(['d', 'b', 'c']));
  });

  test('the workloads of a dynamic-subset service (Istio expansion)', () => {
    const workloads = [
      { name: 'w-dev-v1', podLabels: { app: 'w', stage: 'dev', version: 'v1' } },
      { name: 'w-prod-v2', podLabels: { app: 'w', stage: 'prod', version: 'v2' } },
      { name: 'w-dev-v2', podLabels: { app: 'w', stage: 'dev', version: 'v2' } },
    ];
    const make = (ws: typeof workloads) => yamlOf((c) => new DynamicSubsetRouting(c, 'w', {
      target: MeshTarget.ISTIO,
      service: { name: 'w', port: 80 },
      workloads: ws,
      subsetSelectors: [{ keys: ['stage', 'version'] }],
      headerMappings: [{ header: 'x-stage', key: 'stage' }, { header: 'x-version', key: 'version' }],
      fallbackPolicy: FallbackPolicy.ANY_ENDPOINT,
    }));
    expect(make(workloads)).toEqual(make([...workloads].reverse()));
  });
});

describe('order that carries no meaning does not change the output (members, lanes, charts, waves)', () => {
  const IMAGE = 'example/app:1.0';
  function synth(build: (app: App, c: Chart) => void): string {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'gray-det-')) });
    build(app, new Chart(app, 'c', { disableResourceNameHashes: true }));
    return app.synthYaml();
  }
  function services(c: Chart): GrayService[] {
    const back = new GrayService(c, 'back', { image: IMAGE, port: 80 });
    const middle = new GrayService(c, 'middle', { image: IMAGE, port: 80, calls: [back] });
    const front = new GrayService(c, 'front', { image: IMAGE, port: 80, calls: [middle] });
    return [front, middle, back];
  }

  test('the members of a static lane', () => {
    const make = (order: number[]) => synth((_, c) => {
      const s = services(c);
      const lane = new TrafficLane(c, 'dev', { name: 'dev', header: 'x-lane', services: s });
      order.forEach((i) => lane.addMember(s[i]));
    });
    expect(make([0, 1, 2])).toEqual(make([2, 0, 1]));
  });

  test('the members of a progressive lane', () => {
    const make = (order: number[]) => synth((_, c) => {
      const s = ['a', 'b', 'c'].map((n) => new GrayService(c, n, { image: IMAGE, port: 80, release: {} }));
      const lane = new TrafficLane(c, 'canary', { name: 'canary', header: 'x-lane', mode: LaneMode.PROGRESSIVE });
      order.forEach((i) => lane.addMember(s[i]));
    });
    expect(make([0, 1, 2])).toEqual(make([1, 2, 0]));
  });

  test('lanes declared in another order: same subsets, annotations and Deployments; rules keep declaration order', () => {
    const make = (names: string[]) => synth((_, c) => {
      const s = services(c);
      for (const n of names) new TrafficLane(c, `lane-${n}`, { name: n, header: 'x-lane', services: s }).addMember(s[2]);
    });
    const [ab, ba] = [make(['alice', 'bob']), make(['bob', 'alice'])].map((y) => YAML.parseAllDocuments(y).map((d) => d.toJS()));
    // Objects appear in construct order (a lane's Deployment is created when the lane is), which
    // kubectl and Argo CD ignore; compared by kind and name, they are identical.
    const byName = (x: any, y: any) => `${x.kind}/${x.metadata.name}`.localeCompare(`${y.kind}/${y.metadata.name}`);
    const without = (objs: any[]) => objs.filter((o) => o.kind !== 'VirtualService').sort(byName);
    expect(without(ab)).toEqual(without(ba));
    // The VirtualService rules are the same set; their order is routing order (first match wins),
    // so it follows the declaration on purpose.
    const rules = (objs: any[]) => objs.filter((o) => o.kind === 'VirtualService').map((vs) => [...vs.spec.http].sort((x: any, y: any) => x.name.localeCompare(y.name)));
    expect(rules(ab)).toEqual(rules(ba));
  });

  test('the charts of an Argo CD Application', () => {
    const make = (reverse: boolean) => synth((app, c) => {
      const charts = ['shop', 'pay'].map((n) => {
        const chart = new Chart(app, n, { namespace: n, disableResourceNameHashes: true });
        new GrayService(chart, n, { image: IMAGE, port: 80, release: { matches: [{ name: 'x-lane', value: 'canary' }] } });
        return chart;
      });
      new ArgoCdApplication(c, 'app', { repoURL: 'https://example.com/r.git', path: 'dist', charts: reverse ? charts.reverse() : charts });
    });
    expect(make(false)).toEqual(make(true));
  });

  test('sync waves: stamping twice, or after adding objects in another order, gives the same annotations', () => {
    const make = (reverse: boolean, twice: boolean) => synth((_, c) => {
      const ids = ['a', 'b'];
      for (const id of reverse ? ids.reverse() : ids) new GrayService(c, id, { image: IMAGE, port: 80, release: Release.canary({ steps: [CanaryStep.traffic(5)] }) });
      applySyncWaves(c);
      if (twice) expect(applySyncWaves(c)).toBe(0);
    });
    const waves = (y: string) => YAML.parseAllDocuments(y).map((d) => d.toJS()).map((o: any) => `${o.kind}/${o.metadata.name}=${o.metadata.annotations?.['argocd.argoproj.io/sync-wave']}`).sort();
    expect(make(false, true)).toEqual(make(false, false));
    expect(waves(make(true, false))).toEqual(waves(make(false, false)));
  });
});
