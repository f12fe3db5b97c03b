/**
 * Rows of the bad-input table (test/bad-inputs.test.ts) for Kruise releases (OpenKruise
 * Rollout's validating webhook, rules R1-R25 of the notes) and Argo CD (sync safety,
 * ApplicationSet), and the row type the table shares.
 */
import { ApiObject, App, Chart, JsonPatch } from 'cdk8s';
import {
  applySyncWaves, ArgoCdApplication, ArgoCdApplicationSet, CanaryStep, ClusterGenerator, GrayService, GrayServiceProps, IngressGateway, KruiseApiVersion,
  KruiseControllerVersion, KruiseRelease, LaneMode, Release, RolloutStyle, TrafficLane,
} from '../../src';

/** One input the library must refuse. */
export interface BadInput {
  /** The construct (or function) that must refuse the input. */
  readonly construct: 'GrayService' | 'IngressGateway' | 'GatewayRoutes' | 'Kruise steps' | 'Kruise release' | 'TrafficLane' | 'TrafficColoring' | 'DynamicSubsetRouting' | 'ArgoCdApplication'
    | 'ArgoCdApplicationSet' | 'sync waves' | 'JwtIssuer' | 'ZeroTrust' | 'ProxyScoping';
  /** What is wrong, in a few words (the test name). */
  readonly what: string;
  /** Builds the bad chart (may throw). */
  readonly build: (c: Chart, app: App) => void;
  /** The construct path the error must name, below the chart `test`. */
  readonly at: string;
  /** The prop the error must name. */
  readonly prop: string;
  /** What the message must also say. */
  readonly message: RegExp;
}

