/**
 * Determinism: the same input gives the same bytes. Every example synthesized twice into two
 * folders yields byte-identical files; inputs whose order carries no meaning (the services a
 * GrayService calls, the workloads of a dynamic-subset service) give the same files in any order.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { DynamicSubsetRouting, FallbackPolicy, GrayService, MeshTarget } from '../src';
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
