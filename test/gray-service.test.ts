/**
 * GrayService: what it writes for one service, the invariants Kruise's scripts rely on, and the
 * bad inputs it refuses (each error names the construct path, the prop and the fix).
 */
import { App, Chart, Duration, Testing } from 'cdk8s';
import {
  CanaryStep, GrayReleaseError, GrayService, GrayServiceProps, HeaderMatchType, IngressGateway, IstioApiVersion, KruiseApiVersion,
  LoadBalancer, Pause,
} from '../src';

function chart(): Chart {
  return new Chart(Testing.app(), 'test', { disableResourceNameHashes: true });
}
function byKind(c: Chart, kind: string, name?: string): any {
  const found = Testing.synth(c).filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name ?? ''}, got ${found.length}`);
  return found[0];
}
const BASE: GrayServiceProps = { image: 'example/app:1.0', port: 8000 };

describe('GrayService defaults', () => {
  const c = chart();
  new GrayService(c, 'shop', BASE);

  test('the Deployment carries app and version labels, and selects without the version label', () => {
    const d = byKind(c, 'Deployment');
    expect(d.metadata.name).toBe('shop-base');
    expect(d.spec.template.metadata.labels).toMatchObject({ app: 'shop', version: 'base' });
    expect(d.spec.selector.matchLabels).toEqual({ 'app': 'shop', 'gray-release.io/workload': 'shop-base' });
  });

  test('the Service selects the app label only, on a port named http', () => {
    const s = byKind(c, 'Service');
    expect(s.spec.selector).toEqual({ app: 'shop' });
    expect(s.spec.ports).toEqual([{ name: 'http', port: 8000, targetPort: 8000 }]);
  });

  test('the DestinationRule has the base subset and ROUND_ROBIN, and no canary subset', () => {
    const dr = byKind(c, 'DestinationRule');
    expect(dr.apiVersion).toBe('networking.istio.io/v1beta1');
    expect(dr.spec).toEqual({ host: 'shop', trafficPolicy: { loadBalancer: { simple: 'ROUND_ROBIN' } }, subsets: [{ name: 'version-base', labels: { version: 'base' } }] });
  });

  test('the mesh VirtualService ends with a match-less rule to the base subset', () => {
    const vs = byKind(c, 'VirtualService');
    expect(vs.spec.hosts).toEqual(['shop']);
    expect(vs.spec.http[vs.spec.http.length - 1]).toEqual({ name: 'base', route: [{ destination: { host: 'shop', subset: 'version-base' } }] });
  });

  test('pods are non-root (the image USER, no uid forced), no escalation, read-only root with a writable /tmp, with requests', () => {
    const pod = byKind(c, 'Deployment').spec.template.spec;
    const container = pod.containers[0];
    expect(container.securityContext).toEqual({ runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, privileged: false });
    expect(pod.securityContext.runAsUser).toBeUndefined();
    expect(container.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    expect(pod.volumes).toEqual([{ name: 'tmp', emptyDir: {} }]);
    expect(container.resources.requests).toEqual({ cpu: '100m', memory: '64Mi' });
  });

  test('the pods run as the service ServiceAccount, which mounts no token', () => {
    expect(byKind(c, 'Deployment').spec.template.spec.serviceAccountName).toBe('shop');
    expect(byKind(c, 'ServiceAccount')).toEqual({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'shop' }, automountServiceAccountToken: false });
  });

  test('no Rollout or gateway VirtualService without release and gateway', () => {
    const kinds = Testing.synth(c).map((o) => o.kind).sort();
    expect(kinds).toEqual(['Deployment', 'DestinationRule', 'Service', 'ServiceAccount', 'VirtualService']);
  });
});

describe('GrayService with a Kruise release and a gateway', () => {
  const c = chart();
  const gw = new IngressGateway(c, 'gw', { hosts: ['shop.example.com'] });
  const svc = new GrayService(c, 'shop', {
    ...BASE,
    gateway: gw,
    loadBalancer: LoadBalancer.LEAST_REQUEST,
    release: { matches: [{ name: 'x-lane', value: 'canary' }], steps: [CanaryStep.replicas(1), CanaryStep.replicas(2, { pause: Pause.for(Duration.minutes(5)) })] },
  });

  test('the Rollout is canary style, annotated with its TrafficRouting, and relabels canary pods', () => {
    const r = byKind(c, 'Rollout');
    expect(r.apiVersion).toBe('rollouts.kruise.io/v1alpha1');
    expect(r.metadata.annotations).toEqual({ 'rollouts.kruise.io/rolling-style': 'canary', 'rollouts.kruise.io/trafficrouting': 'shop-tr' });
    expect(r.spec.objectRef.workloadRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'shop-base' });
    expect(r.spec.strategy.canary.patchPodTemplateMetadata.labels).toEqual({ 'istio.service.tag': 'gray', 'version': 'canary' });
    expect(r.spec.strategy.canary.steps).toEqual([{ replicas: 1, pause: {} }, { replicas: 2, pause: { duration: 300 } }]);
  });

  test('one TrafficRouting for this service lists both VirtualServices and the DestinationRule', () => {
    const tr = byKind(c, 'TrafficRouting');
    expect(tr.spec.objectRef).toEqual([{
      service: 'shop',
      customNetworkRefs: [
        { apiVersion: 'networking.istio.io/v1beta1', kind: 'VirtualService', name: 'vs-shop' },
        { apiVersion: 'networking.istio.io/v1beta1', kind: 'VirtualService', name: 'vs-shop-gateway' },
        { apiVersion: 'networking.istio.io/v1beta1', kind: 'DestinationRule', name: 'dr-shop' },
      ],
    }]);
    expect(tr.spec.strategy.matches).toEqual([{ headers: [{ type: 'Exact', name: 'x-lane', value: 'canary' }] }]);
  });

  test('the gateway VirtualService is bound to the gateway with its hosts', () => {
    const vs = byKind(c, 'VirtualService', 'vs-shop-gateway');
    expect(vs.spec.gateways).toEqual(['gw']);
    expect(vs.spec.hosts).toEqual(['shop.example.com']);
    expect(svc.canaryLabels).toEqual({ 'istio.service.tag': 'gray', 'version': 'canary' });
    expect(byKind(c, 'DestinationRule').spec.trafficPolicy.loadBalancer.simple).toBe('LEAST_REQUEST');
  });

  test('snapshot (review aid)', () => {
    expect(Testing.synth(c)).toMatchSnapshot();
  });
});

describe('apiVersion options', () => {
  test('Istio v1 and Kruise v1beta1 (lane release) use enableExtraWorkloadForCanary and replicas on every step', () => {
    const c = chart();
    new GrayService(c, 'shop', { ...BASE, istioApiVersion: IstioApiVersion.V1, release: { apiVersion: KruiseApiVersion.V1BETA1, matches: [{ name: 'x-lane', value: 'qa' }] } });
    expect(byKind(c, 'VirtualService').apiVersion).toBe('networking.istio.io/v1');
    const r = byKind(c, 'Rollout');
    expect(r.apiVersion).toBe('rollouts.kruise.io/v1beta1');
    expect(r.metadata.annotations).toEqual({ 'rollouts.kruise.io/trafficrouting': 'shop-tr' });
    expect(r.spec.workloadRef.name).toBe('shop-base');
    expect(r.spec.strategy.canary.enableExtraWorkloadForCanary).toBe(true);
    expect(r.spec.strategy.canary.steps).toEqual([{ replicas: 1, pause: {} }]);
    expect(byKind(c, 'TrafficRouting').spec.strategy).toEqual({ matches: [{ headers: [{ type: 'Exact', name: 'x-lane', value: 'qa' }] }] });
  });
});

describe('bad input never produces a manifest', () => {
  const cases: Array<[string, Partial<GrayServiceProps> & { id?: string }, RegExp]> = [
    ['a name that is not DNS-1035', { id: 'Shop_1' }, /name: "Shop_1" is not a DNS-1035 label/],
    ['a name starting with a digit (a Service name must start with a letter)', { id: '1shop' }, /name: "1shop" is not a DNS-1035 label/],
    ['a port out of range', { port: 70000 }, /port: 70000 is not an integer from 1 to 65535/],
    ['an image with spaces', { image: 'a b' }, /image: .* is not an image reference/],
    ['a reserved version label', { versionLabel: 'istio.service.tag' }, /versionLabel: .*Kruise sets itself/],
    ['the app label as version label', { versionLabel: 'app' }, /versionLabel/],
    ['podLabels overriding the version', { podLabels: { version: 'x' } }, /podLabels: the label "version" is set by the library/],
    ['podLabels with Kruise\'s canary marker', { podLabels: { 'istio.service.tag': 'gray' } }, /podLabels/],
    ['a canary version equal to the base', { release: { canaryVersion: 'base' } }, /release.canaryVersion: .*join the base subset/],
    ['a weight in a lane release', { release: { weight: 101 } }, /release.weight: a lane release .* Fix: use Release.canary/],
    ['an uppercase header match', { release: { matches: [{ name: 'X-Lane', value: 'a' }] } }, /release.matches: "X-Lane" is not a lowercase header name/],
    ['no steps', { release: { steps: [] } }, /release.steps: no step given/],
    ['decreasing replicas', { release: { steps: [CanaryStep.replicas(2), CanaryStep.replicas(1)] } }, /release.steps: step 2 has fewer canary replicas/],
    ['a bad percentage', { release: { steps: [CanaryStep.replicas('150%')] } }, /release.steps: step 1 has replicas "150%"/],
    ['an empty step', { release: { steps: [CanaryStep.of({})] } }, /step 1 has no replicas/],
    ['a bad object name', { names: { destinationRule: 'DR_shop' } }, /names.destinationRule/],
    ['gatewayHosts without a gateway', { gatewayHosts: ['a.example.com'] }, /gatewayHosts: hosts are given but no gateway/],
    ['a regex match RE2 cannot run', { release: { matches: [{ name: 'x-lane', value: '(a)\\1', type: HeaderMatchType.REGULAR_EXPRESSION }] } }, /release.matches: the pattern for "x-lane" cannot run in Envoy's RE2: backreferences/],
  ];
  test.each(cases)('%s', (_what, props, message) => {
    const c = chart();
    const { id, ...rest } = props;
    let error: unknown;
    try {
      new GrayService(c, id ?? 'shop', { ...BASE, ...rest } as GrayServiceProps);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GrayReleaseError);
    expect((error as Error).message).toMatch(/^\[test\/[^\]]+\] /);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toMatch(/Fix: /);
  });

  test('a lane release without matches fails at synth with the construct path', () => {
    const app = new App({ outdir: '/tmp/never-written' });
    const c = new Chart(app, 'test');
    new GrayService(c, 'shop', { ...BASE, release: {} });
    expect(() => app.synthYaml()).toThrow(/test\/shop.*release: the TrafficRouting has no header match/s);
  });

  test('a gateway host the gateway does not accept', () => {
    const c = chart();
    const gw = new IngressGateway(c, 'gw', { hosts: ['*.example.com'] });
    expect(() => new GrayService(c, 'shop', { ...BASE, gateway: gw, gatewayHosts: ['shop.other.org'] })).toThrow(/gatewayHosts: the gateway gw does not accept the host "shop.other.org"/);
    expect(() => new GrayService(c, 'shop2', { ...BASE, gateway: gw, gatewayHosts: ['shop.example.com'] })).not.toThrow();
  });

  test('the catch-all gateway host needs allowAnyHost', () => {
    const c = chart();
    expect(() => new IngressGateway(c, 'gw', { hosts: ['*'] })).toThrow(/\[test\/gw\] hosts: the catch-all host "\*".*allowAnyHost: true/);
    expect(() => new IngressGateway(c, 'gw2', { hosts: ['*'], allowAnyHost: true })).not.toThrow();
    expect(() => new IngressGateway(c, 'gw3', { hosts: ['bad host'] })).toThrow(/\[namespace\/\]host form/);
  });
});
