/**
 * Properties of the two release modes:
 * - a lane release writes a Rollout annotated with its TrafficRouting and no trafficRoutings
 *   (Kruise routes by the TrafficRouting alone), and says, as data, that Kruise routes before the
 *   canary pods are ready (503 until they are);
 * - a canary release writes a Rollout with one trafficRoutings entry and no TrafficRouting, for
 *   v1alpha1 (weight) and v1beta1 (traffic), every step with replicas; partition style writes no
 *   pod patch (Kruise applies it only in canary style); the options Kruise reads are written
 *   exactly (disableGenerateCanaryService, gracePeriodSeconds, requestHeaderModifier);
 * - every variant validates against Kruise's CRDs;
 * - simulateKruiseStep tells the modes apart, and explains step N of either.
 */
import { Chart, Testing } from 'cdk8s';
import {
  CanaryStep, GrayService, KruiseApiVersion, Release, ReleaseMode, RELEASE_TIMING, RolloutStyle,
} from '../../src';
import { explain } from '../../src/analysis';
import { simulateKruiseStep } from '../../src/model/kruise/step-simulation';
import { conformanceErrors, crdsAvailable } from '../support/conformance';
import { synthExample } from '../support/examples';
import { shares } from '../support/kruise-contract';

const HEADER = [{ name: 'x-canary', value: 'true' }];
function synth(release: Release | object): any[] {
  const c = new Chart(Testing.app(), 'test', { disableResourceNameHashes: true, namespace: 'shop' });
  new GrayService(c, 'cart', { image: 'example/cart:1', port: 80, replicas: 4, release: release as Release });
  return Testing.synth(c);
}
const one = (objects: any[], kind: string) => {
  const found = objects.filter((o) => o.kind === kind);
  expect(found).toHaveLength(1);
  return found[0];
};

describe('a canary release', () => {
  const steps = [CanaryStep.match(HEADER, { replicas: 1, requestHeaderModifier: { set: { 'x-b': '2', 'x-a': '1' }, remove: ['x-debug'] } }), CanaryStep.traffic(20), CanaryStep.traffic(100)];

  test('v1alpha1: trafficRoutings, weight steps with replicas, rolling-style canary, no TrafficRouting', () => {
    const objects = synth(Release.canary({ steps, gracePeriodSeconds: 5 }));
    const r = one(objects, 'Rollout');
    expect(r.apiVersion).toBe('rollouts.kruise.io/v1alpha1');
    expect(r.metadata.annotations).toEqual({ 'rollouts.kruise.io/rolling-style': 'canary' });
    expect(r.spec.strategy.canary.trafficRoutings).toEqual([{
      service: 'cart',
      gracePeriodSeconds: 5,
      customNetworkRefs: [
        { apiVersion: 'networking.istio.io/v1beta1', kind: 'VirtualService', name: 'vs-cart' },
        { apiVersion: 'networking.istio.io/v1beta1', kind: 'DestinationRule', name: 'dr-cart' },
      ],
    }]);
    expect(r.spec.strategy.canary.steps).toEqual([
      { replicas: 1, pause: {}, matches: [{ headers: [{ type: 'Exact', name: 'x-canary', value: 'true' }] }], requestHeaderModifier: { set: [{ name: 'x-a', value: '1' }, { name: 'x-b', value: '2' }], remove: ['x-debug'] } },
      { replicas: '20%', pause: {}, weight: 20 },
      { replicas: '100%', pause: {}, weight: 100 },
    ]);
    expect(objects.filter((o) => o.kind === 'TrafficRouting')).toEqual([]);
    if (crdsAvailable()) expect(objects.flatMap((o) => conformanceErrors(o))).toEqual([]);
  });

  test('v1beta1 partition style: no extra workload and no pod patch (Kruise ignores it), traffic percentages', () => {
    const objects = synth(Release.canary({ apiVersion: KruiseApiVersion.V1BETA1, style: RolloutStyle.PARTITION, steps: [CanaryStep.match(HEADER, { replicas: 1 }), CanaryStep.traffic(30)] }));
    const canary = one(objects, 'Rollout').spec.strategy.canary;
    expect(canary.enableExtraWorkloadForCanary).toBe(false);
    expect(canary.patchPodTemplateMetadata).toBeUndefined();
    expect(canary.steps[1]).toEqual({ replicas: '30%', traffic: '30%', pause: {} });
    if (crdsAvailable()) expect(objects.flatMap((o) => conformanceErrors(o))).toEqual([]);
  });

  test('partition style, simulated: Kruise narrows the stable Service, so the base route never reaches the new pods', () => {
    const objects = synth(Release.canary({ apiVersion: KruiseApiVersion.V1BETA1, style: RolloutStyle.PARTITION, steps: [CanaryStep.traffic(30)] }));
    const sim = simulateKruiseStep(objects, 'cart', 1);
    // the new pods keep version: base (no pod patch in partition style); only the Service tells them apart
    expect((sim.manifests.find((o) => o.metadata.name === 'cart-base-canary') as any).spec.template.metadata.labels.version).toBe('base');
    expect(shares(sim.manifests, 'vs-cart', {})).toEqual({ 'cart-base': 70, 'cart-base-canary': 30 });
  });

  test('v1alpha1 partition style is written "Partition" (v0.5 converts only that spelling)', () => {
    expect(one(synth(Release.canary({ style: RolloutStyle.PARTITION, steps: [CanaryStep.traffic(10)] })), 'Rollout').metadata.annotations).toEqual({ 'rollouts.kruise.io/rolling-style': 'Partition' });
  });

  test('disableGenerateCanaryService is written, and routes then go to subset canary of the service', () => {
    const objects = synth(Release.canary({ apiVersion: KruiseApiVersion.V1BETA1, disableGenerateCanaryService: true, steps: [CanaryStep.match(HEADER, { replicas: 1 })] }));
    expect(one(objects, 'Rollout').spec.strategy.canary.disableGenerateCanaryService).toBe(true);
    const vs = simulateKruiseStep(objects, 'cart', 1).manifests.find((o) => o.kind === 'VirtualService');
    expect((vs as any).spec.http[0].route).toEqual([{ destination: { host: 'cart', subset: 'canary' } }]);
    if (crdsAvailable()) expect(objects.flatMap((o) => conformanceErrors(o))).toEqual([]);
  });

  test('its timing: routed only once the step\'s canary pods are ready', () => {
    const c = new Chart(Testing.app(), 't');
    const svc = new GrayService(c, 'cart', { image: 'example/cart:1', port: 80, release: Release.canary({ steps }) });
    expect(svc.release!.mode).toBe(ReleaseMode.CANARY);
    expect(svc.release!.timing).toEqual(RELEASE_TIMING[ReleaseMode.CANARY]);
    expect(svc.release!.timing.routesBeforeCanaryReady).toBe(false);
  });
});

