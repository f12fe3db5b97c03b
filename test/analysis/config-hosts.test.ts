import { REVIEWS_SERVICE, reviewsDeployment } from './helpers';
import { explain } from '../../src/analysis';

/**
 * Hosts written in Istio config resolve as Istio 1.23's ResolveShortnameToFQDN does
 * (pilot/pkg/model/config.go): a name without dots gets `.<namespace>.svc.cluster.local`, any
 * other name is taken as written, so `reviews.shop` in a VirtualService, a destination or a
 * DestinationRule is not the Service reviews.shop.svc.cluster.local. A requested host (a client's
 * Host header) is resolved as the cluster DNS and the Service's virtual host domains do.
 */
const svc = REVIEWS_SERVICE;
const dep = reviewsDeployment;
const vs = (hosts: string[], dest: string) => ({
  apiVersion: 'networking.istio.io/v1beta1',
  kind: 'VirtualService',
  metadata: { name: 'reviews', namespace: 'shop' },
  spec: { hosts, http: [{ route: [{ destination: { host: dest, subset: 'v2' } }] }] },
});
const dr = (host: string) => ({
  apiVersion: 'networking.istio.io/v1beta1',
  kind: 'DestinationRule',
  metadata: { name: 'reviews', namespace: 'shop' },
  spec: { host, subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }] },
});
const base = [svc, dep('v1'), dep('v2')];
const hop = (objects: unknown[]) => explain(objects, { service: 'reviews', namespace: 'shop' }).hops[0];
const reached = (objects: unknown[]) => hop(objects).destinations.flatMap((d) => d.workloads.map((w) => w.name));

describe('config hosts resolve as Istio 1.23 ResolveShortnameToFQDN', () => {
  test('short and fully qualified names name the Service', () => {
    expect(reached([...base, vs(['reviews'], 'reviews'), dr('reviews')])).toEqual(['reviews-v2']);
    expect(reached([...base, vs(['reviews.shop.svc.cluster.local'], 'reviews.shop.svc.cluster.local'), dr('reviews.shop.svc.cluster.local')])).toEqual(['reviews-v2']);
  });

  test('a VirtualService host "reviews.shop" does not apply to the Service: its requests take the default route', () => {
    const h = hop([...base, vs(['reviews.shop'], 'reviews'), dr('reviews')]);
    expect(h.virtualService).toBeUndefined();
    expect(h.destinations.flatMap((d) => d.workloads.map((w) => w.name))).toEqual(['reviews-v1', 'reviews-v2']);
  });

  test('a destination host "reviews.shop" names no Service in the mesh (503)', () => {
    const d = hop([...base, vs(['reviews'], 'reviews.shop'), dr('reviews')]).destinations[0];
    expect(d.status).toBe(503);
    expect(d.workloads).toEqual([]);
  });

  test('a DestinationRule host "reviews.shop" defines no subset of the Service', () => {
    const d = hop([...base, vs(['reviews'], 'reviews'), dr('reviews.shop')]).destinations[0];
    expect(d.status).toBe(503);
    expect(d.message).toContain('subset');
  });
});

describe('the VirtualService Istio 1.23 applies to a Service (sidecar.go computeWildcardHostVirtualServiceIndex)', () => {
  const named = (name: string, hosts: string[], subset: string) => ({
    ...vs(hosts, 'reviews'),
    metadata: { name, namespace: 'shop' },
    spec: { hosts, http: [{ route: [{ destination: { host: 'reviews', subset } }] }] },
  });
  test('an exact host wins over a wildcard given earlier, and a longer wildcard over a shorter one', () => {
    const exact = hop([...base, dr('reviews'), named('wide', ['*.shop.svc.cluster.local'], 'v1'), named('exact', ['reviews'], 'v2')]);
    expect(exact.virtualService).toBe('shop/exact');
    expect(exact.destinations.flatMap((d) => d.workloads.map((w) => w.name))).toEqual(['reviews-v2']);
    expect(hop([...base, dr('reviews'), named('any', ['*.svc.cluster.local'], 'v1'), named('ns', ['*.shop.svc.cluster.local'], 'v2')]).virtualService).toBe('shop/ns');
    expect(hop([...base, dr('reviews'), named('first', ['reviews'], 'v1'), named('second', ['reviews.shop.svc.cluster.local'], 'v2')]).virtualService).toBe('shop/first');
  });
});
