/**
 * Bad input never produces a manifest: every mistake fails with the construct path, the prop
 * and a fix, in the constructor, or at synth for checks that read the workloads' labels.
 */
import { App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  DynamicSubsetRouting, DynamicSubsetRoutingProps, FallbackPolicy, GrayReleaseError, IstioApiVersion, IWorkloadLabels, MeshTarget, POD_IP_KEY,
} from '../../src';

const WORKLOADS = [
  { name: 'dev-v1', podLabels: { app: 'hw', stage: 'dev', version: 'v1' } },
  { name: 'prod-v3', podLabels: { app: 'hw', stage: 'prod', version: 'v3' }, replicas: 2 },
];

function props(over: Partial<DynamicSubsetRoutingProps> = {}): DynamicSubsetRoutingProps {
  return {
    target: MeshTarget.ISTIO,
    service: { name: 'hw', namespace: 'default', port: 8000 },
    workloads: WORKLOADS,
    subsetSelectors: [{ keys: ['stage', 'version'] }],
    headerMappings: [{ header: 'x-stage', key: 'stage' }, { header: 'x-version', key: 'version', defaultValue: 'v3' }],
    ...over,
  };
}

/** Constructs in a fresh chart; returns the error thrown by the constructor. */
function constructError(p: DynamicSubsetRoutingProps): GrayReleaseError {
  const chart = new Chart(Testing.app(), 'chart');
  try {
    new DynamicSubsetRouting(chart, 'routing', p);
  } catch (e) {
    return e as GrayReleaseError;
  }
  throw new Error('expected the constructor to fail');
}

/** Constructs and synthesizes (with validation); returns the synth error message. */
function synthError(p: DynamicSubsetRoutingProps, app: App = Testing.app()): string {
  const chart = new Chart(app, 'chart');
  new DynamicSubsetRouting(chart, 'routing', p);
  expect(() => app.synthYaml()).toThrow();
  try { app.synthYaml(); } catch (e) { return (e as Error).message; }
  return '';
}

