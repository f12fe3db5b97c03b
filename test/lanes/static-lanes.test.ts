/**
 * Static lanes, checked on the traffic-lanes example (frontend -> cart -> payment; lanes
 * `canary` = all three, `dev-alice` = frontend and payment, 10% weighted entry into canary):
 * for each lane and each service, which Deployment a request with / without the lane header
 * reaches; the base route is last; a service without a version in a lane sends the lane's
 * requests to its base; the weighted entry never re-splits requests that already carry a lane.
 */
import { Testing } from 'cdk8s';
import { TrafficLanesChart } from '../../examples/traffic-lanes/main';
import { reach } from '../support/kruise-contract';

const app = Testing.app();
const chart = new TrafficLanesChart(app, 'traffic-lanes');
const objects: any[] = Testing.synth(chart);
const find = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);

const H = 'my-request-id';
const SERVICES = ['frontend', 'cart', 'payment'];
/** Lane -> services with a version in it. */
const LANES: Record<string, string[]> = { 'canary': ['frontend', 'cart', 'payment'], 'dev-alice': ['frontend', 'payment'] };

describe('static lanes: where each request lands, per lane and service (mesh VirtualServices)', () => {
  const cases = Object.entries(LANES).flatMap(([lane, members]) => SERVICES.map((s) => [lane, s, members.includes(s)] as const));

  test.each(cases)('lane %s at %s (member: %s)', (lane, service, member) => {
    // GIVEN a request carrying the lane header; WHEN it reaches the service's mesh VirtualService
    const reached = reach(objects, `vs-${service}`, { [H]: lane });
    // THEN it lands on the service's lane Deployment if it has one, else on its base (fallback)
    expect(reached).toEqual([member ? `${service}-${lane}` : `${service}-base`]);
  });

  test.each(SERVICES)('%s: requests without a lane header, or with an unknown value, reach only the base', (service) => {
    expect(reach(objects, `vs-${service}`, {})).toEqual([`${service}-base`]);
    expect(reach(objects, `vs-${service}`, { [H]: 'nobody' })).toEqual([`${service}-base`]);
    expect(reach(objects, `vs-${service}`, { [H]: 'Canary' })).toEqual([`${service}-base`]);
  });

  test.each(SERVICES)('%s: the match-less base route is last, with one lane rule per lane the service is in', (service) => {
    const http = find('VirtualService', `vs-${service}`).spec.http;
    const lanes = Object.keys(LANES).filter((l) => LANES[l].includes(service));
    expect(http.map((r: any) => r.name)).toEqual([...lanes.map((l) => `lane-${l}`), 'base']);
    expect(http[http.length - 1]).toEqual({ name: 'base', route: [{ destination: { host: service, subset: 'version-base' } }] });
    expect(http.slice(0, -1).every((r: any) => r.match)).toBe(true);
  });
});

describe('static lanes: one request, one lane, along the whole chain', () => {
  /** Follows a request from the gateway through each reached Deployment's declared calls. */
  function walk(headers: Record<string, string>): string[] {
    const path: string[] = [];
    let reached = reach(objects, 'vs-frontend-gateway', headers);
    while (reached.length === 1) {
      path.push(reached[0]);
      const callee = find('Deployment', reached[0]).metadata.annotations['gray-release.io/calls'];
      if (!callee) break;
      reached = reach(objects, `vs-${callee}`, headers);
    }
    return path;
  }

  test.each([
    ['canary', ['frontend-canary', 'cart-canary', 'payment-canary']],
    ['dev-alice', ['frontend-dev-alice', 'cart-base', 'payment-dev-alice']],
    ['unknown', ['frontend-base', 'cart-base', 'payment-base']],
  ])('a request in lane %s (header propagated) visits %j', (lane, expected) => {
    // GIVEN a request carrying the lane header, which every application propagates
    // THEN it stays in the lane at every member and falls back to base elsewhere
    expect(walk({ [H]: lane })).toEqual(expected);
  });
});

