/**
 * Property-based tests over lane names, headers, values, members and entry shares: every input
 * either fails with a clear error (a GrayReleaseError naming the path, prop and fix, or a synth
 * validation naming the construct) or yields manifests that (1) pass conformance against the
 * upstream schemas and (2) route as lanes should: at every service, a request in a lane reaches
 * the lane version if the service is a member and the base otherwise; a request without a lane
 * header reaches the base on the mesh; the base route is last.
 */
import { Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { GrayReleaseError, GrayService, IngressGateway, LaneMode, TrafficLane } from '../../src';
import { conformanceErrors, crdsAvailable } from '../support/conformance';
import { reach, simulateRelease } from '../support/kruise-contract';

const NUM_RUNS = 150;
const SERVICES = ['front', 'middle', 'back'];

interface LaneInput {
  readonly name: string;
  readonly header: string;
  readonly value?: string;
  readonly members: readonly boolean[];
  readonly entry?: number;
}

const dnsish = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,12}[a-z0-9])?$/);
const laneName = fc.oneof({ weight: 10, arbitrary: dnsish }, { weight: 1, arbitrary: fc.string({ maxLength: 70 }) }, { weight: 1, arbitrary: fc.constantFrom('base', 'canary', 'entry', 'a'.repeat(59)) });
const header = fc.oneof({ weight: 5, arbitrary: fc.constantFrom('x-lane', 'my-request-id', 'x-env') }, { weight: 2, arbitrary: fc.stringMatching(/^[a-z0-9][-_a-z0-9]{0,15}$/) },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) }, { weight: 1, arbitrary: fc.constantFrom('Host', 'connection', 'x-envoy-x', 'x:y') });
const value = fc.option(fc.oneof(
  { weight: 3, arbitrary: fc.stringMatching(/^[A-Za-z0-9][-A-Za-z0-9._:=/]{0,20}$/) },
  { weight: 2, arbitrary: fc.string({ minLength: 1, maxLength: 30 }) },
  { weight: 1, arbitrary: fc.fullUnicodeString({ maxLength: 10 }) },
  { weight: 1, arbitrary: fc.constantFrom('', ' x', 'a,b', '50%', 'dev alice', '"quoted"', '\\') },
), { nil: undefined, freq: 2 });
const lane: fc.Arbitrary<LaneInput> = fc.record({
  name: laneName,
  header,
  value,
  members: fc.tuple(fc.boolean(), fc.boolean(), fc.boolean()),
  entry: fc.option(fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 45 }) }, { weight: 1, arbitrary: fc.integer({ min: -5, max: 120 }) }), { nil: undefined }),
  // mostly, only a lane with a version of front enters at front (the others are refused)
  entryAtNonMember: fc.integer({ min: 0, max: 4 }),
}).map(({ entryAtNonMember, ...l }) => ({ ...l, entry: l.members[0] || entryAtNonMember === 0 ? l.entry : undefined }));

/** Builds front -> middle -> back with the lanes; returns the objects, or the error thrown. */
function build(lanes: readonly LaneInput[], mode: LaneMode): { objects?: any[]; error?: Error } {
  try {
    const c = new Chart(Testing.app(), 'fuzz', { disableResourceNameHashes: true });
    const gateway = new IngressGateway(c, 'gw', { hosts: ['shop.example.com'] });
    // progressive: a release for every service some lane takes (a release without matches is an error)
    const release = (j: number) => (mode === LaneMode.PROGRESSIVE && lanes.some((l) => l.members[j]) ? {} : undefined);
    const back = new GrayService(c, 'back', { image: 'example/back:1', port: 8080, release: release(2) });
    const middle = new GrayService(c, 'middle', { image: 'example/middle:1', port: 8080, calls: [back], release: release(1) });
    const front = new GrayService(c, 'front', { image: 'example/front:1', port: 8080, calls: [middle], gateway, release: release(0) });
    const services = [front, middle, back];
    lanes.forEach((l, i) => {
      const tl = new TrafficLane(c, `Lane${i}`, { name: l.name, header: l.header, value: l.value, mode, services });
      l.members.forEach((m, j) => m && tl.addMember(services[j]));
      if (l.entry !== undefined) tl.enterByWeight(front, l.entry);
    });
    return { objects: Testing.synth(c) };
  } catch (e) {
    return { error: e as Error };
  }
}