describe.each([MeshTarget.ASM, MeshTarget.ISTIO])('constructor checks (%s)', (target) => {
  test.each<[string, Partial<DynamicSubsetRoutingProps>, string, RegExp]>([
    ['no selector', { subsetSelectors: [] }, 'subsetSelectors', /no selector/],
    ['a selector without keys', { subsetSelectors: [{ keys: [] }] }, 'subsetSelectors[0].keys', /no keys/],
    ['an invalid label key', { subsetSelectors: [{ keys: ['bad key'] }], headerMappings: [{ header: 'x', key: 'bad key' }] }, 'subsetSelectors[0].keys', /not a valid label key/],
    ['an unknown built-in key', { subsetSelectors: [{ keys: ['%host%'] }] }, 'subsetSelectors[0].keys', /not a known built-in key/],
    ['a duplicate key in a selector', { subsetSelectors: [{ keys: ['stage', 'stage'] }] }, 'subsetSelectors[0].keys', /listed twice/],
    ['a duplicate selector', { subsetSelectors: [{ keys: ['stage', 'version'] }, { keys: ['version', 'stage'] }] }, 'subsetSelectors[1]', /already has the keys/],
    ['an invalid header name', { headerMappings: [{ header: 'X Stage', key: 'stage' }, { header: 'x-version', key: 'version' }] }, 'headerMappings[0].header', /not a valid request header name/],
    ['an upper-case header name', { headerMappings: [{ header: 'X-Stage', key: 'stage' }, { header: 'x-version', key: 'version' }] }, 'headerMappings[0].header', /lowercase/],
    ['a duplicate header', { headerMappings: [{ header: 'x-a', key: 'stage' }, { header: 'x-a', key: 'version' }] }, 'headerMappings[1].header', /mapped twice/],
    ['a duplicate key', { headerMappings: [{ header: 'x-a', key: 'stage' }, { header: 'x-b', key: 'stage' }, { header: 'x-version', key: 'version' }] }, 'headerMappings[1].key', /already mapped/],
    ['a header mapped to a key no selector uses', { headerMappings: [{ header: 'x-stage', key: 'stage' }, { header: 'x-version', key: 'version' }, { header: 'x-zone', key: 'zone' }] }, 'headerMappings[2].key', /no subset selector uses the key "zone"/],
    ['a selector key without a header', { headerMappings: [{ header: 'x-stage', key: 'stage' }] }, 'subsetSelectors[0].keys', /no header is mapped to "version"/],
    ['a defaultValue that is not a label value', { headerMappings: [{ header: 'x-stage', key: 'stage', defaultValue: 'not ok' }, { header: 'x-version', key: 'version' }] }, 'headerMappings[0].defaultValue', /can never equal/],
    ['DEFAULT_SUBSET without defaultSubset', { fallbackPolicy: FallbackPolicy.DEFAULT_SUBSET }, 'defaultSubset', /DEFAULT_SUBSET is used but no defaultSubset/],
    ['a selector DEFAULT_SUBSET without defaultSubset', { subsetSelectors: [{ keys: ['stage', 'version'], fallbackPolicy: FallbackPolicy.DEFAULT_SUBSET }] }, 'defaultSubset', /no defaultSubset/],
    ['an empty defaultSubset', { defaultSubset: {} }, 'defaultSubset', /empty/],
    ['an invalid defaultSubset label', { defaultSubset: { stage: 'pro d' } }, 'defaultSubset', /invalid value/],
    ['an unknown fallback policy', { fallbackPolicy: 'SOMETIMES' as FallbackPolicy }, 'fallbackPolicy', /not a fallback policy/],
    ['a shadowed selector', {
      subsetSelectors: [{ keys: ['version'] }, { keys: ['stage', 'version'] }],
    }, 'subsetSelectors[1]', /can never be chosen: subsetSelectors\[0\]/],
    ['an invalid service name', { service: { name: 'Hello_World', port: 80 } }, 'service.name', /DNS-1123/],
    ['an invalid port', { service: { name: 'hw', port: 0 } }, 'service.port', /integer from 1 to 65535/],
    ['no workload', { workloads: [] }, 'workloads', /no workload/],
    ['no target', { target: undefined as unknown as MeshTarget }, 'target', /choose MeshTarget.ASM or MeshTarget.ISTIO/],
  ])('%s fails with path, prop and fix', (_, over, prop, what) => {
    // GIVEN the bad input  WHEN the construct is created
    const err = constructError(props({ target, ...over }));
    // THEN it throws naming the construct path, the prop, the problem and a fix
    expect(err).toBeInstanceOf(GrayReleaseError);
    expect(err.path).toBe('chart/routing');
    expect(err.prop).toBe(prop);
    expect(err.message).toMatch(what);
    expect(err.message).toContain('Fix: ');
  });
});

test('%ip% on the Istio target fails, says why and points to the ASM target', () => {
  // GIVEN a %ip% selector on MeshTarget.ISTIO
  const err = constructError(props({ subsetSelectors: [{ keys: [POD_IP_KEY] }], headerMappings: [{ header: 'x-ip', key: POD_IP_KEY }] }));
  // THEN the error explains pod IPs are run-time only and names MeshTarget.ASM
  expect(err.prop).toBe('subsetSelectors[0].keys');
  expect(err.what).toMatch(/pod IP, which is only known at run time/);
  expect(err.fix).toMatch(/MeshTarget\.ASM/);
});

test('ASM with networking.istio.io/v1 fails (the ASM CRDs serve v1beta1)', () => {
  // GIVEN the ASM target with apiVersion v1  THEN the constructor refuses it
  const err = constructError(props({ target: MeshTarget.ASM, apiVersion: IstioApiVersion.V1 }));
  expect(err.prop).toBe('apiVersion');
});