describe('a lane release (full-link-gray)', () => {
  const objects = synthExample('full-link-gray')[0].objects;

  test('routes by its TrafficRouting: the Rollout has the annotation and no trafficRoutings', () => {
    for (const r of objects.filter((o) => o.kind === 'Rollout')) {
      expect(r.metadata.annotations['rollouts.kruise.io/trafficrouting']).toMatch(/-tr$/);
      expect(r.spec.strategy.canary.trafficRoutings).toBeUndefined();
      expect(r.spec.strategy.canary.steps).toEqual([{ replicas: 1, pause: {} }]);
    }
  });

  test('says, as data, that until the canary pods are ready its requests get 503', () => {
    const sim = simulateKruiseStep(objects, 'mockb', 1);
    expect(sim).toMatchObject({ mode: 'lanes', routing: 'traffic-routing', step: 1, steps: 1 });
    expect(sim.timing.routesBeforeCanaryReady).toBe(true);
    expect(sim.untilReady).toMatch(/^503/);
    expect(RELEASE_TIMING[ReleaseMode.LANES].source).toMatch(/rollout_progressing.go/);
  });

  test('explain over step 1 of mockb: the lane header reaches mockb\'s canary, other requests its base', () => {
    const sim = simulateKruiseStep(objects, 'mockb', 1);
    const hop = (headers: Record<string, string>) => explain(sim.manifests, { service: 'mockb' }, { headers }).hops[0];
    expect(hop({ 'my-request-id': 'canary' }).destinations.map((d) => d.subset)).toEqual(['canary']);
    expect(hop({}).destinations.map((d) => d.subset)).toEqual(['version-base']);
  });
});

describe('simulateKruiseStep refuses what does not exist', () => {
  const objects = synthExample('canary-release')[0].objects;
  test('an unknown service, a step out of range', () => {
    expect(() => simulateKruiseStep(objects, 'frontend', 1)).toThrow(/no Kruise Rollout releases the service frontend/);
    expect(() => simulateKruiseStep(objects, 'cart', 5)).toThrow(/has 4 step\(s\); step 5 does not exist/);
  });

  test('a step without traffic or matches after routing restores the routes (hand-written Rollout)', () => {
    const edited = JSON.parse(JSON.stringify(objects));
    edited.find((o: any) => o.kind === 'Rollout').spec.strategy.canary.steps.push({ replicas: '100%', pause: {} });
    const sim = simulateKruiseStep(edited, 'cart', 5);
    expect(sim.routing).toBe('restored');
    expect(sim.notes.join()).toMatch(/restores the original routing/);
    expect(sim.manifests.find((o) => o.kind === 'VirtualService' && o.metadata.name === 'vs-cart')!.spec).toEqual(objects.find((o) => o.kind === 'VirtualService' && o.metadata.name === 'vs-cart').spec);
  });
});
