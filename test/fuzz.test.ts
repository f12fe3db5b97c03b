/**
 * Fuzzing (fast-check) of names, labels, header names and values, weights and step lists
 * through every construct. For each generated input, exactly one of:
 *
 * - a refusal that says where, what and how: a `GrayReleaseError`, or a cdk8s validation error
 *   whose every line names a construct path and carries `Fix:`; never any other exception (a
 *   TypeError from deep inside cdk8s, a jsii error, ...);
 * - manifests that pass conformance (upstream CRD schemas, strict; Kubernetes OpenAPI),
 *   OpenKruise Rollout's validating webhook (the independent oracle in support/kruise-webhook.ts)
 *   for every Rollout, and lint with no finding but the warnings the input itself calls for, as an
 *   independent reading of the input predicts them ({@link Justified}): a lane nothing at the
 *   ingress sets (GR009), a header release reachable from a gateway without coloring (GR016), a
 *   lane entered only by client-chosen rules (GR101), a coloring without a gateway in the chart
 *   (GR102). Every other finding on the library's own output is a false positive of lint and
 *   fails the property, and so does a predicted warning lint misses.
 *
 * Seeds and run counts are fixed ({@link FUZZ_RUNS}) so a failure reproduces, and the counts of
 * built and refused inputs are checked so no property is vacuous.
 */
import * as os from 'os';
import { App, Chart, Duration } from 'cdk8s';
import * as fc from 'fast-check';
import {
  CanaryStep, ColoringRule, DynamicSubsetRouting, FallbackPolicy, GrayReleaseError, GrayService, HeaderMatchType, IngressGateway,
  KruiseApiVersion, LaneMode, MeshTarget, Pause, Release, TrafficColoring, TrafficLane,
} from '../src';
import { lint } from '../src/analysis';
import { conformanceErrors, crdsAvailable, MeshFlavour } from './support/conformance';
import { webhookErrors } from './support/kruise-webhook';

/** Seed and number of runs of each property (listed in the hardening note). */
export const FUZZ_RUNS = {
  grayService: { seed: 42, numRuns: 250 },
  trafficLane: { seed: 4242, numRuns: 200 },
  trafficColoring: { seed: 424242, numRuns: 200 },
  dynamicSubset: { seed: 42424242, numRuns: 200 },
} as const;

/** FUZZ_EXPLORE=1 runs ten times as many inputs from a time-based seed (printed on failure), to look for new bugs. */
const EXPLORE = process.env.FUZZ_EXPLORE === '1';

// ---- generators -------------------------------------------------------------------------------

/** Mostly `valid`, sometimes `invalid`: enough inputs survive every check to reach the manifests. */
function mostly<T>(valid: fc.Arbitrary<T>, invalid: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return fc.oneof({ weight: 14, arbitrary: valid }, { weight: 1, arbitrary: invalid });
}

const dns = fc.stringMatching(/^[a-z]([-a-z0-9]{0,14}[a-z0-9])?$/);
const hostile = fc.constantFrom('', 'A', 'Cart', 'a_b', 'a.b', '-a', 'a-', 'x'.repeat(64), '日本', 'a b', '../x', '*', '%', '%s', 'a/b',
  '\n', '\0', 'a\r\nb', '"', '\\', ']]', ';', ',', ' x', 'x ', 'default', 'canary', 'base', 'istio-system/x', 'http://x', '__proto__', 'constructor');