const SVC: GrayServiceProps = { image: 'example/app:1.0', port: 8080 };
const H = 'x-lane';
const progressive = (c: Chart, id: string, release: GrayServiceProps['release'] = {}) => new GrayService(c, id, { ...SVC, release });
export const LANE_MATCH = [{ name: H, value: 'canary' }];
/** A canary release of `svc` with these steps (v1beta1 unless given). */
const canary = (c: Chart, steps: CanaryStep[], options: object = {}) => new GrayService(c, 'svc', { ...SVC, release: Release.canary({ apiVersion: KruiseApiVersion.V1BETA1, steps, ...options }) });
const HEADER_STEP = CanaryStep.match([{ name: H, value: 'canary' }], { replicas: 1 });
const applicationSet = (c: Chart, app: App, props: object = {}) => {
  const synced = new Chart(app, 'shop');
  new GrayService(synced, 'svc', SVC);
  return new ArgoCdApplicationSet(c, 'set', { repoURL: 'https://example.com/repo.git', path: 'dist/shop', charts: [synced], clusters: ClusterGenerator.list([{ name: 'a', server: 'https://a.example.com' }]), ...props });
};
/** A chart `shop` with a released service, for the Argo CD rows. */
const releasedChart = (app: App) => {
  const synced = new Chart(app, 'shop', { disableResourceNameHashes: true });
  new GrayService(synced, 'svc', { ...SVC, release: Release.canary({ steps: [CanaryStep.traffic(10)] }) });
  return synced;
};
/** Kruise steps and releases. */
export const KRUISE_CASES: BadInput[] = [
  // ---- Kruise steps (OpenKruise Rollout's validating webhook, R1-R18 of the notes) -----------
  { construct: 'Kruise steps', what: 'no step (R1)', build: (c) => canary(c, []), at: 'svc', prop: 'release.steps', message: /no step given.*Canary.Steps cannot be empty/ },
  { construct: 'Kruise steps', what: 'a lane release without steps (R1)', build: (c) => progressive(c, 'svc', { matches: LANE_MATCH, steps: [] }), at: 'svc', prop: 'release.steps', message: /no step given/ },
  { construct: 'Kruise steps', what: 'v1beta1 header step without replicas (R2, the issue\'s finding)', build: (c) => canary(c, [CanaryStep.match(LANE_MATCH)]), at: 'svc', prop: 'release.steps', message: /step 1 has no replicas.*replicas cannot be empty/ },
  { construct: 'Kruise steps', what: 'v1alpha1 step with neither replicas nor traffic (R3)', build: (c) => canary(c, [CanaryStep.match(LANE_MATCH)], { apiVersion: KruiseApiVersion.V1ALPHA1 }), at: 'svc', prop: 'release.steps', message: /weight and replicas cannot be empty at the same time/ },
  { construct: 'Kruise steps', what: 'replicas 0 (R4)', build: (c) => canary(c, [CanaryStep.match(LANE_MATCH, { replicas: 0 })]), at: 'svc', prop: 'release.steps', message: /step 1 has replicas 0.*replicas must be positive number/ },
  { construct: 'Kruise steps', what: 'replicas of 150% (R4)', build: (c) => canary(c, [CanaryStep.traffic(10, { replicas: '150%' })]), at: 'svc', prop: 'release.steps', message: /"150%"/ },
  { construct: 'Kruise steps', what: 'replicas that are not a percentage string (R4)', build: (c) => progressive(c, 'svc', { matches: LANE_MATCH, steps: [CanaryStep.replicas('50')] }), at: 'svc', prop: 'release.steps', message: /replicas "50"/ },
  { construct: 'Kruise steps', what: 'replicas that go down (R5)', build: (c) => canary(c, [CanaryStep.traffic(20, { replicas: '50%' }), CanaryStep.traffic(50, { replicas: '20%' })]), at: 'svc', prop: 'release.steps', message: /step 2 has fewer canary replicas.*non decreasing/ },
  { construct: 'Kruise steps', what: 'traffic that goes down (R12)', build: (c) => canary(c, [CanaryStep.traffic(50), CanaryStep.traffic(20, { replicas: '50%' })]), at: 'svc', prop: 'release.steps', message: /step 2 has less traffic.*Steps.Weight must be a non decreasing sequence/ },
  { construct: 'Kruise steps', what: 'traffic 0% (R6)', build: (c) => canary(c, [CanaryStep.traffic(0, { replicas: 1 })]), at: 'svc', prop: 'release.steps', message: /traffic 0.*"0%" < traffic <= "100%"/ },
  { construct: 'Kruise steps', what: 'traffic over 100% (R6, R11)', build: (c) => canary(c, [CanaryStep.traffic(150, { replicas: 1 })], { apiVersion: KruiseApiVersion.V1ALPHA1 }), at: 'svc', prop: 'release.steps', message: /traffic 150/ },
  { construct: 'Kruise steps', what: 'partition style routing with replicas over 50% (R8)', build: (c) => canary(c, [CanaryStep.traffic(60)], { style: RolloutStyle.PARTITION }), at: 'svc', prop: 'release.steps', message: /60% of the pods in partition style.*partition-percent-limit/ },
  { construct: 'Kruise steps', what: 'v1alpha1 partition style header step with replicas over 50% (R9)', build: (c) => canary(c, [CanaryStep.match(LANE_MATCH, { replicas: '80%' })], { style: RolloutStyle.PARTITION, apiVersion: KruiseApiVersion.V1ALPHA1 }), at: 'svc', prop: 'release.steps', message: /partition style/ },
  { construct: 'Kruise steps', what: 'a step matching an uppercase header', build: (c) => canary(c, [CanaryStep.match([{ name: 'X-Lane', value: 'canary' }], { replicas: 1 })]), at: 'svc', prop: 'release.steps', message: /step 1 matches: "X-Lane" is not a lowercase header name/ },
  { construct: 'Kruise steps', what: 'a step matching an empty value', build: (c) => canary(c, [CanaryStep.match([{ name: H, value: '' }], { replicas: 1 })]), at: 'svc', prop: 'release.steps', message: /empty, longer than 4096 characters or not printable/ },
  { construct: 'Kruise steps', what: 'a step matching 17 headers (CRD limit 16, R25)', build: (c) => canary(c, [CanaryStep.match(Array.from({ length: 17 }, (_, i) => ({ name: `x-h${i}`, value: 'a' })), { replicas: 1 })]), at: 'svc', prop: 'release.steps', message: /17 header conditions/ },
  { construct: 'Kruise steps', what: 'a step with nothing in it', build: (c) => progressive(c, 'svc', { matches: LANE_MATCH, steps: [CanaryStep.of({})] }), at: 'svc', prop: 'release.steps', message: /step 1 has no replicas/ },
  { construct: 'Kruise steps', what: 'traffic and matches in one step (matches win in Kruise\'s script)', build: (c) => canary(c, [CanaryStep.of({ matches: LANE_MATCH, traffic: 20 })]), at: 'svc', prop: 'release.steps', message: /both traffic and header matches/ },
  { construct: 'Kruise steps', what: 'a step routing nothing after a routing step', build: (c) => canary(c, [CanaryStep.traffic(50), CanaryStep.replicas('100%')]), at: 'svc', prop: 'release.steps', message: /step 2 has neither traffic nor matches after a step that routes/ },
  { construct: 'Kruise steps', what: 'a canary release whose steps never route', build: (c) => canary(c, [CanaryStep.replicas(1)]), at: 'svc', prop: 'release.steps', message: /no step has traffic or header matches/ },
  { construct: 'Kruise steps', what: 'a requestHeaderModifier on a traffic step (R24)', build: (c) => canary(c, [CanaryStep.traffic(10, { requestHeaderModifier: { set: { 'x-canary': '1' } } })]), at: 'svc', prop: 'release.steps', message: /requestHeaderModifier but no header matches/ },
  { construct: 'Kruise steps', what: 'a requestHeaderModifier for Kruise v0.5 (R24)', build: (c) => canary(c, [CanaryStep.match(LANE_MATCH, { replicas: 1, requestHeaderModifier: { remove: ['x-debug'] } })], { controllerVersion: KruiseControllerVersion.V0_5 }), at: 'svc', prop: 'release.steps', message: /Kruise v0.5 ignores/ },
  { construct: 'Kruise steps', what: 'per-step traffic in a lane release', build: (c) => progressive(c, 'svc', { matches: LANE_MATCH, steps: [CanaryStep.traffic(20, { replicas: 1 })] }), at: 'svc', prop: 'release.steps', message: /route nothing.*Fix: use Release.canary/ },
  { construct: 'Kruise steps', what: 'per-step matches in a lane release', build: (c) => progressive(c, 'svc', { matches: LANE_MATCH, steps: [HEADER_STEP] }), at: 'svc', prop: 'release.steps', message: /step matches route nothing.*Fix: use Release.canary/ },

  // ---- Kruise release ----------------------------------------------------------------------
  { construct: 'Kruise release', what: 'a weight in a lane release (503 before the canary is ready)', build: (c) => progressive(c, 'svc', { matches: LANE_MATCH, weight: 20 }), at: 'svc', prop: 'release.weight', message: /before any canary pod is ready.*Fix: use Release.canary/ },
  { construct: 'Kruise release', what: 'disableGenerateCanaryService on Kruise v0.5', build: (c) => canary(c, [HEADER_STEP], { disableGenerateCanaryService: true, controllerVersion: KruiseControllerVersion.V0_5 }), at: 'svc', prop: 'release.disableGenerateCanaryService', message: /Kruise v0.5 has no such field/ },
  { construct: 'Kruise release', what: 'disableGenerateCanaryService in partition style (R22)', build: (c) => canary(c, [HEADER_STEP], { disableGenerateCanaryService: true, style: RolloutStyle.PARTITION }), at: 'svc', prop: 'release.disableGenerateCanaryService', message: /partition style Kruise never labels/ },
  { construct: 'Kruise release', what: 'a negative grace period (R15)', build: (c) => canary(c, [HEADER_STEP], { gracePeriodSeconds: -1 }), at: 'svc', prop: 'release.gracePeriodSeconds', message: /GracePeriodSeconds cannot be negative/ },
  {
    construct: 'Kruise release',
    what: 'more than one trafficRouting, through the escape hatch (R14)',
    build: (c) => {
      const svc = canary(c, [HEADER_STEP]);
      svc.release!.apiObject.addJsonPatch(JsonPatch.add('/spec/strategy/canary/trafficRoutings/1', { service: 'other', customNetworkRefs: [{ apiVersion: 'networking.istio.io/v1beta1', kind: 'VirtualService', name: 'vs-other' }] }));
    },
    at: 'svc/Release',
    prop: 'spec.strategy.canary.trafficRoutings',
    message: /Rollout currently only support single TrafficRouting/,
  },
  {
    construct: 'Kruise release',
    what: 'two Rollouts for one workload (R18)',
    build: (c) => {
      const svc = canary(c, [HEADER_STEP]);
      new KruiseRelease(c, 'extra', {
        deploymentName: svc.names.deployment,
        serviceName: 'svc',
        networkRefs: [{ apiVersion: 'networking.istio.io/v1beta1', kind: 'VirtualService', name: 'vs-svc' }],
        release: Release.canary({ steps: [CanaryStep.traffic(10)] }),
        canaryLabels: {},
        rolloutName: 'other',
      });
    },
    at: 'extra',
    prop: 'deploymentName',
    message: /svc-base is also released by test\/svc\/Release/,
  },
  {
    construct: 'Kruise release',
    what: 'a match-less route with two destinations on the host, for traffic steps (R23)',
    build: (c) => {
      const svc = canary(c, [CanaryStep.traffic(20)]);
      svc.virtualService.addJsonPatch(JsonPatch.add('/spec/http/0/route/1', { destination: { host: 'svc', subset: 'version-base' }, weight: 50 }));
    },
    at: 'svc',
    prop: 'release.steps',
    message: /2 destinations on svc.*selects such a rule once per destination/,
  },
  {
    construct: 'Kruise release',
    what: 'traffic steps on a service with a weighted lane entry (the entry rule takes the requests first)',
    build: (c) => {
      const gw = new IngressGateway(c, 'gw', { hosts: ['shop.example.com'] });
      const svc = new GrayService(c, 'svc', { ...SVC, gateway: gw, release: Release.canary({ steps: [CanaryStep.traffic(20)] }) });
      const lane = new TrafficLane(c, 'lane', { name: 'dev', header: H });
      lane.addMember(svc); lane.enterByWeight(svc, 10);
    },
    at: 'svc',
    prop: 'release.steps',
    message: /weighted lane entry at the gateway \(dev\)/,
  },
  {
    construct: 'Kruise release',
    what: 'a caller that does not propagate the header a canary release matches on',
    build: (c) => {
      const back = canary(c, [HEADER_STEP]); new GrayService(c, 'front', { ...SVC, calls: [back] });
    },
    at: 'svc',
    prop: 'release.steps',
    message: /front calls svc, on the path to the release of svc, but does not propagate x-lane/,
  },
  {
    construct: 'Kruise release',
    what: 'a caller that does not propagate the header a lane release matches on',
    build: (c) => {
      const back = progressive(c, 'back', { matches: LANE_MATCH }); new GrayService(c, 'front', { ...SVC, calls: [back] });
    },
    at: 'back',
    prop: 'release.matches',
    message: /front calls back, on the path to the release of back, but does not propagate x-lane/,
  },
  {
    construct: 'Kruise release',
    what: 'a progressive lane member with a canary release',
    build: (c) => new TrafficLane(c, 'lane', { name: 'dev', header: H, mode: LaneMode.PROGRESSIVE }).addMember(canary(c, [HEADER_STEP])),
    at: 'lane',
    prop: 'addMember',
    message: /is a canary release.*Fix: give svc release: Release.lanes\(\)/,
  },
];

