/**
 * Synth-time validations compute once per synth (src/constructs/state.ts): cdk8s validates the
 * whole app in `App.synth()` and again in every `Chart.toJson()`, and the library's checks
 * (registered with `addChecks`) answer the later passes from the first one, as long as nothing
 * they read has changed. Counted by wrapping every check registered through `addChecks`.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import {
  ArgoCdApplication, CanaryStep, ColoringRule, DynamicSubsetRouting, FallbackPolicy, GrayService, IngressGateway, MeshTarget, Release, TrafficColoring, TrafficLane,
} from '../../src';
import * as state from '../../src/constructs/core/state';

const IMAGE = 'registry.example.com/shop/app:1.0';

/** Runs of each check by the path of the construct that registered it (`#2` for its second check). */
type Runs = Map<string, number>;

let runs: Runs;
let spy: jest.SpyInstance;

beforeEach(() => {
  runs = new Map();
  const original = state.addChecks;
  spy = jest.spyOn(state, 'addChecks').mockImplementation((construct: IConstruct, check, inputs) => {
    let at = construct.node.path;
    for (let i = 2; runs.has(at); i++) at = `${construct.node.path}#${i}`;
    runs.set(at, 0);
    original(construct, () => {
      runs.set(at, runs.get(at)! + 1);
      return check();
    }, inputs);
  });
});

afterEach(() => spy.mockRestore());

interface Shop {
  readonly app: App;
  readonly front: GrayService;
  readonly cart: GrayService;
  readonly edge: GrayService;
  readonly lane: TrafficLane;
  readonly versions: kplus.Deployment[];
}

/**
 * One construct of every kind that registers checks: services (one exposed, one released), a
 * lane entered by a coloring, a dynamic-subset routing over cdk8s-plus Deployments, an Argo CD
 * Application over the chart. Valid as built.
 */
function shop(): Shop {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'gray-release-state-')) });
  const chart = new Chart(app, 'shop', { namespace: 'shop', disableResourceNameHashes: true });
  const gateway = new IngressGateway(chart, 'gw', { hosts: ['shop.example.com'] });
  const front = new GrayService(chart, 'front', { image: IMAGE, port: 8080, gateway, calls: ['cart'] });
  const cart = new GrayService(chart, 'cart', { image: IMAGE, port: 8080, release: Release.canary({ steps: [CanaryStep.traffic(10)] }) });
  const edge = new GrayService(chart, 'edge', { image: IMAGE, port: 8080 });
  const lane = new TrafficLane(chart, 'lane-dev', { name: 'dev', header: 'x-lane', services: [front] });
  lane.addMember(cart);
  lane.enterByColoring(new TrafficColoring(chart, 'coloring', { header: 'x-lane', rules: [ColoringRule.headerEquals('x-agent', 'qa', 'dev')] }));
  const versions = ['v1', 'v2'].map((version) => {
    const labels = { app: 'hello', version };
    const d = new kplus.Deployment(chart, `hello-${version}`, {
      podMetadata: { labels },
      select: false,
      containers: [{ image: IMAGE, portNumber: 5000, securityContext: { ensureNonRoot: true, user: 1000 } }],
    });
    d.select(kplus.LabelSelector.of({ labels }));
    return d;
  });
  new DynamicSubsetRouting(chart, 'hello', {
    target: MeshTarget.ISTIO,
    service: { name: 'hello', port: 5000 },
    workloads: versions,
    subsetSelectors: [{ keys: ['version'], fallbackPolicy: FallbackPolicy.DEFAULT_SUBSET }],
    headerMappings: [{ header: 'x-version', key: 'version' }],
    defaultSubset: { version: 'v1' },
  });
  const argo = new Chart(app, 'argo');
  new ArgoCdApplication(argo, 'app', { repoURL: 'https://example.com/shop.git', path: 'dist/shop', charts: [chart] });
  return { app, front, cart, edge, lane, versions };
}

/** The paths whose check ran `times` times, and the others with their counts. */
const every = (times: number): Record<string, number> => Object.fromEntries([...runs.keys()].map((k) => [k, times]));

describe('each validation computes once per synth', () => {
  test('the counter sees a check of every construct kind that has one', () => {
    shop();
    expect([...runs.keys()].sort()).toEqual(['argo/app', 'shop/cart', 'shop/cart#2', 'shop/cart/Release', 'shop/coloring', 'shop/edge', 'shop/front', 'shop/gw', 'shop/hello', 'shop/lane-dev']);
  });

  test('one app.synth(): every check runs once, though cdk8s validates each construct in several passes', () => {
    const { app, cart } = shop();
    const validate = jest.spyOn(cart.node, 'validate');
    app.synth();
    // App.synth() validates once, then once more in each chart's toJson() (two charts here).
    expect(validate.mock.calls.length).toBeGreaterThanOrEqual(3);
    expect(Object.fromEntries(runs)).toEqual(every(1));
  });

  test('a second synth with nothing changed reuses the results', () => {
    const { app } = shop();
    app.synth();
    app.synth();
    expect(Object.fromEntries(runs)).toEqual(every(1));
  });

  test.each([
    ['service.addCall', (s: Shop) => s.front.addCall('payments')],
    ['lane.addMember', (s: Shop) => s.lane.addMember(s.edge)],
    ['lane.addPropagator', (s: Shop) => s.lane.addPropagator(s.edge)],
    ['service.propagateHeader', (s: Shop) => s.edge.propagateHeader('x-tenant')],
  ])('a change through the library (%s) between two synths: every check runs again, once', (_name, change) => {
    const s = shop();
    s.app.synth();
    change(s);
    s.app.synth();
    expect(Object.fromEntries(runs)).toEqual(every(2));
  });

  test('the check after a change sees it: a new call on the lane path without the header fails the second synth', () => {
    const s = shop();
    s.app.synth();
    // edge now calls front, which leads to the lane member cart, and edge does not propagate x-lane.
    s.edge.addCall('front');
    expect(() => s.app.synth()).toThrow(/\[shop\/lane-dev\] services: edge calls front, on the path to the lane dev, but does not propagate x-lane/);
  });

  test('a label added through cdk8s-plus to a workload of a DynamicSubsetRouting: its check runs again, the others do not', () => {
    const s = shop();
    s.app.synth();
    s.versions[0].podMetadata.addLabel('team', 'checkout');
    s.app.synth();
    expect(Object.fromEntries(runs)).toEqual({ ...every(1), 'shop/hello': 2 });
  });

  test('the dynamic-subset check after a label change sees it: the default subset no longer exists', () => {
    const s = shop();
    s.app.synth();
    // The only version v1 pods become v3: the default subset (version v1) selects no pod.
    s.versions[0].podMetadata.addLabel('version', 'v3');
    expect(() => s.app.synth()).toThrow(/\[shop\/hello\] defaultSubset: \{"version":"v1"\} matches no workload/);
  });
});
