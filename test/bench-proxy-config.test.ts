/**
 * The proxy-configuration estimate of the benchmark (bench/proxy-config.ts) at small sizes: no
 * timing, only that the estimate behaves as Istio's rules say. Without scoping a sidecar's
 * clusters and routes grow with the mesh; with a Sidecar per service they depend only on what
 * the service calls.
 */
import { measureProxyConfig } from '../bench/proxy-config';

describe('proxy configuration estimate', () => {
  const small = measureProxyConfig(20);
  const larger = measureProxyConfig(40);

  test('without scoping, every added service adds its clusters, virtual host and routes to every proxy', () => {
    // GIVEN 20 more services (each 1 port, base subset, lanes on some; 2 more dynamic-subset hosts with 3 subsets)
    // THEN each proxy's clusters grow by at least one per added service, virtual hosts by exactly one per added Service
    expect(larger.without.clusters - small.without.clusters).toBeGreaterThanOrEqual(2 * 20);
    expect(larger.without.virtualHosts - small.without.virtualHosts).toBe(20 + 2);
    expect(larger.without.routes).toBeGreaterThan(small.without.routes);
  });

  test('with scoping, a proxy receives the same configuration whatever the size of the mesh', () => {
    expect(larger.with).toEqual(small.with);
    expect(small.with.clusters).toBeLessThan(small.without.clusters);
    // the control plane (7 clusters), 7 static ones, one inbound port, and the callee (1 + its subsets)
    expect(small.with.clusters).toBeGreaterThanOrEqual(7 + 7 + 1 + 2);
  });
});
