/**
 * Property: every object of every bundled example is accepted by a strict API server, i.e. it
 * validates against the upstream schema of the version its apiVersion names (custom resources:
 * the CRDs in the CRD folder, unknown fields rejected; Kubernetes kinds: the OpenAPI schema).
 * ASM output is checked against the ASM flavour of the CRDs, everything else against Istio 1.23.
 */
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
  });

  test('rejects an apiVersion the CRD does not serve', () => {
    const envoyFilterV1 = { apiVersion: 'networking.istio.io/v1', kind: 'EnvoyFilter', metadata: { name: 'x' }, spec: {} };
    expect(conformanceErrors(envoyFilterV1).join()).toMatch(/no served schema/);
  });
});
