/**
 * What a TrafficLane refuses, and how it says so: bad input throws a GrayReleaseError naming the
 * construct path, the prop and the fix; conflicts that need the whole app (other lanes, the
 * call graph, colorings, entry shares) fail the synth with every problem listed.
 */
import { Chart, Testing } from 'cdk8s';
import { GrayReleaseError, GrayService, GrayServiceProps, IngressGateway, LaneMode, TrafficLane } from '../../src';

const H = 'x-lane';
const PROPS: GrayServiceProps = { image: 'example/app:1.0', port: 8080 };
function chart(): Chart {
  return new Chart(Testing.app(), 'test', { disableResourceNameHashes: true });
}

describe('construction-time errors', () => {
  test.each([
    [{ name: 'Canary', header: H }, /name: "Canary" is not a lane name/],
    [{ name: 'a'.repeat(59), header: H }, /is not a lane name.*at most 58/],
    [{ name: 'canary', header: 'X-Lane' }, /header: "X-Lane" is not a valid request header name/],
    [{ name: 'canary', header: 'connection' }, /header: "connection" cannot carry a lane/],
    [{ name: 'canary', header: 'x-envoy-foo' }, /cannot carry a lane/],
    [{ name: 'canary', header: H, value: '' }, /value: "" is not a lane value/],
    [{ name: 'canary', header: H, value: 'a,b' }, /value: "a,b" is not a lane value/],
    [{ name: 'canary', header: H, value: ' canary' }, /is not a lane value/],
    [{ name: 'canary', header: H, value: '100%' }, /is not a lane value/],
    [{ name: 'canary', header: H, mode: 'blue' as LaneMode }, /mode: "blue" is not a lane mode/],
  ])('%j is refused', (props, message) => {
    // GIVEN bad lane props; WHEN the lane is created; THEN it throws, naming the path and prop
    let error: unknown;
    try {
      new TrafficLane(chart(), 'Lane', props);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GrayReleaseError);
    expect((error as GrayReleaseError).path).toBe('test/Lane');
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toMatch(/Fix: /);
  });

  test('a service added twice', () => {
    const c = chart();
    const s = new GrayService(c, 's', PROPS);
    const lane = new TrafficLane(c, 'Lane', { name: 'dev', header: H });
    lane.addMember(s);
    expect(() => lane.addMember(s)).toThrow(/addMember: the service s is already a member of the lane dev/);
  });

  test('a lane named like the base version (its pods would join the base subset)', () => {
    const c = chart();
    const s = new GrayService(c, 's', PROPS);
    expect(() => new TrafficLane(c, 'Lane', { name: 'base', header: H }).addMember(s)).toThrow(/a version of s: its pods \(labelled version: base\) would join that version's subset/);
  });

  test('a lane Deployment name that is too long, or taken', () => {
    const c = chart();
    const s = new GrayService(c, 'a'.repeat(40), PROPS);
    expect(() => new TrafficLane(c, 'Lane', { name: 'b'.repeat(30), header: H }).addMember(s)).toThrow(/longer than 63 characters.*Fix: give options.deploymentName/);
    const t = new GrayService(c, 't', PROPS);
    expect(() => new TrafficLane(c, 'Lane2', { name: 'dev', header: H }).addMember(t, { deploymentName: 't-base' })).toThrow(/already has a Deployment named t-base/);
  });

  test('bad member options', () => {
    const c = chart();
    const s = new GrayService(c, 's', PROPS);
    const lane = new TrafficLane(c, 'Lane', { name: 'dev', header: H });
    expect(() => lane.addMember(s, { image: 'bad image' })).toThrow(/addMember image: "bad image" is not an image reference/);
    expect(() => lane.addMember(s, { replicas: -1 })).toThrow(/addMember replicas: -1 is not an integer/);
    expect(() => lane.addMember(s, { env: { GRAY_RELEASE_PROPAGATE_HEADERS: {} as any } })).toThrow(/addMember env/);
  });

  test('a weighted entry on a service with no gateway, a non-member, a bad share, twice', () => {
    const c = chart();
    const inner = new GrayService(c, 'inner', PROPS);
    const gateway = new IngressGateway(c, 'gw', { hosts: ['shop.example.com'] });
    const edge = new GrayService(c, 'edge', { ...PROPS, gateway });
    const lane = new TrafficLane(c, 'Lane', { name: 'dev', header: H });
    lane.addMember(inner);
    expect(() => lane.enterByWeight(inner, 10)).toThrow(/enterByWeight: the service inner has no gateway-bound VirtualService.*Fix: give inner the gateway prop/);
    expect(() => lane.enterByWeight(edge, 10)).toThrow(/the service edge is not a member of the lane dev.*Fix: call lane.addMember\(edge\) first/);
    lane.addMember(edge);
    expect(() => lane.enterByWeight(edge, 0)).toThrow(/enterByWeight percent: 0 is not an integer from 1 to 100/);
    lane.enterByWeight(edge, 10);
    expect(() => lane.enterByWeight(edge, 10)).toThrow(/already has a weighted entry at edge/);
  });

  test('a coloring of another header', () => {
    const lane = new TrafficLane(chart(), 'Lane', { name: 'dev', header: H });
    expect(() => lane.enterByColoring({ header: 'my-request-id', laneValues: ['dev'] })).toThrow(/enterByColoring: the coloring sets the header "my-request-id" but the lane dev is carried by "x-lane"/);
  });
});

describe('synth-time errors (the whole app)', () => {
  function synthErrors(c: Chart): string {
    try {
      Testing.synth(c);
    } catch (e) {
      return (e as Error).message;
    }
    return '';
  }

  test('two lanes with the same header and value, with the same name, or sharing a header across modes', () => {
    const c = chart();
    const s = new GrayService(c, 's', { ...PROPS, release: {} });
    const t = new GrayService(c, 't', PROPS);
    new TrafficLane(c, 'A', { name: 'dev', header: H }).addMember(t);
    new TrafficLane(c, 'B', { name: 'dev2', header: H, value: 'dev' }).addMember(new GrayService(c, 'u', PROPS));
    new TrafficLane(c, 'C', { name: 'canary', header: H, mode: LaneMode.PROGRESSIVE }).addMember(s);
    new TrafficLane(c, 'D', { name: 'dev', header: 'other' }).addMember(new GrayService(c, 'v', PROPS));
    const errors = synthErrors(c);
    expect(errors).toMatch(/\[test\/B\] value: the lane dev \(test\/A\) is carried by the same x-lane: dev/);
    expect(errors).toMatch(/\[test\/C\] mode: the header x-lane carries the static lane dev and this progressive lane/);
    expect(errors).toMatch(/\[test\/D\] name: another lane is also named dev \(test\/A\)/);
  });

  test('a lane without members', () => {
    const c = chart();
    new TrafficLane(c, 'Lane', { name: 'dev', header: H });
    expect(synthErrors(c)).toMatch(/\[test\/Lane\] members: the lane dev has no member.*Fix: add services with lane.addMember/);
  });

  test('a caller of a member that does not propagate the header (directly or through another service)', () => {
    // GIVEN a -> b -> c, with only c in the lane
    const c = chart();
    const s3 = new GrayService(c, 'c', PROPS);
    const s2 = new GrayService(c, 'b', { ...PROPS, calls: [s3] });
    new GrayService(c, 'a', { ...PROPS, calls: [s2] });
    const lane = new TrafficLane(c, 'Lane', { name: 'dev', header: H });
    lane.addMember(s3);
    // THEN both callers are reported, with the fix
    const errors = synthErrors(c);
    expect(errors).toMatch(/services: b calls c, on the path to the lane dev, but does not propagate x-lane.*Fix: add b to the lane's services/);
    expect(errors).toMatch(/services: a calls b, on the path to the lane dev/);
  });

  test('listing the callers in `services` satisfies the check, and they propagate', () => {
    const c = chart();
    const s3 = new GrayService(c, 'c', PROPS);
    const s2 = new GrayService(c, 'b', { ...PROPS, calls: ['c.default.svc.cluster.local'] });
    const s1 = new GrayService(c, 'a', { ...PROPS, calls: [s2] });
    const lane = new TrafficLane(c, 'Lane', { name: 'dev', header: H, services: [s1, s2] });
    lane.addMember(s3);
    expect(synthErrors(c)).toBe('');
    expect(s1.headersToPropagate).toEqual([H]);
    expect(lane.propagatingServices.map((s) => s.name)).toEqual(['c', 'a', 'b']);
  });

  test('a coloring that never sets the lane value', () => {
    const c = chart();
    const lane = new TrafficLane(c, 'Lane', { name: 'dev', header: H });
    lane.addMember(new GrayService(c, 's', PROPS));
    lane.enterByColoring({ header: H, laneValues: ['canary'] });
    expect(synthErrors(c)).toMatch(/enterByColoring: the coloring of "x-lane" never sets the lane's value "dev" \(it sets "canary"\)/);
  });

  test('weighted entries at one service adding up to more than 100%', () => {
    const c = chart();
    const gateway = new IngressGateway(c, 'gw', { hosts: ['shop.example.com'] });
    const edge = new GrayService(c, 'edge', { ...PROPS, gateway });
    for (const [name, pct] of [['a', 60], ['b', 50]] as const) {
      const lane = new TrafficLane(c, name, { name, header: H });
      lane.addMember(edge);
      lane.enterByWeight(edge, pct);
    }
    expect(synthErrors(c)).toMatch(/\[test\/b\] enterByWeight: the lanes entering at edge take 110% of its gateway traffic \(a 60%, b 50%\)/);
  });

  test('a static member whose Kruise release matches the lane too', () => {
    const c = chart();
    const s = new GrayService(c, 's', { ...PROPS, release: { matches: [{ name: H, value: 'dev' }] } });
    new TrafficLane(c, 'Lane', { name: 'dev', header: H }).addMember(s);
    expect(synthErrors(c)).toMatch(/member s: its Kruise release also matches x-lane: dev/);
  });
});

describe('several lanes entering at one service', () => {
  test('share one entry rule: base gets the rest, each lane its share with its own header value', () => {
    const c = chart();
    const gateway = new IngressGateway(c, 'gw', { hosts: ['shop.example.com'] });
    const edge = new GrayService(c, 'edge', { ...PROPS, gateway });
    const a = new TrafficLane(c, 'A', { name: 'a', header: H });
    const b = new TrafficLane(c, 'B', { name: 'b', header: 'x-other' });
    a.addMember(edge);
    b.addMember(edge);
    a.enterByWeight(edge, 20);
    b.enterByWeight(edge, 5);
    const vs = Testing.synth(c).find((o) => o.metadata.name === 'vs-edge-gateway');
    const entry = vs.spec.http.filter((r: any) => r.name === 'weighted-lane-entry');
    expect(entry).toHaveLength(1);
    // requests carrying either lane header are never re-split
    expect(entry[0].match).toEqual([{ withoutHeaders: { 'x-lane': { regex: '.*' }, 'x-other': { regex: '.*' } } }]);
    expect(entry[0].route.map((d: any) => [d.destination.subset, d.weight, d.headers?.request.set])).toEqual([
      ['version-base', 75, undefined], ['lane-a', 20, { 'x-lane': 'a' }], ['lane-b', 5, { 'x-other': 'b' }],
    ]);
  });
});

test('services of the same name in charts of other namespaces are not taken for callers of a lane member', () => {
  // GIVEN two charts with namespaces a and b, each a front calling "back"; only b's back is in a lane, and b's front propagates
  const app = Testing.app();
  const build = (ns: string) => {
    const ch = new Chart(app, ns, { namespace: ns, disableResourceNameHashes: true });
    const back = new GrayService(ch, 'back', { image: 'example/back:1', port: 80 });
    const front = new GrayService(ch, 'front', { image: 'example/front:1', port: 80, calls: [back] });
    return { chart: ch, back, front };
  };
  build('a');
  const b = build('b');
  const lane = new TrafficLane(b.chart, 'lane', { name: 'dev', header: 'x-lane', services: [b.front] });
  lane.addMember(b.back);
  // THEN a's front, which calls a's back (not the lane member), is not required to propagate
  expect(() => app.synthYaml()).not.toThrow();
});