/** A clear error: ours (path, prop, fix), or cdk8s' validation report of ours. */
function expectClear(error: Error): void {
  if (error instanceof GrayReleaseError) {
    expect(error.message).toMatch(/^\[fuzz(\/[^\]]+)?\] [^:]+: .+\. Fix: .+/s);
  } else {
    expect(error.message).toMatch(/Validation failed with the following errors:\n {2}\[fuzz\/[^\]]+\] [^:]+: .+\. Fix: /);
  }
}

function laneValue(l: LaneInput): string {
  return l.value ?? l.name;
}

const describeIf = crdsAvailable() ? describe : describe.skip;

describeIf('static lanes, arbitrary inputs', () => {
  test('either a clear error, or conformant manifests that route every lane to its members and to base elsewhere', () => {
    let built = 0;
    fc.assert(fc.property(fc.array(lane, { minLength: 1, maxLength: 3 }), (lanes) => {
      const { objects, error } = build(lanes, LaneMode.STATIC);
      if (error) return expectClear(error);
      built++;
      expect(objects!.flatMap((o) => conformanceErrors(o))).toEqual([]);
      for (const [j, s] of SERVICES.entries()) {
        const http = objects!.find((o) => o.metadata.name === `vs-${s}`).spec.http;
        expect(http[http.length - 1].name).toBe('base');
        expect(http.slice(0, -1).every((r: any) => r.match)).toBe(true);
        expect(reach(objects!, `vs-${s}`, {})).toEqual([`${s}-base`]);
        for (const l of lanes) {
          expect(reach(objects!, `vs-${s}`, { [l.header]: laneValue(l) })).toEqual([l.members[j] ? `${s}-${l.name}` : `${s}-base`]);
        }
      }
      // at the gateway, a request in a lane keeps it (never re-split)
      for (const l of lanes) {
        expect(reach(objects!, 'vs-front-gateway', { [l.header]: laneValue(l) })).toEqual([l.members[0] ? `front-${l.name}` : 'front-base']);
      }
    }), { numRuns: NUM_RUNS });
    // the generators are not so hostile that nothing is ever built
    if (process.env.LANE_FUZZ_DEBUG) console.log('built', built);
    expect(built).toBeGreaterThan(NUM_RUNS / 10);
  });
});

describeIf('progressive lanes, arbitrary inputs', () => {
  test('either a clear error, or conformant manifests whose members all match the lane, and route it to their canaries during a release', () => {
    let built = 0;
    fc.assert(fc.property(fc.array(lane.map((l) => ({ ...l, entry: undefined })), { minLength: 1, maxLength: 2 }), (lanes) => {
      const { objects, error } = build(lanes, LaneMode.PROGRESSIVE);
      if (error) return expectClear(error);
      built++;
      expect(objects!.flatMap((o) => conformanceErrors(o))).toEqual([]);
      const released = simulateRelease(objects!);
      for (const l of lanes) {
        for (const [j, s] of SERVICES.entries()) {
          if (!l.members[j]) continue;
          const tr = objects!.find((o) => o.kind === 'TrafficRouting' && o.spec.objectRef[0].service === s);
          expect(tr.spec.strategy.matches).toEqual([{ headers: [{ type: 'Exact', name: l.header, value: laneValue(l) }] }]);
          expect(reach(released, `vs-${s}`, { [l.header]: laneValue(l) })).toEqual([`${s}-base-canary`]);
        }
      }
    }), { numRuns: NUM_RUNS });
    if (process.env.LANE_FUZZ_DEBUG) console.log('built', built);
    expect(built).toBeGreaterThan(NUM_RUNS / 10);
  });
});
