/**
 * Progressive (Kruise) lanes: every member's TrafficRouting carries exactly the lane's header
 * match, so during a release a request in the lane reaches the canary of every released member
 * and the base of every other service; the lane refuses members it cannot drive.
 */
import { Chart, Testing } from 'cdk8s';
import { GrayService, GrayServiceProps, HeaderMatchType, IngressGateway, LaneMode, TrafficLane } from '../../src';
import { reach, simulateRelease } from '../support/kruise-contract';

const H = 'x-lane';
function chart(): Chart {
  return new Chart(Testing.app(), 'test', { disableResourceNameHashes: true });
}
function chain(c: Chart, release = true): GrayService[] {
  const props: GrayServiceProps = { image: 'example/app:1.0', port: 8080, release: release ? {} : undefined };
  const c3 = new GrayService(c, 'c3', props);
  const c2 = new GrayService(c, 'c2', { ...props, calls: [c3] });
  const gateway = new IngressGateway(c, 'gw', { hosts: ['shop.example.com'] });
  const c1 = new GrayService(c, 'c1', { ...props, calls: [c2], gateway });
  return [c1, c2, c3];
}

describe('a progressive lane over a three-service chain', () => {
  const c = chart();
  const services = chain(c);
  const lane = new TrafficLane(c, 'Lane', { name: 'canary', header: H, mode: LaneMode.PROGRESSIVE });
  services.forEach((s) => lane.addMember(s));
  const objects = Testing.synth(c);

  test('every member\'s TrafficRouting carries the same single match: the lane header and value', () => {
    // GIVEN the TrafficRoutings of the members
    const trs = objects.filter((o) => o.kind === 'TrafficRouting');
    expect(trs.map((t) => t.spec.objectRef[0].service).sort()).toEqual(['c1', 'c2', 'c3']);
    // THEN each matches exactly the lane
    for (const tr of trs) expect(tr.spec.strategy.matches).toEqual([{ headers: [{ type: 'Exact', name: H, value: 'canary' }] }]);
    expect(lane.match).toEqual({ name: H, value: 'canary', type: HeaderMatchType.EXACT });
  });

  test('no static lane objects: no lane Deployment, subset or rule', () => {
    expect(objects.filter((o) => o.kind === 'Deployment').map((d) => d.metadata.name).sort()).toEqual(['c1-base', 'c2-base', 'c3-base']);
    for (const dr of objects.filter((o) => o.kind === 'DestinationRule')) expect(dr.spec.subsets.map((s: any) => s.name)).toEqual(['version-base']);
  });

  test('during a release of every member, the lane reaches every canary and other requests every base', () => {
    const released = simulateRelease(objects);
    for (const s of ['c1', 'c2', 'c3']) {
      expect(reach(released, `vs-${s}`, { [H]: 'canary' })).toEqual([`${s}-base-canary`]);
      expect(reach(released, `vs-${s}`, {})).toEqual([`${s}-base`]);
    }
    expect(reach(released, 'vs-c1-gateway', { [H]: 'canary' })).toEqual(['c1-base-canary']);
  });

  test('during a release of c2 only, the lane falls back to base at c1 and c3', () => {
    const released = simulateRelease(objects, ['c2']);
    expect(reach(released, 'vs-c1', { [H]: 'canary' })).toEqual(['c1-base']);
    expect(reach(released, 'vs-c2', { [H]: 'canary' })).toEqual(['c2-base-canary']);
    expect(reach(released, 'vs-c3', { [H]: 'canary' })).toEqual(['c3-base']);
  });

  test('members propagate the header and declare the lane', () => {
    const d = objects.find((o) => o.metadata.name === 'c2-base');
    expect(d.metadata.annotations['gray-release.io/propagate-headers']).toBe(H);
    const vs = objects.find((o) => o.kind === 'VirtualService' && o.metadata.name === 'vs-c2');
    expect(vs.metadata.annotations['gray-release.io/lanes']).toBe(`canary=${H}:canary`);
  });
});

describe('a progressive lane refuses what it cannot drive', () => {
  test('a member without a release', () => {
    const c = chart();
    const [c1] = chain(c, false);
    const lane = new TrafficLane(c, 'Lane', { name: 'canary', header: H, mode: LaneMode.PROGRESSIVE });
    expect(() => lane.addMember(c1)).toThrow(/\[test\/Lane\] addMember: the service c1 has no release.*Fix: give c1 the release prop, or make the lane LaneMode.STATIC/);
  });

  test('a member whose release already matches something else', () => {
    const c = chart();
    const s = new GrayService(c, 's', { image: 'example/app:1.0', port: 8080, release: { matches: [{ name: 'my-request-id', value: 'canary' }] } });
    const lane = new TrafficLane(c, 'Lane', { name: 'canary', header: H, mode: LaneMode.PROGRESSIVE });
    expect(() => lane.addMember(s)).toThrow(/release of s already matches my-request-id: canary; Kruise runs one canary per service/);
  });

  test('a member whose release already matches exactly the lane is accepted, without a second match', () => {
    const c = chart();
    const s = new GrayService(c, 's', { image: 'example/app:1.0', port: 8080, release: { matches: [{ name: H, value: 'canary' }] } });
    new TrafficLane(c, 'Lane', { name: 'canary', header: H, mode: LaneMode.PROGRESSIVE }).addMember(s);
    expect(s.release!.trafficMatches).toEqual([[{ name: H, value: 'canary' }]]);
  });

  test('a service in two progressive lanes (Kruise runs one canary per service)', () => {
    const c = chart();
    const [c1] = chain(c);
    new TrafficLane(c, 'A', { name: 'a', header: H, mode: LaneMode.PROGRESSIVE }).addMember(c1);
    const b = new TrafficLane(c, 'B', { name: 'b', header: H, mode: LaneMode.PROGRESSIVE });
    expect(() => b.addMember(c1)).toThrow(/already matches x-lane: a/);
  });

  test('a match added to a member\'s release after it joined', () => {
    const c = chart();
    const services = chain(c);
    const lane = new TrafficLane(c, 'Lane', { name: 'canary', header: H, mode: LaneMode.PROGRESSIVE });
    services.forEach((s) => lane.addMember(s));
    services[1].release!.addMatch([{ name: 'other', value: 'x' }]);
    expect(() => Testing.synth(c)).toThrow(/\[test\/Lane\] member c2: its release matches x-lane: canary or other: x, not only the lane's x-lane: canary/);
  });

  test('static-lane options and a weighted entry', () => {
    const c = chart();
    const [c1] = chain(c);
    const lane = new TrafficLane(c, 'Lane', { name: 'canary', header: H, mode: LaneMode.PROGRESSIVE });
    expect(() => lane.addMember(c1, { image: 'example/app:2.0' })).toThrow(/addMember: image, env, replicas, resources and deploymentName shape a static lane's Deployment/);
    lane.addMember(c1);
    expect(() => lane.enterByWeight(c1, 10)).toThrow(/enterByWeight: the lane canary is progressive/);
  });
});
