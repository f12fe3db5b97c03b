/**
 * Property: whatever lanes, members, weighted entries and namespaces a user sets up, the routes
 * the constructs write keep the routing invariants (test/support/route-invariants.ts, written
 * independently of src/): every weighted route sums to 100, no destination has weight 0, every
 * subset a route names exists in the host's DestinationRule, every destination host is a Service
 * of the output. Set-ups the constructs refuse must be refused with a GrayReleaseError or a
 * validation naming a construct path.
 *
 * fast-check with a fixed seed; the run counts below make sure the property is not vacuous (most
 * set-ups build, and many have lanes that take 100% of the gateway traffic together).
 */
import { Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { CanaryStep, GrayReleaseError, GrayService, IngressGateway, Release, TrafficLane } from '../src';
import { exampleNames, synthExample } from './support/examples';
import { routeInvariantErrors } from './support/route-invariants';

const RUN = { seed: 20240611, numRuns: 200 };

interface LaneSetUp {
  readonly name: string;
  readonly header: string;
  /** Membership of each service (index in the chain). */
  readonly members: readonly boolean[];
  /** Enter by weight at the front service, with this share. */
  readonly share?: number;
}
interface SetUp {
  readonly namespaces: readonly (string | undefined)[];
  readonly releaseWeights: readonly (number | undefined)[];
  readonly lanes: readonly LaneSetUp[];
}

const MAX_SERVICES = 3;
const laneArb = fc.record({
  name: fc.constantFrom('dev', 'qa', 'beta', 'x1', 'lane-long-name'),
  header: fc.constantFrom('x-lane', 'x-env'),
  members: fc.array(fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }), { minLength: MAX_SERVICES, maxLength: MAX_SERVICES }),
  enters: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  /** Enter even where the lane has no member at the front (refused). */
  entersAnyway: fc.oneof({ weight: 1, arbitrary: fc.constant(true) }, { weight: 9, arbitrary: fc.constant(false) }),
  raw: fc.integer({ min: 1, max: 99 }),
});
/**
 * Shares: either the raw shares (their sum may pass 100: refused), or, half of the time, shares
 * of the entering lanes that add up to exactly 100 (the case where the base keeps nothing).
 */
const setUpArb: fc.Arbitrary<SetUp> = fc.record({
  count: fc.integer({ min: 1, max: MAX_SERVICES }),
  namespaces: fc.array(fc.constantFrom(undefined, 'shop', 'pay'), { minLength: MAX_SERVICES, maxLength: MAX_SERVICES }),
  releaseWeights: fc.array(fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined, freq: 3 }), { minLength: MAX_SERVICES, maxLength: MAX_SERVICES }),
  lanes: fc.oneof(
    { weight: 9, arbitrary: fc.uniqueArray(laneArb, { minLength: 1, maxLength: 3, selector: (l) => l.name }) },
    { weight: 1, arbitrary: fc.array(laneArb, { minLength: 1, maxLength: 3 }) },
  ),
  full: fc.boolean(),
}).map(({ count, namespaces, releaseWeights, lanes, full }) => {
  // mostly, a lane entering at the front is a member there (else it is refused)
  const entering = lanes.map((l) => l.enters && l.members[0]);
  const n = entering.filter(Boolean).length;
  let k = 0;
  const shares = lanes.map((l, i) => {
    if (!entering[i]) return l.entersAnyway ? l.raw : undefined;
    if (!full) return l.raw;
    k++;
    if (k < n) return Math.min(l.raw, Math.floor(99 / n));
    return 100 - lanes.filter((_, j) => j < i && entering[j]).reduce((sum, x) => sum + Math.min(x.raw, Math.floor(99 / n)), 0);
  });
  return {
    namespaces: namespaces.slice(0, count),
    releaseWeights: releaseWeights.slice(0, count),
    lanes: lanes.map((l, i) => ({ name: l.name, header: l.header, members: l.members.slice(0, count), share: shares[i] })),
  };
});

