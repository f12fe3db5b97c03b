import { REVIEWS_SERVICE, reviewsDeployment } from './helpers';
import { explain, explainCall, indexManifests, lint } from '../../src/analysis';

/**
 * Which DestinationRule defines a subset for a caller, as Istio 1.23 chooses it
 * (pilot/pkg/model/push_context.go `destinationRule`): first the caller's (proxy's) namespace,
 * then the Service's namespace, then the root namespace istio-system; within a namespace the most
 * specific host (exact before wildcard, `MostSpecificHostMatch`); a rule in any other namespace is
 * never used, and `exportTo` hides a rule from other namespaces.
 */
const svc = REVIEWS_SERVICE;
const dep = reviewsDeployment;
const vs = { apiVersion: 'networking.istio.io/v1beta1', kind: 'VirtualService', metadata: { name: 'reviews', namespace: 'shop' }, spec: { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', subset: 's' } }] }] } };
const dr = (namespace: string, host: string, version: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'networking.istio.io/v1beta1',
  kind: 'DestinationRule',
  metadata: { name: `dr-${version}`, namespace },
  spec: { host, subsets: [{ name: 's', labels: { version } }], ...extra },
});
const base = [svc, dep('v1'), dep('v2'), dep('v3'), vs];
const reached = (objects: unknown[], namespace: string) =>
  explain(objects, { service: 'reviews', namespace }, {}).hops[0].destinations.flatMap((d) => d.workloads.map((w) => w.name));

describe('DestinationRule precedence (Istio 1.23)', () => {
  test('within a namespace the exact host wins over a wildcard given earlier', () => {
    const objects = [...base, dr('shop', '*.shop.svc.cluster.local', 'v2'), dr('shop', 'reviews', 'v1')];
    expect(reached(objects, 'shop')).toEqual(['reviews-v1']);
  });

  test('a rule in a namespace that is neither the caller\'s, the Service\'s nor istio-system is not used', () => {
    const objects = [...base, dr('elsewhere', 'reviews.shop.svc.cluster.local', 'v2'), dr('shop', 'reviews', 'v1')];
    expect(reached(objects, 'shop')).toEqual(['reviews-v1']);
  });

  test('the Service\'s namespace before the root namespace', () => {
    const objects = [...base, dr('istio-system', 'reviews.shop.svc.cluster.local', 'v3'), dr('shop', 'reviews', 'v1')];
    expect(reached(objects, 'shop')).toEqual(['reviews-v1']);
    expect(reached([...base, dr('istio-system', 'reviews.shop.svc.cluster.local', 'v3')], 'shop')).toEqual(['reviews-v3']);
  });

  const fromNamespace = (objects: unknown[], namespace: string) =>
    explainCall(indexManifests(objects), { namespace, host: 'reviews.shop', headers: {} }).destinations.flatMap((d) => d.workloads.map((w) => w.name));

  test('a caller uses a rule of its own namespace first', () => {
    const objects = [...base, dr('shop', 'reviews', 'v1'), dr('other', 'reviews.shop.svc.cluster.local', 'v2')];
    expect(fromNamespace(objects, 'other')).toEqual(['reviews-v2']);
    expect(fromNamespace(objects, 'third')).toEqual(['reviews-v1']);
  });

  test('exportTo "." hides the Service namespace\'s rule from other namespaces', () => {
    const objects = [...base, dr('shop', 'reviews', 'v1', { exportTo: ['.'] }), dr('istio-system', 'reviews.shop.svc.cluster.local', 'v3')];
    expect(fromNamespace(objects, 'shop')).toEqual(['reviews-v1']);
    expect(fromNamespace(objects, 'other')).toEqual(['reviews-v3']);
  });
});

describe('lint GR001 looks the subset up as a caller in the VirtualService\'s namespace', () => {
  test('a DestinationRule next to the VirtualService in the client namespace defines the subset', () => {
    const front = { ...vs, metadata: { name: 'reviews', namespace: 'front' }, spec: { hosts: ['reviews.shop.svc.cluster.local'], http: [{ route: [{ destination: { host: 'reviews.shop.svc.cluster.local', subset: 's' } }] }] } };
    const findings = lint([svc, dep('v1'), front, dr('front', 'reviews.shop.svc.cluster.local', 'v1')]);
    expect(findings.filter((f) => f.code === 'GR001')).toEqual([]);
    const missing = lint([svc, dep('v1'), front, dr('elsewhere', 'reviews.shop.svc.cluster.local', 'v1')]);
    expect(missing.filter((f) => f.code === 'GR001').length).toBe(1);
  });
});