describe('static lanes: workloads and subsets', () => {
  test('a lane Deployment carries the version label = lane and the lane label; the base subset never selects it', () => {
    // GIVEN frontend's Deployments
    const lanePod = find('Deployment', 'frontend-dev-alice').spec.template.metadata.labels;
    // THEN the lane pods are labelled with the lane, and not version: base
    expect(lanePod).toMatchObject({ 'app': 'frontend', 'version': 'dev-alice', 'gray-release.io/lane': 'dev-alice' });
    expect(lanePod).not.toHaveProperty('istio.service.tag');
    const subsets = find('DestinationRule', 'dr-frontend').spec.subsets;
    expect(subsets).toEqual([
      { name: 'version-base', labels: { version: 'base' } },
      { name: 'lane-canary', labels: { 'gray-release.io/lane': 'canary' } },
      { name: 'lane-dev-alice', labels: { 'gray-release.io/lane': 'dev-alice' } },
    ]);
  });

  test('a lane Deployment takes its own image and env, and the service\'s other settings', () => {
    const c = find('Deployment', 'payment-dev-alice').spec.template.spec.containers[0];
    expect(c.image).toBe('registry.example.com/shop/payment:alice-7f3c2e1');
    expect(c.env).toEqual(expect.arrayContaining([{ name: 'LOG_LEVEL', value: 'debug' }]));
    expect(c.ports).toEqual([{ containerPort: 8080 }]);
    expect(find('Deployment', 'payment-dev-alice').spec.replicas).toBe(1);
  });

  test('a service without a version in a lane gets no lane objects', () => {
    // GIVEN dev-alice, which has no cart version
    expect(find('Deployment', 'cart-dev-alice')).toBeUndefined();
    expect(find('DestinationRule', 'dr-cart').spec.subsets.map((s: any) => s.name)).toEqual(['version-base', 'lane-canary']);
  });

  test('members declare their lanes on their routing objects (name=header:value)', () => {
    expect(find('VirtualService', 'vs-frontend').metadata.annotations['gray-release.io/lanes']).toBe('canary=my-request-id:canary,dev-alice=my-request-id:dev-alice');
    expect(find('DestinationRule', 'dr-cart').metadata.annotations['gray-release.io/lanes']).toBe('canary=my-request-id:canary');
  });
});

describe('the propagation contract', () => {
  test.each(['frontend-base', 'frontend-canary', 'frontend-dev-alice', 'cart-base', 'cart-canary', 'payment-base', 'payment-dev-alice'])(
    '%s: its containers are told to propagate the lane header', (name) => {
      const d = find('Deployment', name);
      expect(d.metadata.annotations['gray-release.io/propagate-headers']).toBe(H);
      expect(d.spec.template.spec.containers[0].env).toEqual(expect.arrayContaining([{ name: 'GRAY_RELEASE_PROPAGATE_HEADERS', value: H }]));
    });
});

describe('weighted lane entry at the gateway', () => {
  const gatewayVs = 'vs-frontend-gateway';

  test('a request without a lane header is split 90/10 between base and canary, the header set on the canary share', () => {
    // GIVEN the gateway-bound VirtualService of frontend
    const entry = find('VirtualService', gatewayVs).spec.http.find((r: any) => r.name === 'weighted-lane-entry');
    // THEN the entry rule catches only requests without the lane header, and sets it on the lane share.
    // Absence is `{}` (Istio: inverted present_match); an inverted `{regex: '.*'}` never matches a
    // request without the header in Envoy, so the entry rule would never split anything.
    expect(entry.match).toEqual([{ withoutHeaders: { [H]: {} } }]);
    expect(entry.route).toEqual([
      { destination: { host: 'frontend', subset: 'version-base' }, weight: 90 },
      { destination: { host: 'frontend', subset: 'lane-canary' }, weight: 10, headers: { request: { set: { [H]: 'canary' } } } },
    ]);
    expect(reach(objects, gatewayVs, {})).toEqual(['frontend-base', 'frontend-canary']);
  });

  test('requests that already carry a lane keep it and are not re-split', () => {
    expect(reach(objects, gatewayVs, { [H]: 'canary' })).toEqual(['frontend-canary']);
    expect(reach(objects, gatewayVs, { [H]: 'dev-alice' })).toEqual(['frontend-dev-alice']);
    // an unknown lane value is not re-colored either: it goes to base, its header unchanged
    expect(reach(objects, gatewayVs, { [H]: 'dev-bob' })).toEqual(['frontend-base']);
  });

  test('the mesh VirtualService has no entry rule (only gateway traffic is split)', () => {
    expect(find('VirtualService', 'vs-frontend').spec.http.map((r: any) => r.name)).not.toContain('weighted-lane-entry');
  });

  test('the example\'s routing objects (review aid)', () => {
    expect(objects.filter((o) => ['VirtualService', 'DestinationRule'].includes(o.kind))).toMatchSnapshot();
  });
});