describe.each([MeshTarget.ASM, MeshTarget.ISTIO])('synth checks (%s)', (target) => {
  test('a selector key no workload carries fails at synth', () => {
    // GIVEN workloads without a "zone" label  WHEN synthesized  THEN the key is reported with the path
    const msg = synthError(props({ target, subsetSelectors: [{ keys: ['zone'] }], headerMappings: [{ header: 'x-zone', key: 'zone' }] }));
    expect(msg).toMatch(/\[chart\/routing\] subsetSelectors\[0\]\.keys: no workload of the service hw\.default\.svc\.cluster\.local carries the label "zone".*Fix: /);
  });

  test('keys that no workload carries together fail at synth', () => {
    // GIVEN "stage" and "tier" each on a different workload  THEN the selector has no group
    const workloads: IWorkloadLabels[] = [{ name: 'a', podLabels: { stage: 'dev' } }, { name: 'b', podLabels: { tier: 'web' } }];
    const msg = synthError(props({
      target,
      workloads,
      subsetSelectors: [{ keys: ['stage', 'tier'] }],
      headerMappings: [{ header: 'x-stage', key: 'stage' }, { header: 'x-tier', key: 'tier' }],
    }));
    expect(msg).toMatch(/subsetSelectors\[0\]\.keys: no workload .* carries all of the labels stage, tier/);
  });

  test('a defaultSubset that matches no workload is an error (a fallback to it would 503)', () => {
    // GIVEN defaultSubset prod/v1, which no workload has  THEN synth fails naming defaultSubset
    const msg = synthError(props({ target, fallbackPolicy: FallbackPolicy.DEFAULT_SUBSET, defaultSubset: { stage: 'prod', version: 'v1' } }));
    expect(msg).toMatch(/defaultSubset: \{"stage":"prod","version":"v1"\} matches no workload/);
  });

  test('labels added after construction are read at synth', () => {
    // GIVEN a Deployment that gets its "version" label only after the routing is created
    const app = Testing.app();
    const chart = new Chart(app, 'chart');
    const d = new kplus.Deployment(chart, 'd', { containers: [{ image: 'img', portNumber: 80 }] });
    new DynamicSubsetRouting(chart, 'routing', props({
      target, workloads: [d], subsetSelectors: [{ keys: ['version'] }], headerMappings: [{ header: 'x-version', key: 'version' }],
    }));
    expect(() => app.synthYaml()).toThrow(/carries the label "version"/);
    // WHEN the label is added  THEN synth succeeds
    d.podMetadata.addLabel('version', 'v1');
    expect(() => app.synthYaml()).not.toThrow();
  });
});

test('label values that cannot become subset names fail at synth on Istio, not on ASM', () => {
  // GIVEN a version label "V1.2" (upper case and a dot)
  const workloads = [{ name: 'a', podLabels: { version: 'V1.2' } }];
  const p = { workloads, subsetSelectors: [{ keys: ['version'] }], headerMappings: [{ header: 'x-version', key: 'version' }] };
  // THEN the Istio target reports it with a fix
  expect(synthError(props({ ...p, target: MeshTarget.ISTIO }))).toMatch(/subsetSelectors\[0\]: the label values \{"version":"V1.2"\} cannot become an Istio subset name.*Fix: /);
  // AND the ASM target, which names no subsets, synthesizes
  const app = Testing.app();
  new DynamicSubsetRouting(new Chart(app, 'chart'), 'routing', props({ ...p, target: MeshTarget.ASM }));
  expect(() => app.synthYaml()).not.toThrow();
});

test('groups that would share a subset name fail at synth on Istio', () => {
  // GIVEN (a-b, c) and (a, b-c), which both join to "a-b-c"
  const workloads = [{ name: 'x', podLabels: { p: 'a-b', q: 'c' } }, { name: 'y', podLabels: { p: 'a', q: 'b-c' } }];
  const msg = synthError(props({ workloads, subsetSelectors: [{ keys: ['p', 'q'] }], headerMappings: [{ header: 'x-p', key: 'p' }, { header: 'x-q', key: 'q' }] }));
  expect(msg).toMatch(/both become the subset name "a-b-c"/);
});