/** Names: mostly DNS labels, some hostile, some anything. */
const name = fc.oneof({ weight: 6, arbitrary: dns }, { weight: 2, arbitrary: hostile }, { weight: 1, arbitrary: fc.string({ maxLength: 10 }) });
const labelKey = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('team', 'tier', 'example.com/owner', 'stage') },
  { weight: 1, arbitrary: fc.constantFrom('version', 'app', 'gray-release.io/lane', 'gray-release.io/workload', 'istio.service.tag', 'Bad Key', '', 'a/b/c', '-x') },
  { weight: 1, arbitrary: name },
);
const labelValue = fc.oneof({ weight: 4, arbitrary: dns }, { weight: 1, arbitrary: hostile });
const labels = fc.dictionary(labelKey, labelValue, { maxKeys: 3 });
const headerName = fc.oneof(
  { weight: 5, arbitrary: fc.stringMatching(/^[a-z0-9][-_a-z0-9]{0,10}$/) },
  { weight: 2, arbitrary: fc.constantFrom('x-lane', 'my-request-id', 'agent') },
  { weight: 2, arbitrary: fc.constantFrom('X-Lane', 'connection', 'x-envoy-foo', 'host', 'cookie', ':path', 'a b', '', 'x\n', 'a:b') },
);
const printable = fc.string({ unit: fc.constantFrom(...'abcXYZ019 -_.:/%,;"\'\\*[]()'.split('')), minLength: 1, maxLength: 12 });
const headerValue = fc.oneof({ weight: 4, arbitrary: dns }, { weight: 2, arbitrary: printable }, { weight: 1, arbitrary: hostile });
const weight = fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 0, max: 100 }) }, { weight: 1, arbitrary: fc.constantFrom(-1, 101, 1.5, NaN, Infinity, 1e9) });
const port = fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 1, max: 65535 }) }, { weight: 1, arbitrary: fc.constantFrom(0, -1, 65536, 80.5, NaN) });
const match = fc.record({ name: headerName, value: headerValue, type: fc.constantFrom(undefined, HeaderMatchType.EXACT) });
const step = fc.oneof(
  fc.tuple(fc.oneof(fc.integer({ min: -1, max: 5 }), fc.constantFrom('20%', '100%', '0%', '150%', 'x%', '50')), fc.option(fc.integer({ min: -5, max: 600 }), { nil: undefined }))
    .map(([r, s]) => CanaryStep.replicas(r, { pause: s === undefined ? Pause.manual() : Pause.for(Duration.seconds(Math.max(s, 0))) })),
  weight.map((w) => CanaryStep.traffic(w)),
  fc.array(match, { minLength: 1, maxLength: 2 }).map((matches) => CanaryStep.of({ matches })),
  fc.constant(CanaryStep.of({})),
);
const steps = fc.array(step, { maxLength: 4 });

// ---- the outcome of one input -----------------------------------------------------------------

type Outcome = { readonly refused: string } | { readonly objects: any[] };

/** Builds and synthesizes in memory; returns the refusal or the objects. Any other exception escapes. */
function outcome(build: (chart: Chart) => void): Outcome {
  const app = new App({ outdir: os.tmpdir() });
  const chart = new Chart(app, 'fuzz', { disableResourceNameHashes: true });
  try {
    build(chart);
    return { objects: chart.toJson().length >= 0 ? parse(app) : [] };
  } catch (e) {
    if (e instanceof GrayReleaseError) {
      expect(e.message).toMatch(/^\[fuzz(\/[^\]]*)?\] [^:]+: .+\. Fix: .+/s);
      return { refused: e.message };
    }
    const message = (e as Error)?.message ?? String(e);
    if (message.startsWith('Validation failed with the following errors:')) {
      const lines = message.split('\n').slice(1);
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) expect(line).toMatch(/^ {2}\[fuzz(\/[^\]]*)?\] [^:]+: .+ Fix: .+/);
      return { refused: message };
    }
    throw e;
  }
}

function parse(app: App): any[] {
  // synthYaml runs the validations, resolves every Lazy value and serializes, like synth().
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const YAML = require('yaml');
  return YAML.parseAllDocuments(app.synthYaml()).map((d: any) => d.toJS()).filter((o: any) => o);
}

/** The lint codes an input calls for (predicted from the input, not from the manifests). */
type Justified<T> = (input: T) => readonly string[];

/** Asserts the objects pass conformance, and lint finds exactly the warnings the input calls for. */
function expectSound(objects: any[], flavour: MeshFlavour = 'istio', justified: readonly string[] = []): void {
  expect(objects.length).toBeGreaterThan(0);
  if (crdsAvailable()) expect(objects.flatMap((o) => conformanceErrors(o, flavour))).toEqual([]);
  const findings = lint(objects);
  expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
  expect([...new Set(findings.map((f) => f.code))].sort()).toEqual([...new Set(justified)].sort());
  const rollouts = objects.filter((o) => o.kind === 'Rollout');
  for (const r of rollouts) expect(webhookErrors(r, rollouts)).toEqual([]);
  const json = JSON.stringify(objects);
  expect(json).not.toMatch(/undefined|NaN|Infinity|\[object Object\]/);
}

