/**
 * Property: everything the library writes passes OpenKruise Rollout's validating webhook for
 * the chosen API version (v1alpha1, v1beta1) and controller (v0.5, v0.6). The webhook is the
 * independent oracle in test/support/kruise-webhook.ts (written from the notes, not from src/):
 *
 * - every Rollout of every example;
 * - for generated releases (fast-check, fixed seed): the library either refuses the input at
 *   construction with where/what/fix, or writes Rollouts the webhook accepts, never output the
 *   webhook would refuse (the finding: v1beta1 + matches + weight steps without replicas).
 */
import { App, Chart, Duration } from 'cdk8s';
import * as fc from 'fast-check';
import {
  CanaryStep, GrayReleaseError, GrayService, KruiseApiVersion, KruiseControllerVersion, Pause, Release, RolloutStyle,
} from '../../src';
import { exampleNames, synthExample } from '../support/examples';
import { webhookErrors } from '../support/kruise-webhook';

const CONTROLLERS = ['v0.5', 'v0.6'] as const;

describe('the Rollouts of every example pass Kruise\'s webhook', () => {
  const rollouts = exampleNames().flatMap((name) => synthExample(name).flatMap((a) => a.objects.filter((o) => o.kind === 'Rollout').map((r) => ({ name, r, all: a.objects.filter((o) => o.kind === 'Rollout') }))));

  test('there are Rollouts in at least two examples, in both modes', () => {
    expect(new Set(rollouts.map((x) => x.name)).size).toBeGreaterThanOrEqual(2);
    expect(rollouts.some((x) => x.r.spec.strategy.canary.trafficRoutings)).toBe(true);
    expect(rollouts.some((x) => x.r.metadata.annotations?.['rollouts.kruise.io/trafficrouting'])).toBe(true);
  });

  test.each(CONTROLLERS)('Kruise %s accepts each of them', (controller) => {
    for (const { name, r, all } of rollouts) expect({ name, rollout: r.metadata.name, errors: webhookErrors(r, all, { controller }) }).toEqual({ name, rollout: r.metadata.name, errors: [] });
  });
});

describe('the oracle can fail (negative controls, from the issue and the notes)', () => {
  const base = { apiVersion: 'rollouts.kruise.io/v1beta1', kind: 'Rollout', metadata: { name: 'r' }, spec: { workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, strategy: { canary: { enableExtraWorkloadForCanary: true, steps: [{ replicas: 1 }] } } } };
  const withSteps = (steps: any[], extra: object = {}) => ({ ...base, spec: { ...base.spec, strategy: { canary: { ...base.spec.strategy.canary, steps, ...extra } } } });
  test.each([
    ['v1beta1 weight steps without replicas (the issue)', withSteps([{ traffic: '20%' }, { traffic: '50%' }]), 'replicas cannot be empty'],
    ['no steps', withSteps([]), 'The number of Canary.Steps cannot be empty'],
    ['replicas 0', withSteps([{ replicas: 0 }]), 'replicas must be positive number, or a percentage with "0%" < canaryReplicas <= "100%"'],
    ['replicas going down', withSteps([{ replicas: '50%' }, { replicas: '20%' }]), 'Steps.CanaryReplicas must be a non decreasing sequence'],
    ['traffic 0%', withSteps([{ replicas: 1, traffic: '0%' }]), 'traffic must be percentage with "0%" < traffic <= "100%" in canary strategy'],
    ['partition over the limit', withSteps([{ replicas: '60%', traffic: '60%' }], { enableExtraWorkloadForCanary: false }), 'For partition style rollout: step[x].replicas must not greater than partition-percent-limit if traffic specified'],
    ['two trafficRoutings', withSteps([{ replicas: 1 }], { trafficRoutings: [{ service: 'a', customNetworkRefs: [] }, { service: 'b', customNetworkRefs: [] }] }), 'Rollout currently only support single TrafficRouting.'],
  ])('%s', (_what, rollout, message) => {
    expect(webhookErrors(rollout)).toContain(message);
  });

  test('two Rollouts for one workload', () => {
    const other = { ...base, metadata: { name: 'other' } };
    expect(webhookErrors(base, [base, other])[0]).toMatch(/conflict with Rollout\(\/other\)/);
  });
});

// ---- generated releases ----------------------------------------------------------------------

const matches = fc.constantFrom([{ name: 'x-canary', value: 'true' }], [{ name: 'x-user', value: 'qa' }, { name: 'x-canary', value: '1' }]);
const replicas = fc.option(fc.oneof(fc.integer({ min: -1, max: 6 }), fc.constantFrom('1%', '20%', '50%', '60%', '100%', '0%', '150%', '50')), { nil: undefined });
const pause = fc.option(fc.integer({ min: 0, max: 3600 }).map((s) => Pause.for(Duration.seconds(s))), { nil: undefined });
const step = fc.oneof(
  fc.record({ replicas, pause }).map((o) => CanaryStep.of(o)),
  fc.record({ traffic: fc.integer({ min: -5, max: 110 }), replicas, pause }).map((o) => CanaryStep.of(o)),
  fc.record({ matches, replicas, pause, modifier: fc.boolean() }).map(({ modifier, ...o }) => CanaryStep.of({ ...o, requestHeaderModifier: modifier ? { set: { 'x-canary-release': 'web' } } : undefined })),
  fc.record({ matches, traffic: fc.integer({ min: 1, max: 100 }), replicas }).map((o) => CanaryStep.of(o)),
);
/** Mostly growing traffic lists (so enough inputs are valid), some anything. */
const steps = fc.oneof(
  fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 4 }).chain((ts) => fc.constant([...ts].sort((a, b) => a - b).map((t) => CanaryStep.traffic(t)))),
  fc.array(step, { maxLength: 4 }),
);

test('generated releases: refused with where/what/fix, or accepted by Kruise\'s webhook (seed 1414, 400 runs)', () => {
  let refused = 0;
  let accepted = 0;
  fc.assert(fc.property(
    steps,
    fc.constantFrom('lanes', 'canary'),
    fc.constantFrom(KruiseApiVersion.V1ALPHA1, KruiseApiVersion.V1BETA1),
    fc.constantFrom(KruiseControllerVersion.V0_5, KruiseControllerVersion.V0_6),
    fc.constantFrom(RolloutStyle.CANARY, RolloutStyle.PARTITION),
    (s, mode, apiVersion, controllerVersion, style) => {
      const chart = new Chart(new App(), 'c', { disableResourceNameHashes: true });
      let objects: any[];
      try {
        const release = mode === 'lanes'
          ? Release.lanes({ steps: s, apiVersion, controllerVersion, matches: [{ name: 'x-lane', value: 'a' }] })
          : Release.canary({ steps: s, apiVersion, controllerVersion, style });
        new GrayService(chart, 'web', { image: 'example/web:1', port: 80, replicas: 4, release });
        objects = chart.toJson();
      } catch (e) {
        expect(e).toBeInstanceOf(GrayReleaseError);
        expect((e as Error).message).toMatch(/^\[c\/web\] release\.[a-zA-Z.]+: .+\. Fix: .+/);
        refused++;
        return;
      }
      accepted++;
      const rollouts = objects.filter((o) => o.kind === 'Rollout');
      expect(rollouts).toHaveLength(1);
      expect(webhookErrors(rollouts[0], rollouts, { controller: controllerVersion })).toEqual([]);
    },
  ), { seed: 1414, numRuns: 400 });
  expect(accepted).toBeGreaterThan(40);
  expect(refused).toBeGreaterThan(40);
});
