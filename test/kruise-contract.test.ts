/**
 * Property: once Kruise has rewritten the routing objects during a release (its documented
 * contract), a request carrying the lane header reaches only pods of Kruise's canary
 * Deployment, and every other request reaches only base pods, for every service and every
 * VirtualService (gateway and mesh) of the full-link-gray example.
 */
import { synthExample } from './support/examples';
import { reach, simulateRelease } from './support/kruise-contract';

const objects = synthExample('full-link-gray')[0].objects;
const CANARY = { 'my-request-id': 'canary' };

describe('full-link-gray during a Kruise release of both services', () => {
  const released = simulateRelease(objects);

  test.each([
    ['vs-mocka', 'mocka-base'],
    ['vs-mocka-mesh', 'mocka-base'],
    ['vs-mockb', 'mockb-base'],
  ])('%s: the lane header reaches only the canary, other requests only the base', (vs, base) => {
    // GIVEN the released mesh; WHEN requests arrive with and without the header
    // THEN canary requests reach exactly the canary copy, the rest exactly the base
    expect(reach(released, vs, CANARY)).toEqual([`${base}-canary`]);
    expect(reach(released, vs, {})).toEqual([base]);
    expect(reach(released, vs, { 'my-request-id': 'base' })).toEqual([base]);
    expect(reach(released, vs, { 'my-request-id': 'Canary' })).toEqual([base]);
  });

  test('the base subset never selects canary pods (the version label is overridden)', () => {
    // GIVEN the canary copy of mocka-base
    const canary = released.find((o) => o.metadata.name === 'mocka-base-canary');
    // THEN it carries Kruise's marker and a version other than base, and keeps its selector labels
    expect(canary.spec.template.metadata.labels).toMatchObject({ 'istio.service.tag': 'gray', 'version': 'canary' });
    // (Kruise copies the selector unchanged, so the pod labels must still satisfy it)
    const selector = canary.spec.selector.matchLabels;
    expect(selector).not.toHaveProperty('version');
    expect(canary.spec.template.metadata.labels).toMatchObject(selector);
  });
});

describe('full-link-gray during a release of mockb only', () => {
  test('canary requests reach the base of mocka and the canary of mockb', () => {
    // GIVEN only mockb is being released
    const released = simulateRelease(objects, ['mockb']);
    // THEN mocka has no canary rule, mockb has
    expect(reach(released, 'vs-mocka', CANARY)).toEqual(['mocka-base']);
    expect(reach(released, 'vs-mockb', CANARY)).toEqual(['mockb-base-canary']);
  });
});

describe('the contract check catches broken invariants', () => {
  test('without the version override, base traffic would reach canary pods', () => {
    // GIVEN a Rollout that only adds Kruise's marker label (what a hand-written one might do)
    const broken = JSON.parse(JSON.stringify(objects));
    for (const r of broken.filter((o: any) => o.kind === 'Rollout')) {
      r.spec.strategy.canary.patchPodTemplateMetadata.labels = { 'istio.service.tag': 'gray' };
    }
    // THEN the simulated release leaks base traffic into the canary: the check can fail
    expect(reach(simulateRelease(broken), 'vs-mockb', {})).toEqual(['mockb-base', 'mockb-base-canary']);
  });

  test('a VirtualService without an http list makes the Kruise script fail', () => {
    const broken = JSON.parse(JSON.stringify(objects));
    delete broken.find((o: any) => o.metadata.name === 'vs-mockb').spec.http;
    expect(() => simulateRelease(broken)).toThrow(/no http list/);
  });
});