/** Runs `property` over `arb`, counting refusals and built charts, and checks neither count is zero. */
function fuzz<T>(
  arb: fc.Arbitrary<T>, run: { seed: number; numRuns: number }, build: (chart: Chart, input: T) => void,
  flavour: (input: T) => MeshFlavour = () => 'istio', justified: Justified<T> = () => [],
): void {
  let built = 0;
  let refused = 0;
  fc.assert(fc.property(arb, (input) => {
    const o = outcome((c) => build(c, input));
    if ('refused' in o) {
      refused++;
    } else {
      built++;
      expectSound(o.objects, flavour(input), justified(input));
    }
  }), { seed: EXPLORE ? Date.now() : run.seed, numRuns: run.numRuns * (EXPLORE ? 10 : 1) });
  if (EXPLORE) console.log(`built ${built}, refused ${refused}`); // eslint-disable-line no-console
  expect(built).toBeGreaterThan(run.numRuns / 10);
  expect(refused).toBeGreaterThan(run.numRuns / 10);
}

// ---- properties ---------------------------------------------------------------------------------

describe('fuzz: every input is refused clearly or yields conforming, lint-clean manifests', () => {
  test(`GrayService (+gateway, +release): seed ${FUZZ_RUNS.grayService.seed}, ${FUZZ_RUNS.grayService.numRuns} runs`, () => {
    const validSteps = fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 4 }).map((ws) => ws.sort((a, b) => a - b).map((w) => CanaryStep.traffic(w)));
    const laneSteps = fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 3 }).map((rs) => rs.sort((a, b) => a - b).map((r) => CanaryStep.replicas(r)));
    const laneRelease = fc.record({
      steps: fc.option(mostly(laneSteps, steps), { nil: undefined }),
      weight: fc.option(weight, { nil: undefined, freq: 10 }),
      matches: fc.option(fc.array(mostly(fc.record({ name: fc.constantFrom('x-lane', 'x-user'), value: dns }), match), { maxLength: 2 }), { nil: undefined }),
      canaryVersion: fc.option(mostly(dns, labelValue), { nil: undefined }),
    });
    const canaryRelease = fc.record({
      steps: mostly(validSteps, steps),
      apiVersion: fc.constantFrom(KruiseApiVersion.V1ALPHA1, KruiseApiVersion.V1BETA1),
      canaryVersion: fc.option(mostly(dns, labelValue), { nil: undefined }),
    }).map((o) => Release.canary(o));
    const input = fc.record({
      name: mostly(dns, name),
      namespace: fc.option(mostly(dns, name), { nil: undefined }),
      port: mostly(fc.integer({ min: 1, max: 65535 }), port),
      replicas: fc.option(mostly(fc.integer({ min: 0, max: 5 }), fc.constantFrom(-1, 2.5)), { nil: undefined }),
      image: mostly(fc.constantFrom('example/app:1.0', 'registry.example.com:5000/team/app@sha256:' + 'a'.repeat(64)), hostile),
      podLabels: mostly(fc.dictionary(fc.constantFrom('team', 'tier', 'example.com/owner'), dns, { maxKeys: 2 }), labels),
      versionLabel: fc.option(mostly(fc.constantFrom('version', 'track'), labelKey), { nil: undefined }),
      baseVersion: fc.option(mostly(dns, labelValue), { nil: undefined }),
      calls: fc.array(mostly(dns, hostile), { maxLength: 3 }),
      exposed: fc.boolean(),
      gatewayHosts: fc.option(fc.array(mostly(fc.constantFrom('shop.example.com', 'a.example.com', 'b.example.com'), fc.oneof(hostile, fc.constant('*'))), { maxLength: 2 }), { nil: undefined }),
      release: fc.option(fc.oneof(laneRelease, canaryRelease), { nil: undefined }),
    });
    fuzz(input, FUZZ_RUNS.grayService, (c, p) => {
      const gateway = p.exposed ? new IngressGateway(c, 'gw', { hosts: ['shop.example.com', '*.example.com'] }) : undefined;
      const callee = new GrayService(c, 'callee', { image: 'example/callee:1', port: 80 });
      new GrayService(c, 'svc', { ...p, calls: [...p.calls, callee], gateway, gatewayHosts: p.exposed || p.gatewayHosts?.length === 0 ? p.gatewayHosts : undefined });
    }, undefined, (p) => {
      // GR016: a release by header, reachable from a gateway where nothing sets the header. The gateway
      // (no namespace) is referred to by its short name, which Istio resolves in the route's own namespace:
      // a service in another namespace is not reachable from it (IngressGateway.refFrom).
      const bound = p.exposed && (p.namespace === undefined || p.namespace === 'default');
      return bound && (p.release?.matches ?? []).length > 0 ? ['GR016'] : [];
    });
  });

  test(`TrafficLane (static, progressive, weighted entry, coloring entry): seed ${FUZZ_RUNS.trafficLane.seed}, ${FUZZ_RUNS.trafficLane.numRuns} runs`, () => {
    const lane = fc.record({
      name: mostly(fc.constantFrom('dev', 'qa', 'beta', 'alice-7f3c'), name),
      header: mostly(fc.constantFrom('x-lane', 'my-request-id'), headerName),
      value: fc.option(mostly(fc.constantFrom('v-1', 'v 2', 'QA'), headerValue), { nil: undefined }),
    });
    const input = fc.record({
      lanes: fc.uniqueArray(lane, { minLength: 1, maxLength: 3, selector: (l) => l.name }),
      progressive: fc.boolean(),
      members: fc.array(fc.subarray([0, 1, 2], { minLength: 1 }), { minLength: 3, maxLength: 3 }),
      entry: fc.option(fc.tuple(fc.integer({ min: 0, max: 2 }), mostly(fc.integer({ min: 1, max: 40 }), weight)), { nil: undefined }),
      coloring: fc.option(fc.tuple(fc.integer({ min: 0, max: 2 }), mostly(fc.constant(true), fc.constant(false))), { nil: undefined }),
      propagate: mostly(fc.constant(true), fc.constant(false)),
    });
    fuzz(input, FUZZ_RUNS.trafficLane, (c, p) => {
      const gateway = new IngressGateway(c, 'gw', { hosts: ['shop.example.com'] });
      const release = p.progressive ? Release.lanes() : undefined;
      const back = new GrayService(c, 'back', { image: 'example/back:1', port: 80, release });
      const middle = new GrayService(c, 'middle', { image: 'example/middle:1', port: 80, calls: [back], release });
      const front = new GrayService(c, 'front', { image: 'example/front:1', port: 80, calls: [middle], gateway, release });
      const services = [front, middle, back];
      const mode = p.progressive ? LaneMode.PROGRESSIVE : LaneMode.STATIC;
      // One progressive lane at most: Kruise runs one canary per service.
      const lanes = (p.progressive ? p.lanes.slice(0, 1) : p.lanes).map((l, i) => new TrafficLane(c, `lane${i}`, { ...l, mode, services: p.propagate ? services : [] }));
      lanes.forEach((l, i) => p.members[i].forEach((m) => l.addMember(services[m])));
      if (p.entry && lanes[p.entry[0]]) lanes[p.entry[0]].enterByWeight(front, p.entry[1]);
      if (p.coloring && lanes[p.coloring[0]]) {
        const l = lanes[p.coloring[0]];
        l.enterByColoring(new TrafficColoring(c, 'coloring', { header: l.header, rules: [ColoringRule.headerEquals('agent', 'pc', p.coloring[1] ? l.value : 'other')] }));
      }
    }, undefined, (p) => {
      // What sets a lane header at the ingress: the coloring (its lane's header), the weighted entry (its lane's).
      const used = p.progressive ? p.lanes.slice(0, 1) : p.lanes;
      const set = new Set([p.coloring, p.entry].flatMap((e) => (e && used[e[0]] ? [used[e[0]].header] : [])));
      const unset = used.filter((l) => !set.has(l.header));
      // GR101: the coloring (agent: pc, a header any client can send) is its lane's only entry, unless a
      // weighted entry also puts requests into that lane (same header and value).
      const colored = p.coloring && used[p.coloring[0]];
      const valueOf = (l: (typeof used)[number]) => l.value ?? l.name;
      const weighted = p.entry && used[p.entry[0]];
      const clientChosenOnly = colored && !(weighted && weighted.header === colored.header && valueOf(weighted) === valueOf(colored));
      // GR009: a lane nobody at the ingress puts requests into; GR016: the same for a release by header.
      return [...(unset.length > 0 ? ['GR009'] : []), ...(p.progressive && unset.length > 0 ? ['GR016'] : []), ...(clientChosenOnly ? ['GR101'] : [])];
    });
  });

  test(`TrafficColoring: seed ${FUZZ_RUNS.trafficColoring.seed}, ${FUZZ_RUNS.trafficColoring.numRuns} runs`, () => {
    const h = mostly(fc.constantFrom('agent', 'x-user', 'user-agent'), headerName);
    const v = mostly(fc.oneof(dns, printable), headerValue);
    const lv = mostly(fc.constantFrom('canary', 'base', 'alice'), headerValue);
    const rule = fc.oneof(
      fc.tuple(h, v, lv).map(([hh, vv, l]) => ColoringRule.headerEquals(hh, vv, l)),
      fc.tuple(h, v, lv).map(([hh, vv, l]) => ColoringRule.headerPrefix(hh, vv, l)),
      fc.tuple(h, lv).map(([hh, l]) => ColoringRule.headerPresent(hh, l)),
      fc.tuple(mostly(dns, hostile), mostly(dns, headerValue), lv).map(([n, vv, l]) => ColoringRule.cookieEquals(n, vv, l)),
    );
    const input = fc.record({
      header: mostly(fc.constantFrom('x-lane', 'my-request-id'), headerName),
      rules: fc.array(rule, { maxLength: 3 }),
      defaultValue: fc.option(lv, { nil: undefined }),
      trustClientHeader: fc.boolean(),
      gatewaySelector: fc.option(mostly(fc.constant({ app: 'istio-ingressgateway' }), labels), { nil: undefined }),
      namespace: fc.option(mostly(dns, name), { nil: undefined }),
      name: fc.option(mostly(dns, name), { nil: undefined }),
    });
    fuzz(input, FUZZ_RUNS.trafficColoring, (c, p) => {
      new TrafficColoring(c, 'coloring', p);
    }, undefined, () => ['GR102']); // a coloring alone: no Gateway in the chart for it to color
  });

  test(`DynamicSubsetRouting (ASM and Istio targets): seed ${FUZZ_RUNS.dynamicSubset.seed}, ${FUZZ_RUNS.dynamicSubset.numRuns} runs`, () => {
    const key = mostly(fc.constantFrom('version', 'stage'), fc.oneof(labelKey, fc.constantFrom('%ip%', '%bad%', 'zone')));
    const value = mostly(fc.constantFrom('v1', 'v2', 'dev', 'prod'), labelValue);
    const selectors = fc.array(fc.record({
      keys: fc.uniqueArray(key, { minLength: 1, maxLength: 2 }),
      fallbackPolicy: fc.constantFrom(undefined, FallbackPolicy.ANY_ENDPOINT, FallbackPolicy.NO_FALLBACK, FallbackPolicy.DEFAULT_SUBSET),
    }), { minLength: 1, maxLength: 2 });
    const input = fc.record({
      target: fc.constantFrom(MeshTarget.ASM, MeshTarget.ISTIO),
      service: fc.record({ name: mostly(fc.constantFrom('hello', 'cart'), name), namespace: fc.option(mostly(dns, name), { nil: undefined }), port: mostly(fc.constant(5000), port) }),
      workloads: fc.array(fc.record({ name: dns, podLabels: fc.dictionary(fc.constantFrom('version', 'stage', 'zone'), value, { minKeys: 1, maxKeys: 3 }) }), { minLength: 1, maxLength: 4 }),
      subsetSelectors: selectors,
      // Headers: x-<key> for every key of the selectors (derived below), sometimes with a default, sometimes a hostile header.
      defaults: fc.dictionary(fc.constantFrom('version', 'stage'), value, { maxKeys: 2 }),
      badHeader: fc.option(headerName, { nil: undefined, freq: 10 }),
      fallbackPolicy: fc.constantFrom(undefined, FallbackPolicy.ANY_ENDPOINT, FallbackPolicy.NO_FALLBACK, FallbackPolicy.DEFAULT_SUBSET),
      defaultSubset: fc.option(fc.dictionary(fc.constantFrom('version', 'stage'), value, { minKeys: 1, maxKeys: 2 }), { nil: undefined }),
    });
    fuzz(input, FUZZ_RUNS.dynamicSubset, (c, p) => {
      const keys = [...new Set(p.subsetSelectors.flatMap((s) => s.keys))];
      const headerMappings = keys.map((k, i) => ({ header: i === 0 && p.badHeader !== undefined ? p.badHeader : `x-${k.replace(/[^a-z0-9]/g, '')}`, key: k, defaultValue: (p.defaults as Record<string, string>)[k] }));
      new DynamicSubsetRouting(c, 'routing', { ...p, headerMappings });
    }, (p) => (p.target === MeshTarget.ASM ? 'asm' : 'istio'));
  });
});