/** front → ... → back, front behind the gateway; the lanes with their members and entries. */
function build(s: SetUp): { objects?: any[]; refused?: string } {
  try {
    const chart = new Chart(Testing.app(), 'inv', { disableResourceNameHashes: true });
    const gateway = new IngressGateway(chart, 'gw', { hosts: ['shop.example.com'] });
    const services: GrayService[] = [];
    for (let i = s.namespaces.length - 1; i >= 0; i--) {
      // A release with a share of the requests is a canary release (issue #14); at the front, where the
      // weighted lane entries take the gateway requests first, a lane release on a header only the client sends.
      const w = s.releaseWeights[i];
      const release = w === undefined ? undefined
        : i === 0 ? Release.lanes({ matches: [{ name: 'x-release', value: String(w) }] }) : Release.canary({ steps: [CanaryStep.traffic(Math.max(1, w))] });
      services.unshift(new GrayService(chart, `svc${i}`, {
        image: `example/svc${i}:1`,
        port: 8080,
        namespace: s.namespaces[i],
        release,
        calls: services.length > 0 ? [services[0]] : [],
        gateway: i === 0 ? gateway : undefined,
      }));
    }
    s.lanes.forEach((l, i) => {
      const lane = new TrafficLane(chart, `lane${i}`, { name: l.name, header: l.header, services });
      l.members.forEach((m, j) => m && lane.addMember(services[j]));
      if (l.share !== undefined) lane.enterByWeight(services[0], l.share);
    });
    return { objects: Testing.synth(chart) };
  } catch (e) {
    if (e instanceof GrayReleaseError) return { refused: e.message };
    const message = (e as Error).message;
    if (/^Validation failed with the following errors:\n {2}\[inv\//.test(message)) return { refused: message };
    throw e;
  }
}

describe('the invariant checker itself', () => {
  const svc = (name: string, namespace?: string) => ({ kind: 'Service', metadata: { name, namespace } });
  const dr = (host: string, subsets: string[]) => ({ kind: 'DestinationRule', metadata: { name: `dr-${host}` }, spec: { host, subsets: subsets.map((name) => ({ name, labels: { version: name } })) } });
  const vs = (...route: object[]) => ({ kind: 'VirtualService', metadata: { name: 'vs' }, spec: { hosts: ['web'], http: [{ route }] } });
  const base = [svc('web'), dr('web', ['v1', 'v2'])];

  test('accepts sound routes: weights summing to 100, a lone unweighted destination, a qualified host', () => {
    expect(routeInvariantErrors([...base, vs({ destination: { host: 'web', subset: 'v1' }, weight: 90 }, { destination: { host: 'web', subset: 'v2' }, weight: 10 })])).toEqual([]);
    expect(routeInvariantErrors([...base, vs({ destination: { host: 'web.default.svc.cluster.local', subset: 'v1' } })])).toEqual([]);
    expect(routeInvariantErrors([svc('pay', 'shop'), vs({ destination: { host: 'pay.shop' } })])).toEqual([]);
  });

  test.each([
    ['weights not summing to 100', vs({ destination: { host: 'web', subset: 'v1' }, weight: 90 }, { destination: { host: 'web', subset: 'v2' }, weight: 20 }), /sum to 110/],
    ['a weight-0 destination', vs({ destination: { host: 'web', subset: 'v1' }, weight: 0 }, { destination: { host: 'web', subset: 'v2' }, weight: 100 }), /has weight 0/],
    ['several destinations without weights', vs({ destination: { host: 'web', subset: 'v1' } }, { destination: { host: 'web', subset: 'v2' } }), /without weights/],
    ['a weight on one destination only', vs({ destination: { host: 'web', subset: 'v1' }, weight: 100 }, { destination: { host: 'web', subset: 'v2' } }), /not all whole numbers/],
    ['a subset no DestinationRule has', vs({ destination: { host: 'web', subset: 'v3' } }), /subset v3 of web is in no DestinationRule/],
    ['a host that is no Service', vs({ destination: { host: 'cart' } }), /cart is no Service/],
    ['a short host of another namespace', vs({ destination: { host: 'web.shop' } }), /web.shop is no Service/],
  ])('reports %s', (_, route, message) => {
    expect(routeInvariantErrors([...base, route]).join('\n')).toMatch(message);
  });
});

describe('routing invariants', () => {
  test('hold for every lane, member, weighted entry and namespace set-up the constructs accept', () => {
    let built = 0;
    let refused = 0;
    let full = 0;
    fc.assert(fc.property(setUpArb, (s) => {
      const r = build(s);
      if (r.refused) {
        refused++;
        return;
      }
      built++;
      const shares = s.lanes.filter((l) => l.share !== undefined).reduce((sum, l) => sum + l.share!, 0);
      if (shares === 100) full++;
      expect(routeInvariantErrors(r.objects!)).toEqual([]);
    }), RUN);
    // not vacuous: most set-ups build, some are refused, and lanes taking all gateway traffic are common
    expect(built).toBeGreaterThan(RUN.numRuns / 2);
    expect(refused).toBeGreaterThan(0);
    expect(full).toBeGreaterThan(RUN.numRuns / 10);
  });

  test.each(exampleNames())('hold in examples/%s', (name) => {
    for (const app of synthExample(name)) expect(routeInvariantErrors(app.objects)).toEqual([]);
  });
});
