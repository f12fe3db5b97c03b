/**
 * Property: every object of every bundled example is accepted by a strict API server, i.e. it
 * validates against the upstream schema of the version its apiVersion names (custom resources:
 * the CRDs in the CRD folder, unknown fields rejected; Kubernetes kinds: the OpenAPI schema).
 * ASM output is checked against the ASM flavour of the CRDs, everything else against Istio 1.23.
 */
import { Chart, Testing } from 'cdk8s';
import { GrayService, GrpcProbe, TrafficLane } from '../src';
import { conformanceErrors, crdsAvailable, CRD_DIR } from './support/conformance';
import { exampleNames, synthExample } from './support/examples';

const available = crdsAvailable();
if (!available) {
  // eslint-disable-next-line no-console
  console.warn(`conformance: CRD folder ${CRD_DIR} not found; set GRAY_RELEASE_CRDS to run these tests`);
}
const describeIf = available ? describe : describe.skip;

describeIf('conformance of every example against the upstream schemas', () => {
  for (const name of exampleNames()) {
    test(`examples/${name}: every object validates`, () => {
      // GIVEN the example's apps, synthesized in memory
      const apps = synthExample(name);
      let count = 0;
      for (const app of apps) {
        const flavour = app.target.split('/').includes('asm') ? 'asm' : 'istio';
        // WHEN each object is validated
        const errors = app.objects.flatMap((o) => conformanceErrors(o, flavour));
        count += app.objects.length;
        // THEN none has a problem
        expect(errors).toEqual([]);
      }
      expect(count).toBeGreaterThan(0);
    });
  }
});

describeIf('conformance of the workload objects no example writes', () => {
  test('ServiceAccount, HorizontalPodAutoscaler, PodDisruptionBudget and the Deployments they refer to validate', () => {
    // GIVEN a service with its ServiceAccount, an autoscaled base, a second version, a lane and a budget
    const chart = new Chart(Testing.app(), 'test', { disableResourceNameHashes: true });
    const svc = new GrayService(chart, 'shop', {
      image: 'example/shop:1.0',
      port: 8080,
      namespace: 'shop',
      autoscaling: { minReplicas: 2, maxReplicas: 6, memoryUtilization: 75 },
      disruptionBudget: { minAvailable: '50%' },
      readiness: GrpcProbe.onPort(8080),
      writablePaths: ['/var/run/shop'],
    });
    svc._addVersion({ name: 'v2', replicas: 3 });
    new TrafficLane(chart, 'lane', { name: 'dev', header: 'x-lane' }).addMember(svc, { replicas: 2 });
    const objects = Testing.synth(chart);
    // THEN every kind is there and every object validates against the Kubernetes schema
    const kinds = new Set(objects.map((o) => o.kind));
    for (const k of ['ServiceAccount', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'Deployment']) expect(kinds).toContain(k);
    expect(objects.flatMap((o) => conformanceErrors(o))).toEqual([]);
  });
});

describeIf('the conformance check itself', () => {
  test('rejects an unknown field, a wrong type and an ASM-only field on Istio', () => {
    // GIVEN objects a strict API server refuses
    const unknown = { apiVersion: 'networking.istio.io/v1beta1', kind: 'DestinationRule', metadata: { name: 'x' }, spec: { host: 'a', bogus: 1 } };
    const wrongType = { apiVersion: 'networking.istio.io/v1beta1', kind: 'VirtualService', metadata: { name: 'x' }, spec: { hosts: 'a' } };
    const asmOnly = { apiVersion: 'networking.istio.io/v1beta1', kind: 'DestinationRule', metadata: { name: 'x' }, spec: { host: 'a', trafficPolicy: { loadBalancer: { dynamicSubset: { subsetSelectors: [{ keys: ['version'] }] } } } } };
    const badDeployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' }, spec: { selector: {}, template: { spec: {} } } };
    // THEN each is reported, and the ASM field passes against the ASM flavour
    expect(conformanceErrors(unknown).join()).toMatch(/bogus/);
    expect(conformanceErrors(wrongType).join()).toMatch(/hosts/);
    expect(conformanceErrors(asmOnly, 'istio').join()).toMatch(/dynamicSubset/);
    expect(conformanceErrors(asmOnly, 'asm')).toEqual([]);
    expect(conformanceErrors(badDeployment).length).toBeGreaterThan(0);
    const badHpa = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'x' }, spec: { scaleTargetRef: { kind: 'Deployment', name: 'x' }, maxReplicas: '3' } };
    const badPdb = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'x' }, spec: { minAvailable: { value: 1 } } };
    const badAccount = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'x' }, automountServiceAccountToken: 'no' };
    expect(conformanceErrors(badHpa).join()).toMatch(/maxReplicas/);
    expect(conformanceErrors(badPdb).join()).toMatch(/minAvailable/);
    expect(conformanceErrors(badAccount).join()).toMatch(/automountServiceAccountToken/);
  });

  test('rejects an apiVersion the CRD does not serve', () => {
    const envoyFilterV1 = { apiVersion: 'networking.istio.io/v1', kind: 'EnvoyFilter', metadata: { name: 'x' }, spec: {} };
    expect(conformanceErrors(envoyFilterV1).join()).toMatch(/no served schema/);
  });
});
