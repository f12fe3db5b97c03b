/**
 * The lane report: a lane that does not change a service reaches that service's default route,
 * whatever it is (a 50/50 split is not "base"), and at scale the report gives counts (names with
 * --verbose) instead of one line per service and object.
 */
import { fixture } from './helpers';
import { Manifest, formatLaneReport, laneReport } from '../../src/analysis';
import { main } from '../../src/cli/main';

/** The shop fixture plus a lane on ratings only (x-lane: dev → ratings v2). */
function withDevLane(): Manifest[] {
  const m = fixture('explain/shop.yaml');
  const ratings = m.find((o) => o.kind === 'VirtualService' && o.metadata.name === 'ratings')!;
  const spec = ratings.spec as { http: unknown[] };
  spec.http.unshift({ name: 'dev', match: [{ headers: { 'x-lane': { exact: 'dev' } } }], route: [{ destination: { host: 'ratings', subset: 'v2' } }] });
  const pp = m.find((o) => o.metadata.name === 'productpage-v1')!;
  pp.metadata.annotations!['gray-release.io/propagate-headers'] = 'end-user,x-lane';
  for (const d of m.filter((o) => o.metadata.name.startsWith('reviews-'))) d.metadata.annotations!['gray-release.io/propagate-headers'] = 'end-user,x-lane';
  return m;
}

describe('a lane that does not change a service reaches its default route, whatever split it is', () => {
  const r = laneReport(withDevLane());
  const row = (lane: string, service: string) => r.rows.find((x) => x.lane === lane && x.service === service)!;

  test('the dev lane at reviews reaches the 50/50 split, as requests outside every lane do', () => {
    expect(row('x-lane=dev', 'reviews.shop')).toMatchObject({ reaches: 'v1 50%, v3 50%', fallback: true, headers: [] });
    expect(row('x-lane=dev', 'ratings.shop')).toMatchObject({ reaches: 'v2', fallback: false, headers: ['x-lane'] });
  });

  test('the text never calls the split "base": it is the default route', () => {
    const text = formatLaneReport(r);
    expect(text).not.toContain('base (fallback)');
    expect(text).toMatch(/x-lane=dev\s+reviews\.shop\s+v1 50%, v3 50%\s+default route \(as outside the lane\)/);
  });
});

/** A chain of `n` services, each with a lane rule (x-lane: blue → blue), declared by annotation. */
function mesh(n: number): Manifest[] {
  const out: Manifest[] = [];
  for (let i = 0; i < n; i++) {
    const name = `svc-${i}`;
    const meta = { name, namespace: 'mesh', annotations: { 'gray-release.io/lanes': 'blue=x-lane:blue' } };
    out.push(
      { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'mesh' }, spec: { selector: { app: name }, ports: [{ port: 80 }] } },
      ...['base', 'blue'].map((v) => ({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: `${name}-${v}`, namespace: 'mesh', annotations: (i + 1 < n ? { 'gray-release.io/calls': `svc-${i + 1}` } : {}) as Record<string, string> },
        spec: { template: { metadata: { labels: { app: name, version: v } } } },
      })),
      { apiVersion: 'networking.istio.io/v1beta1', kind: 'DestinationRule', metadata: meta, spec: { host: name, subsets: [{ name: 'base', labels: { version: 'base' } }, { name: 'blue', labels: { version: 'blue' } }] } },
      {
        apiVersion: 'networking.istio.io/v1beta1',
        kind: 'VirtualService',
        metadata: meta,
        spec: { hosts: [name], http: [{ match: [{ headers: { 'x-lane': { exact: 'blue' } } }], route: [{ destination: { host: name, subset: 'blue' } }] }, { route: [{ destination: { host: name, subset: 'base' } }] }] },
      },
    );
  }
  return out;
}

describe('at scale the report counts, and --verbose names', () => {
  const r = laneReport(mesh(100));

  test('every service is on the lane route, once per service', () => {
    expect(r.rows).toHaveLength(100);
    expect(r.rows.every((x) => x.reaches === 'blue' && !x.fallback)).toBe(true);
  });

  test('the default text has counts and no list of 200 objects; --verbose lists them', () => {
    const text = formatLaneReport(r);
    expect(text).toContain('200 objects (100 VirtualService, 100 DestinationRule)');
    expect(text).toMatch(/blue\s+100\s+0\s+0/);
    expect(text).not.toContain('svc-57.mesh');
    expect(text).toContain('--verbose');
    const verbose = formatLaneReport(r, { verbose: true });
    expect(verbose).toContain('VirtualService/mesh/svc-57');
    expect(verbose).toContain('svc-57.mesh');
  });

  test('gray-release lanes --verbose is a flag of the command', async () => {
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(await main(['lanes', '--verbose', `${__dirname}/../fixtures/static-lanes`])).toBe(0);
    } finally {
      write.mockRestore();
    }
  });
});
