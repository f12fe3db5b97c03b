/**
 * Property: examples/canary-release is a canary release Kruise routes step by step, "header only
 * → 20% → 50% → 100%". After each step the VirtualService and DestinationRule are exactly what
 * Kruise's Istio Lua writes (expected values written out from its documented behaviour; the
 * model in test/support/kruise-contract.ts re-creates them independently of src/), requests reach
 * the Deployments the step says, and the library's own step simulation (what
 * `gray-release explain --release cart --step N` shows) agrees with both.
 */
import { simulateKruiseStep } from '../../src/model/kruise/step-simulation';
import { synthExample } from '../support/examples';
import { shares, simulateCanaryStep } from '../support/kruise-contract';

const [release, argocd] = synthExample('canary-release');
const objects = release.objects;
const named = (list: any[], kind: string, name: string) => list.find((o) => o.kind === kind && o.metadata.name === name);
const BASE_RULE = { name: 'base', route: [{ destination: { host: 'cart', subset: 'version-base' } }] };
const CANARY_SUBSET = { name: 'canary', labels: { 'istio.service.tag': 'gray' } };

describe('the Rollout of cart', () => {
  const rollout = named(objects, 'Rollout', 'rollouts-cart');

  test('routes itself (trafficRoutings with customNetworkRefs), with no TrafficRouting object or annotation', () => {
    expect(rollout.spec.strategy.canary.trafficRoutings).toEqual([{
      service: 'cart',
      customNetworkRefs: [
        { apiVersion: 'networking.istio.io/v1beta1', kind: 'VirtualService', name: 'vs-cart' },
        { apiVersion: 'networking.istio.io/v1beta1', kind: 'DestinationRule', name: 'dr-cart' },
      ],
    }]);
    expect(rollout.metadata.annotations['rollouts.kruise.io/trafficrouting']).toBeUndefined();
    expect(objects.filter((o) => o.kind === 'TrafficRouting')).toEqual([]);
  });

  test('has the four steps, each with replicas (v1beta1 requires them)', () => {
    expect(rollout.spec.strategy.canary.steps).toEqual([
      { replicas: 1, matches: [{ headers: [{ name: 'x-canary', type: 'Exact', value: 'true' }] }], requestHeaderModifier: { set: [{ name: 'x-canary-release', value: 'cart' }] }, pause: {} },
      { replicas: '20%', traffic: '20%', pause: { duration: 600 } },
      { replicas: '50%', traffic: '50%', pause: { duration: 600 } },
      { replicas: '100%', traffic: '100%', pause: {} },
    ]);
  });
});

describe.each([
  [1, [{ match: [{ headers: { 'x-canary': { exact: 'true' } } }], route: [{ destination: { host: 'cart-canary' } }], headers: { request: { set: { 'x-canary-release': 'cart' } } } }, BASE_RULE],
    { header: { 'cart-base-canary': 100 }, plain: { 'cart-base': 100 } }],
  [2, [{ name: 'base', route: [{ destination: { host: 'cart', subset: 'version-base' }, weight: 80 }, { destination: { host: 'cart-canary' }, weight: 20 }] }],
    { header: { 'cart-base': 80, 'cart-base-canary': 20 }, plain: { 'cart-base': 80, 'cart-base-canary': 20 } }],
  [3, [{ name: 'base', route: [{ destination: { host: 'cart', subset: 'version-base' }, weight: 50 }, { destination: { host: 'cart-canary' }, weight: 50 }] }],
    { header: { 'cart-base': 50, 'cart-base-canary': 50 }, plain: { 'cart-base': 50, 'cart-base-canary': 50 } }],
  [4, [{ name: 'base', route: [{ destination: { host: 'cart', subset: 'version-base' }, weight: 0 }, { destination: { host: 'cart-canary' }, weight: 100 }] }],
    { header: { 'cart-base-canary': 100 }, plain: { 'cart-base-canary': 100 } }],
])('step %i', (step, http, reached) => {
  const during = simulateCanaryStep(objects, 'rollouts-cart', step);

  test('the VirtualService and DestinationRule are what Kruise\'s Lua writes', () => {
    expect(named(during, 'VirtualService', 'vs-cart').spec.http).toEqual(http);
    expect(named(during, 'DestinationRule', 'dr-cart').spec.subsets).toEqual([...named(objects, 'DestinationRule', 'dr-cart').spec.subsets, CANARY_SUBSET]);
  });

  test('requests reach the stable and canary Deployments in the step\'s shares', () => {
    const drop0 = (r: Record<string, number>) => Object.fromEntries(Object.entries(r).filter(([, v]) => v > 0));
    expect(drop0(shares(during, 'vs-cart', { 'x-canary': 'true' }))).toEqual(reached.header);
    expect(drop0(shares(during, 'vs-cart', {}))).toEqual(reached.plain);
  });

  test('simulateKruiseStep (src) writes the same VirtualService and DestinationRule', () => {
    const sim = simulateKruiseStep(objects, 'cart', step);
    expect(named(sim.manifests, 'VirtualService', 'vs-cart').spec).toEqual(named(during, 'VirtualService', 'vs-cart').spec);
    expect(named(sim.manifests, 'DestinationRule', 'dr-cart').spec).toEqual(named(during, 'DestinationRule', 'dr-cart').spec);
    expect(sim).toMatchObject({ mode: 'canary', step, steps: 4, routing: step === 1 ? 'matches' : 'traffic' });
    // the Rollout itself is left as written
    expect(named(sim.manifests, 'Rollout', 'rollouts-cart')).toEqual(named(objects, 'Rollout', 'rollouts-cart'));
  });
});

describe('around the steps', () => {
  test('before a step\'s canary pods are ready, the previous step\'s routing holds (none before step 1)', () => {
    expect(simulateKruiseStep(objects, 'cart', 1).untilReady).toMatch(/every request reaches the stable pods/);
    expect(simulateKruiseStep(objects, 'cart', 3).untilReady).toMatch(/step 2's routing \(20% of requests\)/);
    expect(simulateKruiseStep(objects, 'cart', 1).timing.routesBeforeCanaryReady).toBe(false);
  });

  test('the last step at 100% skips its pause; timed steps wait their duration', () => {
    expect(simulateKruiseStep(objects, 'cart', 4).pause).toEqual({ seconds: undefined, skipped: true });
    expect(simulateKruiseStep(objects, 'cart', 2).pause).toEqual({ seconds: 600, skipped: false });
  });

  test('frontend forwards the header the release matches on', () => {
    expect(named(objects, 'Deployment', 'frontend-base').metadata.annotations['gray-release.io/propagate-headers']).toBe('x-canary');
  });

  test('the ApplicationSet generates one Application per cluster, for two clusters', () => {
    const set = argocd.objects.find((o) => o.kind === 'ApplicationSet');
    expect(set.spec.generators[0].list.elements.map((e: any) => e.cluster)).toEqual(['prod-eu', 'prod-us']);
    expect(set.spec.template.metadata.name).toBe('canary-release-{{.cluster}}');
  });
});