/** Argo CD with Kruise releases, and ApplicationSets. */
export const ARGOCD_CASES: BadInput[] = [
  {
    construct: 'ArgoCdApplication',
    what: 'PruneLast with Kruise Rollouts (the sync waits for a paused Deployment)',
    build: (c, app) => new ArgoCdApplication(c, 'argo', { repoURL: 'https://example.com/r.git', path: 'dist', charts: [releasedChart(app)], extraSyncOptions: ['PruneLast=true'] }),
    at: 'argo',
    prop: 'extraSyncOptions',
    message: /PruneLast=true puts every prune task/,
  },
  {
    construct: 'ArgoCdApplication',
    what: 'RespectIgnoreDifferences with Kruise Rollouts',
    build: (c, app) => new ArgoCdApplication(c, 'argo', { repoURL: 'https://example.com/r.git', path: 'dist', charts: [releasedChart(app)], extraSyncOptions: ['RespectIgnoreDifferences=true'] }),
    at: 'argo',
    prop: 'extraSyncOptions',
    message: /removing the canary rule and subset Kruise added/,
  },
  {
    construct: 'ArgoCdApplication',
    what: 'an object in a sync wave after a Rollout-targeted Deployment',
    build: (c, app) => {
      const shop = releasedChart(app);
      applySyncWaves(shop);
      new ApiObject(shop, 'job', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'late', annotations: { 'argocd.argoproj.io/sync-wave': '9' } } });
      new ArgoCdApplication(c, 'argo', { repoURL: 'https://example.com/r.git', path: 'dist', charts: [shop] });
    },
    at: 'argo',
    prop: 'charts',
    message: /ConfigMap late is in a later sync wave \(9\) than the Deployment svc-base \(wave 3\)/,
  },
  {
    construct: 'ArgoCdApplication',
    what: 'a PostSync hook with Kruise Rollouts',
    build: (c, app) => {
      const shop = releasedChart(app);
      new ApiObject(shop, 'hook', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after', annotations: { 'argocd.argoproj.io/hook': 'PostSync' } } });
      new ArgoCdApplication(c, 'argo', { repoURL: 'https://example.com/r.git', path: 'dist', charts: [shop] });
    },
    at: 'argo',
    prop: 'charts',
    message: /ConfigMap after is a PostSync hook/,
  },
  { construct: 'ArgoCdApplicationSet', what: 'no cluster in the list', build: (c, app) => applicationSet(c, app, { clusters: ClusterGenerator.list([]) }), at: 'set', prop: 'clusters', message: /names no cluster/ },
  { construct: 'ArgoCdApplicationSet', what: 'a cluster listed twice', build: (c, app) => applicationSet(c, app, { clusters: ClusterGenerator.list([{ name: 'a', server: 'https://a.example.com' }, { name: 'a', server: 'https://b.example.com' }]) }), at: 'set', prop: 'clusters', message: /listed twice/ },
  { construct: 'ArgoCdApplicationSet', what: 'a cluster name that cannot end an Application name', build: (c, app) => applicationSet(c, app, { clusters: ClusterGenerator.list([{ name: 'Prod_EU', server: 'https://a.example.com' }]) }), at: 'set', prop: 'clusters', message: /not a cluster name/ },
  { construct: 'ArgoCdApplicationSet', what: 'a cluster server that is not a URL', build: (c, app) => applicationSet(c, app, { clusters: ClusterGenerator.list([{ name: 'a', server: 'a.example.com' }]) }), at: 'set', prop: 'clusters', message: /not a cluster API URL/ },
  { construct: 'ArgoCdApplicationSet', what: 'a cluster selector without labels (every cluster)', build: (c, app) => applicationSet(c, app, { clusters: ClusterGenerator.clusters({ matchLabels: {} }) }), at: 'set', prop: 'clusters', message: /select every cluster/ },
  { construct: 'ArgoCdApplicationSet', what: 'a template expression in the path', build: (c, app) => applicationSet(c, app, { path: 'dist/{{.cluster}}' }), at: 'set', prop: 'path', message: /read as a template/ },
  {
    construct: 'ArgoCdApplicationSet',
    what: 'PruneLast for clusters running Kruise releases',
    build: (c, app) => new ArgoCdApplicationSet(c, 'set', { repoURL: 'https://example.com/r.git', path: 'dist', charts: [releasedChart(app)], clusters: ClusterGenerator.list([{ name: 'a', server: 'https://a.example.com' }]), extraSyncOptions: ['PruneLast=true'] }),
    at: 'set',
    prop: 'extraSyncOptions',
    message: /PruneLast=true/,
  },

];
