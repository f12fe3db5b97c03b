import * as path from 'path';
import { FIXTURES, fixture } from './helpers';
import { laneReport, renderRoutesMarkdown, simulateKruiseRelease } from '../../src/analysis';
import { main } from '../../src/cli/main';

async function run(argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((s: any) => { out += String(s); return true; });
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    return { code: await main(argv), out };
  } finally {
    spy.mockRestore();
    err.mockRestore();
  }
}
const f = (n: string) => path.join(FIXTURES, n);

describe('gray-release command line', () => {
  test('explain prints the canary path as a tree, the coloring named, and exits 0', async () => {
    const r = await run(['explain', f('full-link-gray'), '-H', 'agent: pc', '--gateway', '--release', 'mocka,mockb']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('colored: my-request-id+=canary by EnvoyFilter/istio-system/http-request-labelling-according-source');
    expect(r.out).toContain('mocka-base-canary (canary)');
    expect(r.out).toContain('mockb-base-canary (canary)');
  });
  test('explain --json is machine-readable', async () => {
    const r = await run(['explain', f('full-link-gray'), '--service', 'mockb', '--json']);
    expect(JSON.parse(r.out).hops[0].virtualService).toBe('default/vs-mockb');
  });
  test('lint exits 1 on errors, 0 on good manifests', async () => {
    expect((await run(['lint', f('lint/GR001.yaml')])).code).toBe(1);
    expect((await run(['lint', f('lint/GR008.yaml')])).code).toBe(0);
    const good = await run(['lint', f('full-link-gray')]);
    expect(good).toEqual({ code: 0, out: 'no findings\n' });
  });
  test('lanes, routes and --help exit 0; bad usage exits 2', async () => {
    expect((await run(['lanes', f('static-lanes')])).out).toContain('default route (as outside the lane)');
    expect((await run(['routes', f('static-lanes')])).out).toContain('```mermaid');
    expect((await run(['--help'])).code).toBe(0);
    expect((await run(['explain'])).code).toBe(2);
    expect((await run(['frobnicate', f('static-lanes')])).code).toBe(2);
    expect((await run(['explain', f('full-link-gray'), '--gateway', '--service', 'mocka'])).code).toBe(2);
  });
});

describe('lane report', () => {
  test('a lane that skips a service reaches base there (fallback) and needs its header elsewhere', () => {
    const r = laneReport(fixture('static-lanes'));
    expect(r.lanes).toEqual([expect.objectContaining({ name: 'dev', header: 'x-lane', value: 'dev' })]);
    expect(r.rows.map((x) => [x.service, x.reaches, x.fallback, x.headers])).toEqual([
      ['front.shop', 'dev', false, ['x-lane']],
      ['middle.shop', 'base', true, []],
      ['back.shop', 'dev', false, ['x-lane']],
    ]);
  });
  test('during a Kruise release the canary header is a lane through both services', () => {
    const r = laneReport(fixture('full-link-gray'), { release: 'all' });
    expect(r.rows.map((x) => [x.service, x.reaches, x.fallback])).toEqual([['mocka.default', 'canary', false], ['mockb.default', 'canary', false]]);
  });
});

describe('Kruise release simulation', () => {
  test('match mode prepends the header rule and the DR gets the canary subset', () => {
    const sim = simulateKruiseRelease(fixture('full-link-gray'), ['mocka']);
    const vs = sim.manifests.find((m) => m.metadata.name === 'vs-mocka')!;
    expect(vs.spec).toHaveProperty(['http', 0], { match: [{ headers: { 'my-request-id': { exact: 'canary' } } }], route: [{ destination: { host: 'mocka', subset: 'canary' } }] });
    const dr = sim.manifests.find((m) => m.metadata.name === 'dr-mocka')!;
    expect(dr.spec).toHaveProperty(['subsets', 1], { name: 'canary', labels: { 'istio.service.tag': 'gray' } });
    expect(sim.manifests.find((m) => m.metadata.name === 'mocka-base-canary')!.spec).toMatchObject({ template: { metadata: { labels: { 'version': 'canary', 'istio.service.tag': 'gray' } } } });
  });
  test('weight mode rescales the stable route and appends the canary with its weight', () => {
    const m: any[] = fixture('full-link-gray');
    const tr = m.find((x) => x.metadata.name === 'mockb-tr');
    tr.spec.strategy = { weight: 20 };
    const vs = simulateKruiseRelease(m, ['mockb']).manifests.find((x) => x.metadata.name === 'vs-mockb')!;
    expect(vs.spec).toHaveProperty(['http', 0, 'route'], [
      { destination: { host: 'mockb', subset: 'version-base' }, weight: 80 },
      { destination: { host: 'mockb', subset: 'canary' }, weight: 20 },
    ]);
  });
});

describe('Mermaid routes', () => {
  test('ROUTES.md has a diagram per state, lane colors and escaped labels', () => {
    const md = renderRoutesMarkdown(fixture('full-link-gray'));
    expect(md).toContain('flowchart LR');
    expect(md).toContain('## During a release of mocka, mockb');
    expect(md).toContain('#34;canary#34;');
    expect(md).toMatch(/linkStyle \d+ stroke:#e4572e/);
    const lanes = renderRoutesMarkdown(fixture('static-lanes'));
    expect(lanes).toContain('| dev | `x-lane: dev` | #e4572e |');
  });
});
