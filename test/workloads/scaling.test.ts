/**
 * Scaling and disruption: a HorizontalPodAutoscaler (autoscaling/v2) per autoscaled version, with
 * no `replicas` written on its Deployment; a PodDisruptionBudget (policy/v1) per workload that
 * selects only that workload's pods; and what the library does with an HPA during a Kruise canary
 * release (openkruise/rollouts v0.6.2 has no HPA handling in canary style: the HPA keeps scaling
 * the stable Deployment, and the canary is a share of its current replicas).
 */
import { Chart, Testing } from 'cdk8s';
import { CanaryStep, GrayService, GrayServiceProps, Release, TrafficLane } from '../../src';

function chart(): Chart {
  return new Chart(Testing.app(), 'test', { disableResourceNameHashes: true });
}
const SVC: GrayServiceProps = { image: 'example/shop:1.0', port: 8080 };
const ofKind = (objects: any[], kind: string) => objects.filter((o) => o.kind === kind);

describe('an autoscaled service with a disruption budget, a second version and a lane', () => {
  const c = chart();
  const svc = new GrayService(c, 'shop', {
    ...SVC,
    autoscaling: { minReplicas: 2, maxReplicas: 10, cpuUtilization: 70, memoryUtilization: 80 },
    disruptionBudget: { maxUnavailable: 1 },
  });
  svc._addVersion({ name: 'v2', autoscaling: { maxReplicas: 4 } });
  new TrafficLane(c, 'lane', { name: 'dev', header: 'x-lane' }).addMember(svc, { replicas: 2 });
  const objects = Testing.synth(c);

  test('each autoscaled version has an HPA on its Deployment, and that Deployment writes no replicas', () => {
    const hpas = ofKind(objects, 'HorizontalPodAutoscaler');
    expect(hpas.map((h) => [h.apiVersion, h.metadata.name, h.spec.scaleTargetRef])).toEqual([
      ['autoscaling/v2', 'shop-base', { apiVersion: 'apps/v1', kind: 'Deployment', name: 'shop-base' }],
      ['autoscaling/v2', 'shop-v2', { apiVersion: 'apps/v1', kind: 'Deployment', name: 'shop-v2' }],
    ]);
    expect(hpas[0].spec).toMatchObject({ minReplicas: 2, maxReplicas: 10 });
    expect(hpas[0].spec.metrics).toEqual([
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
      { type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 80 } } },
    ]);
    // No metric given: Kubernetes' own default (80% CPU) is written out.
    expect(hpas[1].spec.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
    expect(hpas[0].spec.behavior).toBeUndefined();
    const replicas = Object.fromEntries(ofKind(objects, 'Deployment').map((d) => [d.metadata.name, d.spec.replicas]));
    expect(replicas).toEqual({ 'shop-base': undefined, 'shop-v2': undefined, 'shop-dev': 2 });
  });

  test('each workload has its own PDB selecting its own pods only (never another version\'s or the canary\'s)', () => {
    const pdbs = ofKind(objects, 'PodDisruptionBudget');
    expect(pdbs.map((p) => [p.apiVersion, p.metadata.name, p.spec.maxUnavailable])).toEqual([
      ['policy/v1', 'shop-base', 1], ['policy/v1', 'shop-v2', 1], ['policy/v1', 'shop-dev', 1],
    ]);
    const deployments = ofKind(objects, 'Deployment');
    for (const pdb of pdbs) {
      const sel = pdb.spec.selector.matchLabels;
      const selected = deployments.filter((d) => Object.entries(sel).every(([k, v]) => d.spec.template.metadata.labels[k] === v));
      expect(selected.map((d) => d.metadata.name)).toEqual([pdb.metadata.name]);
      // A Kruise canary copy of the Deployment (version relabelled) is not selected.
      const canary = { ...selected[0].spec.template.metadata.labels, version: 'canary' };
      expect(Object.entries(sel).every(([k, v]) => canary[k] === v)).toBe(false);
    }
  });
});

describe('an HPA during a Kruise canary release', () => {
  test('percentage steps and fixed steps reached by header matches only are accepted', () => {
    const c = chart();
    new GrayService(c, 'a', { ...SVC, autoscaling: { maxReplicas: 5 }, release: Release.canary({ steps: [CanaryStep.traffic(20, { replicas: '20%' }), CanaryStep.traffic(100, { replicas: '100%' })] }) });
    new GrayService(c, 'b', { ...SVC, autoscaling: { maxReplicas: 5 }, release: { matches: [{ name: 'x-lane', value: 'canary' }] } });
    const rollouts = ofKind(Testing.synth(c), 'Rollout');
    expect(rollouts.map((r) => r.spec.strategy.canary.steps.map((s: any) => s.replicas))).toEqual([['20%', '100%'], [1]]);
  });

  test('a fixed number of canary pods that also takes a traffic weight is refused', () => {
    const c = chart();
    expect(() => new GrayService(c, 'a', { ...SVC, autoscaling: { maxReplicas: 5 }, release: Release.canary({ steps: [CanaryStep.traffic(20, { replicas: 1 })] }) }))
      .toThrow(/\[test\/a\] release\.steps: step 1 runs a fixed 1 canary pod while sending it 20% of the traffic.*Fix: give the step replicas as a percentage/s);
    expect(() => new GrayService(c, 'b', { ...SVC, release: Release.canary({ steps: [CanaryStep.traffic(20, { replicas: 1 })] }) })).not.toThrow();
  });
});

test('a utilisation target needs a request of that resource', () => {
  const c = chart();
  expect(() => new GrayService(c, 'a', { ...SVC, resources: { cpu: {} }, autoscaling: { maxReplicas: 3, cpuUtilization: 50 } }))
    .toThrow(/autoscaling\.cpuUtilization: a utilisation target is a percentage of the container's cpu request/);
});

test('a percentage minAvailable that rounds up to every pod is refused like an integer one', () => {
  // The disruption controller rounds a percentage up: 50% of 1 pod is 1 pod, so no pod may go.
  const c = chart();
  expect(() => new GrayService(c, 'a', { ...SVC, disruptionBudget: { minAvailable: '50%' } })).toThrow(/minAvailable "50%" with 1 replica .*never finish/);
  expect(() => new GrayService(c, 'b', { ...SVC, replicas: 2, disruptionBudget: { minAvailable: '50%' } })).not.toThrow();
  expect(() => new GrayService(c, 'd', { ...SVC, autoscaling: { minReplicas: 3, maxReplicas: 6 }, disruptionBudget: { minAvailable: 3 } })).toThrow(/autoscaling\.minReplicas of d-base/);
});
